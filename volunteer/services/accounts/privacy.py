"""The person's own data (GDPR arts. 15, 17, 20): a full export, and deleting the account.

Deleting keeps the city's statistics honest without keeping the person: sign-ups and hour
entries stay (so "how many people helped at the Tafel in 2026" does not change) but lose their
``user_id`` and any free text; everything else that names the person is erased. Future sign-ups
are withdrawn first, through :func:`signups.withdraw`, so the organisations are told and the
waitlist moves up. The alternative id rotates, which ends every session at once.
"""

import csv
import io
import json
import zipfile
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, update
from sqlmodel import Session, SQLModel, col, select

from volunteer.models import (
    AuditEntry,
    Cause,
    ConductCheck,
    Consent,
    HourEntry,
    Membership,
    Notice,
    NoticePreference,
    NoticeStatus,
    Opportunity,
    Organisation,
    ProposalPair,
    ProposalRun,
    Shift,
    Signup,
    SignupState,
    Skill,
    SkillSuggestion,
    Token,
    User,
    VolunteerCause,
    VolunteerProfile,
    VolunteerSkill,
)
from volunteer.models.accounts import new_alternative_id
from volunteer.services import audit
from volunteer.services.discovery import engine
from volunteer.services.engagement import signups
from volunteer.services.errors import ServiceError

ACTIVE = (SignupState.APPLIED, SignupState.ACCEPTED, SignupState.WAITLISTED)
_USER_FIELDS = (
    "id",
    "email",
    "first_name",
    "last_name",
    "locale",
    "role",
    "email_verified_at",
    "created_at",
    "last_login_at",
    "password_changed_at",
)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return None
    return value


def _row(obj: SQLModel, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    return {k: _plain(v) for k, v in obj.model_dump().items() if k not in skip}


def collect(session: Session, user: User) -> dict[str, list[dict[str, Any]]]:
    """Everything stored about the person, as tables of plain values."""
    uid = user.id
    account = {f: _plain(getattr(user, f)) for f in _USER_FIELDS}
    account["calendar_feed_enabled"] = bool(user.ical_token)
    profile = session.get(VolunteerProfile, uid)
    signup_rows = session.exec(
        select(Signup, Shift, Opportunity.title, Organisation.name)
        .join(Shift, col(Shift.id) == col(Signup.shift_id))
        .join(Opportunity, col(Opportunity.id) == col(Shift.opportunity_id))
        .join(Organisation, col(Organisation.id) == col(Opportunity.organisation_id))
        .where(Signup.user_id == uid)
        .order_by(col(Shift.starts_at))
    ).all()
    hours = session.exec(
        select(HourEntry, Organisation.name)
        .join(Organisation, col(Organisation.id) == col(HourEntry.organisation_id))
        .where(HourEntry.user_id == uid)
        .order_by(col(HourEntry.worked_on))
    ).all()
    return {
        "account": [account],
        "profile": [_row(profile)] if profile else [],
        "skills": [
            {"skill": s}
            for s in session.exec(
                select(Skill.slug).join(VolunteerSkill).where(VolunteerSkill.user_id == uid)
            ).all()
        ],
        "causes": [
            {"cause": c}
            for c in session.exec(
                select(Cause.slug).join(VolunteerCause).where(VolunteerCause.user_id == uid)
            ).all()
        ],
        "signups": [
            {
                **_row(s, ("user_id", "decided_by_id")),
                "opportunity": title,
                "organisation": org,
                "starts_at": _plain(shift.starts_at),
                "ends_at": _plain(shift.ends_at),
                "place": shift.place,
            }
            for s, shift, title, org in signup_rows
        ],
        "hours": [
            {**_row(h, ("user_id", "decided_by_id")), "organisation": org} for h, org in hours
        ],
        "consents": [
            _row(c, ("user_id",))
            for c in session.exec(select(Consent).where(Consent.user_id == uid)).all()
        ],
        "notice_preferences": [
            _row(p, ("user_id",))
            for p in session.exec(
                select(NoticePreference).where(NoticePreference.user_id == uid)
            ).all()
        ],
        "notices": [
            _row(n, ("user_id", "lease_until", "claimed_by", "dedupe_key"))
            for n in session.exec(select(Notice).where(Notice.user_id == uid)).all()
        ],
        "memberships": [
            {**_row(m, ("user_id",)), "organisation": org}
            for m, org in session.exec(
                select(Membership, Organisation.name)
                .join(Organisation, col(Organisation.id) == col(Membership.organisation_id))
                .where(Membership.user_id == uid)
            ).all()
        ],
        "skill_suggestions": [
            _row(s, ("user_id",))
            for s in session.exec(select(SkillSuggestion).where(SkillSuggestion.user_id == uid))
        ],
        "activity_log": [
            _row(a, ("actor_id",))
            for a in session.exec(select(AuditEntry).where(AuditEntry.actor_id == uid)).all()
        ],
    }


def export_zip(session: Session, user: User, *, now: datetime) -> bytes:
    """``mitwirken.json`` with everything, plus one CSV per table (for spreadsheets)."""
    data = collect(session, user)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        document = {"exported_at": now.isoformat(), "service": "Mitwirken Bochum", **data}
        zf.writestr(
            "mitwirken.json", json.dumps(document, ensure_ascii=False, indent=2, default=str)
        )
        for name, rows in data.items():
            out = io.StringIO()
            columns: list[str] = []
            for row in rows:
                columns += [k for k in row if k not in columns]
            writer = csv.DictWriter(out, fieldnames=columns or ["empty"])
            writer.writeheader()
            for row in rows:
                writer.writerow(
                    {
                        k: json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else v
                        for k, v in row.items()
                    }
                )
            zf.writestr(f"{name}.csv", "\ufeff" + out.getvalue())
    return buffer.getvalue()


def delete_account(session: Session, user: User, *, now: datetime) -> None:
    """Erase the person, keep anonymous statistics (see the module docstring)."""
    if user.deleted_at is not None:
        raise ServiceError("not_found")
    uid = user.id
    upcoming = session.exec(
        select(Signup)
        .join(Shift, col(Shift.id) == col(Signup.shift_id))
        .where(
            Signup.user_id == uid,
            col(Signup.state).in_([s.value for s in ACTIVE]),
            Shift.starts_at > now,
        )
    ).all()
    for signup in upcoming:
        signups.withdraw(session, signup, by=user, now=now, reason="account_deleted")

    session.execute(
        update(Signup).where(col(Signup.user_id) == uid).values(user_id=None, message="")
    )
    session.execute(
        update(HourEntry).where(col(HourEntry.user_id) == uid).values(user_id=None, note="")
    )
    session.execute(
        update(SkillSuggestion).where(col(SkillSuggestion.user_id) == uid).values(user_id=None)
    )
    session.execute(
        update(Notice)
        .where(col(Notice.user_id) == uid, col(Notice.status) == NoticeStatus.PENDING)
        .values(status=NoticeStatus.CANCELLED)
    )
    session.execute(
        update(Notice)
        .where(col(Notice.user_id) == uid)
        .values(user_id=None, to_email=None, payload={})
    )
    session.execute(update(AuditEntry).where(col(AuditEntry.actor_id) == uid).values(actor_id=None))
    # Proposed pairs name the person; the coordinator's run keeps its figures without them.
    session.execute(delete(ProposalPair).where(col(ProposalPair.volunteer_id) == uid))
    session.execute(
        update(ProposalPair)
        .where(col(ProposalPair.invited_by_id) == uid)
        .values(invited_by_id=None)
    )
    session.execute(
        update(ProposalRun)
        .where(col(ProposalRun.requested_by_id) == uid)
        .values(requested_by_id=None)
    )
    for model in (
        VolunteerSkill,
        VolunteerCause,
        NoticePreference,
        Consent,
        Token,
        Membership,
        ConductCheck,
    ):
        session.execute(delete(model).where(col(model.user_id) == uid))
    session.execute(delete(VolunteerProfile).where(col(VolunteerProfile.user_id) == uid))

    user.email = f"deleted-{uid}@invalid"
    user.email_key = user.email
    user.password_hash = "!"  # noqa: S105 - no hash ever verifies against "!"
    user.first_name = ""
    user.last_name = ""
    user.ical_token = None
    user.deleted_at = now
    user.alternative_id = new_alternative_id()  # every open session ends now
    session.add(user)
    audit.record(session, "user.deleted", actor=None, now=now, object_type="user", object_id=uid)
    session.flush()
    session.expire_all()
    engine.invalidate()
