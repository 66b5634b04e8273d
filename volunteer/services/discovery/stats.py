"""Figures for the public pages and the city's statistics."""

from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from volunteer.models import Opportunity, Organisation, Shift
from volunteer.services.discovery import freshness
from volunteer.services.discovery.engine import CACHE_SECONDS
from volunteer.services.discovery.listing import listed_clause
from volunteer.services.discovery.search import shift_facts


def _listed_ids(session: Session) -> list[int]:
    rows = session.exec(
        select(Opportunity.id)
        .join(Organisation, col(Organisation.id) == col(Opportunity.organisation_id))
        .where(listed_clause())
    ).all()
    return [int(i) for i in rows if i is not None]


def home_figures(session: Session, *, now: datetime) -> dict[str, int]:
    """What the home page shows, counted under the listing rule (what the public may see):
    listed needs, the organisations behind them, and open places on their upcoming shifts.

    Kept in the per-process cache beside the engine's indexes (``freshness.CACHE``: dropped by
    every commit that changes needs, shifts or sign-ups, refreshed in the background after
    ``CACHE_SECONDS``): counting the open places of every upcoming shift of a city's needs takes
    seconds at Bochum scale, far too long for every visit of the home page.
    """
    figures: dict[str, int] = freshness.CACHE.get(
        "home_figures", session, CACHE_SECONDS, lambda s: _count_home_figures(s, now=now)
    )
    return figures


def _count_home_figures(session: Session, *, now: datetime) -> dict[str, int]:
    organisations = session.exec(
        select(func.count(func.distinct(Opportunity.organisation_id)))
        .join(Organisation, col(Organisation.id) == col(Opportunity.organisation_id))
        .where(listed_clause())
    ).one()
    ids = _listed_ids(session)
    facts = shift_facts(session, ids, now=now)
    return {
        "opportunities": len(ids),
        "organisations": int(organisations),
        "open_places": sum(left for _, left in facts.values()),
    }


def urgent_need_ids(session: Session, *, now: datetime, days: int = 7, limit: int = 6) -> list[int]:
    """Listed needs with a shift in the coming ``days`` and open places, soonest first (the
    home page's "bald gebraucht"). Places are counted as everywhere else (``shift_facts``);
    cached like :func:`home_figures`, for the same reason."""
    ids: list[int] = freshness.CACHE.get(
        "urgent_needs",
        session,
        CACHE_SECONDS,
        lambda s: _urgent_need_ids(s, now=now, days=days, limit=limit),
    )
    return ids


def _urgent_need_ids(session: Session, *, now: datetime, days: int, limit: int) -> list[int]:
    soon = session.exec(
        select(Shift.opportunity_id)
        .join(Opportunity, col(Opportunity.id) == col(Shift.opportunity_id))
        .join(Organisation, col(Organisation.id) == col(Opportunity.organisation_id))
        .where(
            listed_clause(),
            Shift.starts_at > now,
            Shift.starts_at <= now + timedelta(days=days),
            col(Shift.cancelled_at).is_(None),
        )
        .distinct()
    ).all()
    facts = shift_facts(session, [int(i) for i in soon], now=now)
    open_soon = [(start, oid) for oid, (start, left) in facts.items() if left > 0 and start]
    return [oid for _, oid in sorted(open_soon)[:limit]]
