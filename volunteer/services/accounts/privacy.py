"""Deleting an account so that nothing names the person any more (GDPR art. 17).

Deleting keeps the city's statistics honest without keeping the person: sign-ups and hour
entries stay (so "how many people helped at the Tafel in 2026" does not change) but lose their
``user_id`` and every free text (messages, reasons, notes). Everything else that names the
person is erased: profile (address, guardian), consents, tokens (old and new addresses), skill
suggestions (and their text in a coordinator's decision), the login history and every audit
entry about the account, the person's notices (kept as content-free rows for the counts), and
other people's copies that name them (the association's "X has applied" quoting the message,
"shift not full" candidate lists, the guardian's request). Pending notices to and about the
person are cancelled. Future sign-ups are withdrawn first, through :func:`signups.withdraw`,
so the organisation is told (by a notice that names no one) and the waitlist moves up. The
address is freed for a new registration; the alternative id rotates, which ends every session.
The only file anyone uploads is an organisation's logo, which belongs to the organisation.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, or_, update
from sqlmodel import Session, SQLModel, col, select

from volunteer.models import (
    AuditEntry,
    ConductCheck,
    Consent,
    GuardianRequest,
    HourEntry,
    Membership,
    Notice,
    NoticePreference,
    NoticeStatus,
    Organisation,
    OrganisationReview,
    ProposalPair,
    ProposalRun,
    Signup,
    SkillSuggestion,
    Token,
    User,
    VolunteerCause,
    VolunteerProfile,
    VolunteerSkill,
)
from volunteer.models.accounts import new_alternative_id
from volunteer.services import audit
from volunteer.services.coordination import match_aggregates, verification
from volunteer.services.engagement import signups
from volunteer.services.errors import ServiceError


def _own_addresses(session: Session, user: User) -> set[str]:
    """Every address the person used here: today's, old ones and ones they were moving to."""
    addresses = {user.email_key}
    for details in session.exec(
        select(AuditEntry.details).where(
            AuditEntry.action == "user.email_changed",
            AuditEntry.object_type == "user",
            AuditEntry.object_id == user.id,
        )
    ).all():
        addresses.update(str(details.get(k, "")).strip().lower() for k in ("old", "new"))
    addresses.update(
        (e or "").strip().lower()
        for e in session.exec(select(Token.email).where(Token.user_id == user.id)).all()
    )
    addresses.discard("")
    return addresses


# Audit actions whose details name another person by id (actor = someone else).
_AUDIT_MENTIONS = {
    "candidate.invited": "volunteer",
    "organisation.role": "member",
    "organisation.left": "member",
    "organisation.removed": "member",
    "organisation.transfer_admin": "to",
}


def _names_person(
    payload: dict[str, Any], uid: int, signups: set[int], hours: set[int], guardian: set[int]
) -> bool:
    """Whether a notice payload is about the person (payloads carry ids, never text)."""
    return (
        payload.get("user_id") == uid
        or payload.get("signup_id") in signups
        or payload.get("hour_entry_id") in hours
        or payload.get("guardian_request_id") in guardian
        or uid in (payload.get("candidate_ids") or ())
    )


def notices_about(session: Session, uid: int, signups: set[int], hours: set[int]) -> list[int]:
    """Notices to *other* people that name the person: the association's "X has applied" with the
    sign-up message, hours to confirm, "shift not full" candidate lists, the guardian's consent
    request. Checked in Python, so no JSON dialect differences matter."""
    rows = session.exec(
        select(Notice.id, Notice.payload).where(
            or_(col(Notice.user_id).is_(None), col(Notice.user_id) != uid)
        )
    ).all()
    guardian = {
        i
        for i in session.exec(select(GuardianRequest.id).where(GuardianRequest.user_id == uid))
        if i is not None
    }
    return [
        i
        for i, payload in rows
        if i is not None and _names_person(dict(payload or {}), uid, signups, hours, guardian)
    ]


def delete_account(session: Session, user: User, *, now: datetime) -> None:
    """Erase the person, keep anonymous statistics (see the module docstring).

    Every table that can name the person is handled here, and a test fills each of their text
    fields with a marker, deletes the account and searches a dump of every table for it.
    """
    if user.deleted_at is not None or user.id is None:
        raise ServiceError("not_found")
    uid = user.id
    addresses = _own_addresses(session, user)
    signup_ids = list(session.exec(select(Signup.id).where(Signup.user_id == uid)).all())
    hour_ids = list(session.exec(select(HourEntry.id).where(HourEntry.user_id == uid)).all())

    # Notices: what was queued before the deletion is cancelled; copies that name the person in
    # other people's inboxes are removed; the person's own rows keep only kind, channel and times.
    about = col(Notice.id).in_(
        notices_about(session, uid, {i for i in signup_ids if i}, {i for i in hour_ids if i})
    )
    # coalesce: NOT (NULL IN ...) is NULL, which would hide rows without an address from ``~own``.
    own = or_(
        func.coalesce(col(Notice.user_id), 0) == uid,
        func.lower(func.coalesce(col(Notice.to_email), "")).in_(addresses),
    )
    session.execute(
        update(Notice)
        .where(or_(own, about), col(Notice.status) == NoticeStatus.PENDING)
        .values(status=NoticeStatus.CANCELLED, lease_until=None, claimed_by=None)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        delete(Notice)
        .where(about, ~own, col(Notice.status) != NoticeStatus.CANCELLED)
        .execution_options(synchronize_session=False)
    )
    scrubbed: dict[str, Any] = {
        "payload": {},
        "subject": None,
        "body": None,
        "link": None,
        "last_error": None,
        "to_email": None,
    }
    session.execute(
        update(Notice)
        .where(or_(own, about), col(Notice.status) == NoticeStatus.CANCELLED)
        .values(**scrubbed)
        .execution_options(synchronize_session=False)
    )
    for notice in session.exec(select(Notice).where(own)).all():
        # Keys like ``organisation_invite:<org>:<address>:...`` spell the address.
        notice.user_id = None
        notice.dedupe_key = f"erased:{notice.id}"
        for field, value in scrubbed.items():
            setattr(notice, field, value)
        session.add(notice)
    session.flush()

    # Future sign-ups are withdrawn through the one rule that does it, so the organisation is told
    # (the notice names no one: it is rendered at delivery, after the link below is gone) and the
    # waitlist moves up.
    signups.withdraw_upcoming(session, user, now=now, reason="")

    # Statistics stay (attendance, hours per organisation and district), without the person.
    session.execute(
        update(Signup)
        .where(col(Signup.user_id) == uid)
        .values(user_id=None, message="", reason="")
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(HourEntry)
        .where(col(HourEntry.user_id) == uid)
        .values(user_id=None, note="")
        .execution_options(synchronize_session=False)
    )
    match_aggregates.forget_person(session, uid)
    # Decisions someone took (on sign-ups, hours, conduct checks, reviews, verifications) stay;
    # only the name of who took them goes.
    deciders: tuple[tuple[type[SQLModel], str], ...] = (
        (Signup, "decided_by_id"),
        (HourEntry, "decided_by_id"),
        (ConductCheck, "recorded_by_id"),
        (OrganisationReview, "decided_by_id"),
        (Organisation, "verified_by_id"),
    )
    for table, column in deciders:
        session.execute(
            update(table)
            .where(col(getattr(table, column)) == uid)
            .values({column: None})
            .execution_options(synchronize_session=False)
        )

    # Skill suggestions are free text: gone, and so is the text in a coordinator's decision about
    # it unless someone else suggested the same.
    mine = {
        verification.suggestion_key(t)
        for t in session.exec(select(SkillSuggestion.text).where(SkillSuggestion.user_id == uid))
    }
    session.execute(delete(SkillSuggestion).where(col(SkillSuggestion.user_id) == uid))
    others = {
        verification.suggestion_key(t) for t in session.exec(select(SkillSuggestion.text)).all()
    }
    for entry in session.exec(
        select(AuditEntry).where(col(AuditEntry.action).startswith("skill_suggestion."))
    ).all():
        key = verification.suggestion_key(str(entry.details.get("text", "")))
        if key in mine and key not in others:
            entry.details = {**entry.details, "text": ""}
            session.add(entry)

    # The audit log: the login history and every entry about the account go; the person's own
    # actions elsewhere (e.g. as an association's admin) stay without their name; others'
    # entries that mention them lose the mention.
    session.execute(
        delete(AuditEntry).where(
            col(AuditEntry.object_type) == "user", col(AuditEntry.object_id) == uid
        )
    )
    session.execute(
        update(AuditEntry)
        .where(col(AuditEntry.actor_id) == uid)
        .values(actor_id=None)
        .execution_options(synchronize_session=False)
    )
    for entry in session.exec(
        select(AuditEntry).where(col(AuditEntry.action).in_(list(_AUDIT_MENTIONS)))
    ).all():
        key = _AUDIT_MENTIONS[entry.action]
        if entry.details.get(key) == uid:
            entry.details = {**entry.details, key: None}
            session.add(entry)
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
        GuardianRequest,
        Membership,
        ConductCheck,
    ):
        session.execute(delete(model).where(col(model.user_id) == uid))
    session.execute(
        delete(Token).where(
            or_(col(Token.user_id) == uid, func.lower(col(Token.email)).in_(addresses))
        )
    )
    session.execute(delete(VolunteerProfile).where(col(VolunteerProfile.user_id) == uid))

    user.email = f"deleted-{uid}@invalid"
    user.email_key = user.email  # the address is free to register again
    user.password_hash = "!"  # noqa: S105 - no hash ever verifies against "!"
    user.first_name = ""
    user.last_name = ""
    user.ical_token = None
    user.last_login_at = None
    user.deleted_at = now
    user.alternative_id = new_alternative_id()  # every open session ends now
    audit.saved(
        session, user, "user.deleted", actor=None, now=now, object_type="user", object_id=uid
    )
    session.expire_all()
