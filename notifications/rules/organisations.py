"""For associations: a shift three days ahead that still has free places, with candidates."""

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from matching.rules import Reason
from notifications.rules import enqueue_new
from volunteer.models import (
    Opportunity,
    OpportunityStatus,
    Shift,
)
from volunteer.services.discovery import engine
from volunteer.services.discovery.engine_values import places_taken
from volunteer.services.organisations import members as member_service

AHEAD = timedelta(hours=72)
# Shifts closer than this are left alone: too late to find people through a notice.
NOT_BEFORE = timedelta(hours=24)
CANDIDATES = 5


def _candidates(
    session: Session, opportunity: Opportunity, *, now: datetime
) -> tuple[list[int], dict[str, list[Reason]]]:
    """The engine's best volunteers for the need, best first, with the reasons it gave.

    Reasons are frozen into the payload as codes (the renderer words them in the reader's
    language), so the notice says why each person fits as the engine saw it when it ranked them.
    """
    found = engine.candidates(session, opportunity, now=now, limit=CANDIDATES)
    ids = [c.user.id for c in found if c.user.id is not None]
    reasons = {str(c.user.id): list(c.match.reasons) for c in found}
    return ids, reasons


def schedule_unfilled_shifts(session: Session, *, now: datetime) -> int:
    """One notice per organisation member for each shift within 72 h that is not full."""
    rows = session.exec(
        select(Shift, Opportunity)
        .join(Opportunity, col(Opportunity.id) == Shift.opportunity_id)
        .where(
            col(Shift.cancelled_at).is_(None),
            col(Shift.starts_at) > now + NOT_BEFORE,
            col(Shift.starts_at) <= now + AHEAD,
            Opportunity.status == OpportunityStatus.PUBLISHED,
            places_taken(Shift.id) < Shift.capacity,
        )
    ).all()
    created = 0
    for shift, opportunity in rows:
        members = member_service.recipients(session, opportunity.organisation_id)
        if not members:
            continue
        key = f"shift-unfilled:{shift.id}:{shift.starts_at.isoformat()}"
        candidate_ids, reasons = _candidates(session, opportunity, now=now)
        for member in members:
            created += enqueue_new(
                session,
                "shift_unfilled",
                dedupe_key=f"{key}:{member.id}",
                now=now,
                user=member,
                payload={
                    "shift_id": shift.id,
                    "candidate_ids": candidate_ids,
                    "candidate_reasons": reasons,
                    "expires_at": (shift.starts_at - NOT_BEFORE).isoformat(),
                },
            )
    return created
