"""The coordinators' review queues: organisations waiting to be listed, suggested skills.

A waiting organisation gets a decision (:func:`decide`): approved (it is verified and its needs
are listed), asked for more information (it stays in the queue, marked as waiting for an
answer), or rejected with a reason (it leaves the queue; a coordinator may still reconsider).
Every decision is stored with its message, the organisation's admins are notified, and both the
coordinator page and the organisation's dashboard show the history.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from volunteer.models import (
    MemberRole,
    Membership,
    Organisation,
    OrganisationReview,
    ReviewDecision,
    SkillSuggestion,
    User,
)
from volunteer.services import audit, fields
from volunteer.services.errors import ServiceError
from volunteer.services.notices import outbox
from volunteer.services.organisations import members
from volunteer.services.organisations import organisation as organisations

# The notice each decision sends to the organisation's admins.
DECISION_KINDS = {
    ReviewDecision.APPROVED: "organisation_verified",
    ReviewDecision.INFO_REQUESTED: "organisation_info_requested",
    ReviewDecision.REJECTED: "organisation_rejected",
}


@dataclass(frozen=True)
class ReviewEntry:
    review: OrganisationReview
    decided_by: str


@dataclass(frozen=True)
class PendingOrganisation:
    organisation: Organisation
    admin_emails: list[str]
    history: list[ReviewEntry] = field(default_factory=list)

    @property
    def latest(self) -> OrganisationReview | None:
        return self.history[-1].review if self.history else None


def decide(
    session: Session,
    org: Organisation,
    decision: str,
    *,
    by: User,
    now: datetime,
    message: str = "",
) -> OrganisationReview:
    """Record a coordinator's decision and tell the organisation's admins.

    Asking for information and rejecting need a message (the organisation must know what to do
    or why); approving may carry one. An organisation that is verified already gets no new
    decision here.
    """
    if not by.is_coordinator:
        raise ServiceError("not_allowed")
    if decision not in set(ReviewDecision):
        raise ServiceError("bad_choice", field="decision")
    text = fields.plain_text(
        message, field="message", max_length=2000, required=decision != ReviewDecision.APPROVED
    )
    if org.verified_at is not None:
        raise ServiceError("already_verified")
    assert org.id is not None
    review = OrganisationReview(
        organisation_id=org.id, decision=decision, message=text, decided_by_id=by.id, decided_at=now
    )
    session.add(review)
    session.flush()
    if decision == ReviewDecision.APPROVED:
        organisations.verify(session, org, by=by, now=now)  # its notice and audit entry
        return review
    kind = DECISION_KINDS[ReviewDecision(decision)]
    outbox.enqueue_each(
        session, kind, members.admins(session, org), dedupe_key=f"{kind}:{review.id}", now=now,
        payload={"organisation_id": org.id, "message": text},
    )  # fmt: skip
    audit.record(
        session, f"organisation.{decision}", actor=by, now=now, object_type="organisation",
        object_id=org.id, message=text,
    )  # fmt: skip
    return review


def history(session: Session, org_ids: list[int]) -> dict[int, list[ReviewEntry]]:
    """Each organisation's decisions, oldest first, with the deciding coordinator's name."""
    out: dict[int, list[ReviewEntry]] = defaultdict(list)
    if not org_ids:
        return out
    rows = session.exec(
        select(OrganisationReview, User.first_name)
        .join(User, col(User.id) == OrganisationReview.decided_by_id, isouter=True)
        .where(col(OrganisationReview.organisation_id).in_(org_ids))
        .order_by(col(OrganisationReview.decided_at), col(OrganisationReview.id))
    ).all()
    for review, name in rows:
        out[review.organisation_id].append(ReviewEntry(review, name or ""))
    return out


def pending(session: Session) -> list[PendingOrganisation]:
    """Unverified organisations not rejected, oldest first (first come, first served), with
    admin contacts and their decision history."""
    return [p for p in _unverified(session) if _state(p) != ReviewDecision.REJECTED]


def rejected(session: Session) -> list[PendingOrganisation]:
    """Rejected organisations, so a coordinator can still reconsider."""
    return [p for p in _unverified(session) if _state(p) == ReviewDecision.REJECTED]


def _state(item: PendingOrganisation) -> str | None:
    return item.latest.decision if item.latest else None


def _unverified(session: Session) -> list[PendingOrganisation]:
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
    reviews = history(session, [o.id for o in orgs if o.id is not None])
    return [
        PendingOrganisation(o, sorted(emails.get(o.id or 0, [])), reviews.get(o.id or 0, []))
        for o in orgs
    ]


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
