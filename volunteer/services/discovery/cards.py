"""A need as a card shows it, wherever cards appear (search results, the home page's urgent
needs, an organisation's page, recommendations, a need's own page): its organisation, first cause,
next date and places left, read for the shown needs only, so a card never shows a stale count.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlmodel import Session, col, select

from matching.rules import Reason
from volunteer.models import Cause, District, Opportunity, OpportunityCause, Organisation
from volunteer.services.discovery import engine_values


@dataclass(frozen=True)
class Hit:
    """One need as a card shows it: its organisation (and whether it has a logo), its first
    cause (for the icon), the next date, open places, distance and, for a volunteer, the score
    with the engine's reasons and each component's contribution (to pick the top reason)."""

    opportunity: Opportunity
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
    rows = session.exec(
        select(
            Opportunity, Organisation.name, col(Organisation.logo_type).is_not(None), District.name
        )
        .join(Organisation, col(Organisation.id) == col(Opportunity.organisation_id))
        .outerjoin(District, col(District.number) == col(Opportunity.district_number))
        .where(col(Opportunity.id).in_(ids))
    ).all()
    facts = shift_facts(session, ids, now=now)
    causes = first_causes(session, ids)
    by_id = {o.id: (o, org, logo, district) for o, org, logo, district in rows}
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

    Counted from :func:`engine_values.open_shifts`, the one home of "a shift's places taken",
    over every upcoming shift (not only the engine's horizon): a card shows the next date even
    when it lies further ahead."""
    facts: dict[int, tuple[datetime | None, int]] = {}
    for shift in engine_values.open_shifts(session, ids, now=now, window=(now, _FOREVER)):
        start, left = facts.get(shift.opportunity_id, (None, 0))
        facts[shift.opportunity_id] = (start or shift.starts_at, left + shift.free)
    return facts


_FOREVER = datetime(9999, 1, 1, tzinfo=UTC)
