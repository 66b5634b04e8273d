"""The coordinators' review queues: organisations waiting to be listed, suggested skills."""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from volunteer.models import MemberRole, Membership, Organisation, SkillSuggestion, User
from volunteer.services import audit


@dataclass(frozen=True)
class PendingOrganisation:
    organisation: Organisation
    admin_emails: list[str]


def pending(session: Session) -> list[PendingOrganisation]:
    """Unverified organisations, oldest first (first come, first served), with admin contacts."""
    orgs = session.exec(
        select(Organisation)
        .where(col(Organisation.verified_at).is_(None))
        .order_by(col(Organisation.created_at), col(Organisation.id))
    ).all()
    emails: dict[int, list[str]] = {}
    if orgs:
        for org_id, email in session.exec(
            select(Membership.organisation_id, User.email)
            .join(User, col(User.id) == Membership.user_id)
            .where(
                col(Membership.organisation_id).in_([o.id for o in orgs]),
                Membership.role == MemberRole.ADMIN,
                col(User.deleted_at).is_(None),
            )
        ).all():
            emails.setdefault(org_id, []).append(email)
    return [PendingOrganisation(o, sorted(emails.get(o.id or 0, []))) for o in orgs]


def recently_verified(session: Session, *, limit: int = 10) -> list[Organisation]:
    return list(
        session.exec(
            select(Organisation)
            .where(col(Organisation.verified_at).is_not(None))
            .order_by(col(Organisation.verified_at).desc(), col(Organisation.id))
            .limit(limit)
        ).all()
    )


@dataclass(frozen=True)
class SuggestedSkill:
    """Free-text skills volunteers missed in the taxonomy, grouped by their normalised text."""

    text: str
    count: int
    ids: list[int]


def suggestion_key(text: str) -> str:
    """How suggestions are grouped: case and spacing do not make a new one."""
    return " ".join(text.lower().split())


def skill_suggestions(session: Session) -> list[SuggestedSkill]:
    """Open suggestions, most asked-for first: a taxonomy gap shows up as a large count."""
    groups: dict[str, list[SkillSuggestion]] = {}
    for s in session.exec(
        select(SkillSuggestion)
        .where(SkillSuggestion.status == "open")
        .order_by(col(SkillSuggestion.id))
    ).all():
        groups.setdefault(suggestion_key(s.text), []).append(s)
    out = [
        SuggestedSkill(text=items[0].text.strip(), count=len(items), ids=[i.id or 0 for i in items])
        for items in groups.values()
    ]
    return sorted(out, key=lambda g: (-g.count, g.text.lower()))


def resolve_suggestions(
    session: Session, text: str, *, status: str, by: User, now: datetime
) -> int:
    """Mark every open suggestion with this text as ``added`` (to the taxonomy) or ``dismissed``.

    The taxonomy itself is data in the code base (``volunteer/data/skills.csv``), so "added"
    records the decision; the CSV export lists what to add in the next release.
    """
    if status not in ("added", "dismissed"):
        raise ValueError(status)
    key = suggestion_key(text)
    rows = [
        s
        for s in session.exec(select(SkillSuggestion).where(SkillSuggestion.status == "open")).all()
        if suggestion_key(s.text) == key
    ]
    for s in rows:
        s.status = status
        session.add(s)
    audit.record(
        session, f"skill_suggestion.{status}", actor=by, now=now, text=text, count=len(rows)
    )
    session.flush()
    return len(rows)
