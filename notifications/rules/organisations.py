"""For associations: a shift three days ahead that still has free places, with candidates."""

from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from notifications.rules import enqueue_new
from volunteer.models import (
    PLACE_HOLDING_STATES,
    Membership,
    Opportunity,
    OpportunityStatus,
    Shift,
    Signup,
    User,
)

AHEAD = timedelta(hours=72)
# Shifts closer than this are left alone: too late to find people through a notice.
NOT_BEFORE = timedelta(hours=24)
CANDIDATES = 5


def _candidates(session: Session, opportunity: Opportunity, *, now: datetime) -> list[int]:
    """Suggested volunteers from the engine (``engine.candidates``), best first."""
    try:
        from volunteer.services.discovery import engine
    except ImportError:  # the engine service lands separately; the notice is useful without
        return []
    found = engine.candidates(session, opportunity, now=now, limit=CANDIDATES)
    ids: list[int] = []
    for c in found:
        uid = getattr(c, "user_id", None) or getattr(c, "volunteer_id", None)
        if uid is None and isinstance(c, tuple | list) and c:
            uid = getattr(c[0], "id", c[0])
        if isinstance(uid, int):
            ids.append(uid)
    return ids[:CANDIDATES]


def schedule_unfilled_shifts(session: Session, *, now: datetime) -> int:
    """One notice per organisation member for each shift within 72 h that is not full."""
    taken = (
        select(Signup.shift_id, func.count().label("n"))
        .where(col(Signup.state).in_(PLACE_HOLDING_STATES))
        .group_by(col(Signup.shift_id))
        .subquery()
    )
    rows = session.exec(
        select(Shift, Opportunity, func.coalesce(taken.c.n, 0))
        .join(Opportunity, col(Opportunity.id) == Shift.opportunity_id)
        .join(taken, taken.c.shift_id == Shift.id, isouter=True)
        .where(
            col(Shift.cancelled_at).is_(None),
            col(Shift.starts_at) > now + NOT_BEFORE,
            col(Shift.starts_at) <= now + AHEAD,
            Opportunity.status == OpportunityStatus.PUBLISHED,
            func.coalesce(taken.c.n, 0) < Shift.capacity,
        )
    ).all()
    created = 0
    for shift, opportunity, _n in rows:
        members = session.exec(
            select(User)
            .join(Membership, col(Membership.user_id) == User.id)
            .where(
                Membership.organisation_id == opportunity.organisation_id,
                col(User.deleted_at).is_(None),
            )
        ).all()
        if not members:
            continue
        key = f"shift-unfilled:{shift.id}:{shift.starts_at.isoformat()}"
        candidate_ids: list[int] | None = None
        for member in members:
            if candidate_ids is None:
                candidate_ids = _candidates(session, opportunity, now=now)
            created += enqueue_new(
                session,
                "shift_unfilled",
                dedupe_key=f"{key}:{member.id}",
                now=now,
                user=member,
                payload={
                    "shift_id": shift.id,
                    "candidate_ids": candidate_ids,
                    "expires_at": (shift.starts_at - NOT_BEFORE).isoformat(),
                },
            )
    return created
