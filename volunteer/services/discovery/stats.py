"""Figures for the public pages and the city's statistics."""

import bisect
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from volunteer.models import Opportunity, Organisation
from volunteer.services.discovery import freshness
from volunteer.services.discovery.cards import shift_facts
from volunteer.services.discovery.engine import CACHE_SECONDS
from volunteer.services.discovery.listing import listed_clause


@dataclass(frozen=True)
class _Tally:
    """Every listed need with its organisation, first upcoming start and open places on its
    upcoming shifts: what the home page's figures and "bald gebraucht" are drawn from."""

    needs: dict[int, tuple[int, datetime | None, int]]
    figures: dict[str, int]
    # (first upcoming start, need) of the needs with open places, soonest first: sorted once per
    # build or patch, so a visit of the home page bisects instead of sorting the city's needs.
    soonest: list[tuple[datetime, int]]


def _tally(needs: dict[int, tuple[int, datetime | None, int]]) -> _Tally:
    return _Tally(
        needs,
        {
            "opportunities": len(needs),
            "organisations": len({org for org, _, _ in needs.values()}),
            "open_places": sum(left for _, _, left in needs.values()),
        },
        sorted(
            (start, oid)
            for oid, (_, start, left) in needs.items()
            if left > 0 and start is not None
        ),
    )


def _count(
    session: Session, *, now: datetime, ids: set[int] | None = None
) -> dict[int, tuple[int, datetime | None, int]]:
    stmt = (
        select(Opportunity.id, Opportunity.organisation_id)
        .join(Organisation, col(Organisation.id) == col(Opportunity.organisation_id))
        .where(listed_clause())
    )
    if ids is not None:
        stmt = stmt.where(col(Opportunity.id).in_(sorted(ids)))
    orgs = {int(oid): int(org) for oid, org in session.exec(stmt).all() if oid is not None}
    facts = shift_facts(session, list(orgs), now=now)
    return {oid: (org, *facts.get(oid, (None, 0))) for oid, org in orgs.items()}


def _listing_tally(session: Session, *, now: datetime) -> _Tally:
    """Kept in the per-process cache beside the engine's indexes (``freshness.CACHE``): counting
    the open places of every upcoming shift of a city's needs takes a second at Bochum scale,
    far too long for every visit of the home page. A commit that touches some needs (a sign-up)
    has only those needs counted again; the whole tally is rebuilt in the background after
    ``CACHE_SECONDS``."""
    return freshness.per_need(
        "listing_tally", session, CACHE_SECONDS,
        read=lambda s, ids: _count(s, now=now, ids=ids), build=_tally,
    )  # fmt: skip


def home_figures(session: Session, *, now: datetime) -> dict[str, int]:
    """What the home page shows, counted under the listing rule (what the public may see):
    listed needs, the organisations behind them, and open places on their upcoming shifts."""
    return _listing_tally(session, now=now).figures


def urgent_need_ids(session: Session, *, now: datetime, days: int = 7, limit: int = 6) -> list[int]:
    """Listed needs with a shift in the coming ``days`` and open places, soonest first (the
    home page's "bald gebraucht"). Places are counted as everywhere else (``shift_facts``)."""
    until = now + timedelta(days=days)
    soonest = _listing_tally(session, now=now).soonest
    first = bisect.bisect_right(soonest, now, key=lambda pair: pair[0])
    return [oid for start, oid in soonest[first : first + limit] if start <= until]
