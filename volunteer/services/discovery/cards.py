"""A need as a card shows it, wherever cards appear (search results, the home page's urgent
needs, an organisation's page, recommendations, a need's own page): its organisation, first cause,
next date and places left, read for the shown needs only, so a card never shows a stale count.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import case, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from matching.rules import Reason
from volunteer.models import Cause, District, Opportunity, OpportunityCause, Organisation, Shift
from volunteer.services.discovery import engine_values


@dataclass(frozen=True, slots=True)
class CardNeed:
    """The few columns of a need that a card (and the API's list) shows: read as columns, not
    as a whole ``Opportunity`` row with its description, for the twenty cards of a page."""

    id: int
    title: str
    organisation_id: int
    is_remote: bool
    regular: bool
    minors_ok: bool
    step_free: bool


_CARD_COLUMNS = (
    col(Opportunity.id),
    col(Opportunity.title),
    col(Opportunity.organisation_id),
    col(Opportunity.is_remote),
    col(Opportunity.regular),
    col(Opportunity.minors_ok),
    col(Opportunity.step_free),
)


@dataclass(frozen=True)
class Hit:
    """One need as a card shows it: its organisation (and whether it has a logo), its first
    cause (for the icon), the next date, open places, distance and, for a volunteer, the score
    with the engine's reasons and each component's contribution (to pick the top reason)."""

    opportunity: CardNeed
    organisation_name: str
    district_name: str | None
    next_start: datetime | None
    places_left: int
    km: float | None
    score: float | None
    has_logo: bool = False
    cause: str | None = None
    reasons: tuple[Reason, ...] = ()
    components: Mapping[str, float] = field(default_factory=dict)


def card_hits(
    session: Session,
    ids: list[int],
    *,
    now: datetime,
    distance: Mapping[int, float] | None = None,
    scores: Mapping[int, float] | None = None,
    explained: Mapping[int, tuple[tuple[Reason, ...], dict[str, float]]] | None = None,
) -> list[Hit]:
    """Cards for these needs, in the given order (search results, the home page's urgent
    needs, an organisation's page, recommendations). Ids that no longer exist are left out."""
    if not ids:
        return []
    distance, scores, explained = distance or {}, scores or {}, explained or {}
    rows = session.execute(  # columns beyond sqlmodel's typed select: core select
        sa_select(
            *_CARD_COLUMNS,
            col(Organisation.name),
            col(Organisation.logo_type).is_not(None),
            col(District.name),
        )
        .join(Organisation, col(Organisation.id) == col(Opportunity.organisation_id))
        .outerjoin(District, col(District.number) == col(Opportunity.district_number))
        .where(col(Opportunity.id).in_(ids))
    ).all()
    facts = shift_facts(session, ids, now=now)
    causes = first_causes(session, ids)
    by_id = {
        int(row[0]): (CardNeed(*row[:7]), org, logo, district) for *row, org, logo, district in rows
    }
    out = []
    for oid in ids:
        if oid not in by_id:
            continue
        o, org, logo, district = by_id[oid]
        start, left = facts.get(oid, (None, 0))
        why, parts = explained.get(oid, ((), {}))
        out.append(
            Hit(
                opportunity=o,
                organisation_name=org,
                district_name=district,
                next_start=start,
                places_left=left,
                km=distance.get(oid),
                score=scores.get(oid),
                has_logo=bool(logo),
                cause=causes.get(oid),
                reasons=why,
                components=parts,
            )
        )
    return out


def first_causes(session: Session, ids: list[int]) -> dict[int, str]:
    """Each need's first cause (in the causes file's order), for its card's icon."""
    rows = session.exec(
        select(OpportunityCause.opportunity_id, Cause.slug)
        .join(Cause, col(Cause.id) == col(OpportunityCause.cause_id))
        .where(col(OpportunityCause.opportunity_id).in_(ids))
        .order_by(col(OpportunityCause.opportunity_id), col(Cause.id))
    ).all()
    out: dict[int, str] = {}
    for oid, slug in rows:
        out.setdefault(int(oid), slug)
    return out


def shift_facts(
    session: Session, ids: list[int], *, now: datetime
) -> dict[int, tuple[datetime | None, int]]:
    """(next upcoming shift start, open places over upcoming shifts) per need.

    Summed in the database over every upcoming, not cancelled shift (not only the engine's
    horizon: a card shows the next date even when it lies further ahead), each shift's places
    taken counted by :func:`engine_values.places_taken`, the count the engine uses too: one row
    per need instead of every shift of twenty needs."""
    if not ids:
        return {}
    taken = engine_values.places_taken(Shift.id)
    free = case((col(Shift.capacity) > taken, col(Shift.capacity) - taken), else_=0)
    rows = session.exec(
        select(Shift.opportunity_id, func.min(Shift.starts_at), func.sum(free))
        .where(
            col(Shift.opportunity_id).in_(ids),
            Shift.starts_at > now,
            col(Shift.cancelled_at).is_(None),
        )
        .group_by(col(Shift.opportunity_id))
    ).all()
    return {int(oid): (start, int(left or 0)) for oid, start, left in rows}
