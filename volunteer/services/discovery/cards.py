"""A need as a card shows it, wherever cards appear (search results, the home page's urgent
needs, an organisation's page, recommendations, a need's own page): its organisation, first cause,
next date and places left. :func:`card_hits` reads them for the shown needs only; search results
take the same card from the per-process listing (``listed.Listing.hits``), whose calendar this
process patches on every commit and another worker refreshes within ``listed.CACHE_SECONDS``;
both count the next date and places left over the dates still ahead (:func:`ahead`, SQL's
:func:`_upcoming`).
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from matching.rules import Reason
from volunteer.models import Cause, District, Opportunity, OpportunityCause, Organisation, Shift
from volunteer.models.types import UTCDateTime
from volunteer.platform.db import greatest
from volunteer.services.discovery import engine_values
from volunteer.services.discovery.listing import listed_clause


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


def ahead(shifts: Iterable[tuple[datetime, int]], now: datetime) -> tuple[datetime | None, int]:
    """A card's next date and places left from a need's not cancelled shifts' (start, free
    places), for cards built from shifts already read (the listing's calendar, a need's page):
    the shifts starting after ``now`` count, as in SQL (:func:`_upcoming`), and the next date is
    the first of them even when it is full."""
    coming = [(start, free) for start, free in shifts if start > now]
    return (min(start for start, _ in coming) if coming else None, sum(f for _, f in coming))


def _upcoming(now: Any) -> ColumnElement[bool]:
    """The shifts a card counts: upcoming and not cancelled (every one, not only the engine's
    horizon: a card shows the next date even when it lies further ahead)."""
    return and_(col(Shift.starts_at) > now, col(Shift.cancelled_at).is_(None))


def _free() -> ColumnElement[int]:
    """A shift's open places, its places taken counted as the engine counts them (once: a
    CASE comparing before subtracting had the database count them twice per shift)."""
    return greatest(col(Shift.capacity) - engine_values.places_taken(Shift.id), 0)


def _cards_statement() -> Any:
    """One statement for a page of cards, built once: the card's columns, its organisation and
    district, and as subqueries per need its next start, open places and first cause (in the
    causes file's order). Building a statement costs more than SQLite takes to run this one, and
    a page of cards used to run three."""
    moment = bindparam("now", type_=UTCDateTime())
    upcoming = and_(col(Shift.opportunity_id) == col(Opportunity.id), _upcoming(moment))
    next_start = select(func.min(Shift.starts_at)).where(upcoming).scalar_subquery()
    places = select(func.coalesce(func.sum(_free()), 0)).where(upcoming).scalar_subquery()
    cause = (
        select(Cause.slug)
        .join(OpportunityCause, col(OpportunityCause.cause_id) == col(Cause.id))
        .where(col(OpportunityCause.opportunity_id) == Opportunity.id)
        .order_by(col(Cause.id))
        .limit(1)
        .scalar_subquery()
    )
    return (
        sa_select(
            *_CARD_COLUMNS,
            col(Organisation.name),
            col(Organisation.logo_type).is_not(None),
            col(District.name),
            next_start,
            places,
            cause,
        )
        .join(Organisation, col(Organisation.id) == col(Opportunity.organisation_id))
        .outerjoin(District, col(District.number) == col(Opportunity.district_number))
        .where(col(Opportunity.id).in_(bindparam("ids", expanding=True)))
    )


_CARDS = _cards_statement()

# The dates a need's page lists: not yet ended, by start, at most this many.
DATES_SHOWN = 60
_DATES = (
    select(Shift, _free())
    .where(
        col(Shift.opportunity_id) == bindparam("need"),
        col(Shift.ends_at) > bindparam("now", type_=UTCDateTime()),
    )
    .order_by(col(Shift.starts_at))
    .limit(DATES_SHOWN)
)


def need_dates(session: Session, opportunity_id: int, *, now: datetime) -> list[tuple[Shift, int]]:
    """A need's dates that have not ended yet, each with its places left (counted as a card
    counts them, :func:`_free`): one statement built once, where the page used to build and
    run two (the shifts, then their sign-ups)."""
    rows = session.exec(_DATES, params={"need": opportunity_id, "now": now}).all()
    return [(shift, int(free or 0)) for shift, free in rows]


def need_head(
    session: Session, opportunity_id: int, dates: list[tuple[Shift, int]], *, now: datetime
) -> tuple[datetime | None, int]:
    """The next date and places left at the head of a need's page, as its card shows them:
    counted from the page's dates (:func:`need_dates`) when those are all of its dates, read
    (:func:`shift_facts`) only when the page shows just the first :data:`DATES_SHOWN`."""
    if len(dates) < DATES_SHOWN:
        return ahead(((s.starts_at, free) for s, free in dates if s.cancelled_at is None), now)
    return shift_facts(session, [opportunity_id], now=now).get(opportunity_id, (None, 0))


#: The same cards for needs still listed only (``listing.listed_clause``): for ids kept from
#: earlier (a person's ranking, up to a minute old), where a need may have been unlisted since.
#: Its rows have the card's columns in :func:`hits_of`'s order, so it can also be a subquery
#: of a statement that reads more beside the cards.
LISTED_CARDS = _CARDS.where(listed_clause())


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
    rows = session.execute(_CARDS, {"ids": ids, "now": now}).all()
    return hits_of(rows, ids, distance=distance, scores=scores, explained=explained)


def hits_of(
    rows: Iterable[Sequence[Any]],
    ids: list[int],
    *,
    distance: Mapping[int, float] | None = None,
    scores: Mapping[int, float] | None = None,
    explained: Mapping[int, tuple[tuple[Reason, ...], dict[str, float]]] | None = None,
) -> list[Hit]:
    """Cards from rows of :data:`LISTED_CARDS` (or the unfiltered statement), in the order of
    ``ids``; an id without a row is left out."""
    distance, scores, explained = distance or {}, scores or {}, explained or {}
    by_id = {int(row[0]): row for row in rows}
    out = []
    for oid in ids:
        row = by_id.get(oid)
        if row is None:
            continue
        *need, org, logo, district, start, left, cause = row
        card = CardNeed(*need)
        out.append(
            hit(
                card,
                org,
                bool(logo),
                district,
                start,
                int(left or 0),
                cause,
                distance=distance,
                scores=scores,
                explained=explained,
            )
        )
    return out


def hit(
    card: CardNeed,
    organisation_name: str,
    has_logo: bool,
    district_name: str | None,
    next_start: datetime | None,
    places_left: int,
    cause: str | None,
    *,
    distance: Mapping[int, float],
    scores: Mapping[int, float],
    explained: Mapping[int, tuple[tuple[Reason, ...], dict[str, float]]],
) -> Hit:
    """One card with what the page adds to it (distance, score, reasons), wherever its
    figures were read: the database (:func:`hits_of`) or the listing (``listed.Listing.hits``)."""
    why, parts = explained.get(card.id, ((), {}))
    return Hit(
        opportunity=card,
        organisation_name=organisation_name,
        district_name=district_name,
        next_start=next_start,
        places_left=places_left,
        km=distance.get(card.id),
        score=scores.get(card.id),
        has_logo=has_logo,
        cause=cause,
        reasons=why,
        components=parts,
    )


def shift_facts(
    session: Session, ids: list[int], *, now: datetime
) -> dict[int, tuple[datetime | None, int]]:
    """(next upcoming shift start, open places over upcoming shifts) per need, as a card
    counts them (:func:`_upcoming`, :func:`_free`), for many needs at once (the home page's
    tally over the city): one row per need instead of every shift."""
    if not ids:
        return {}
    rows = session.exec(
        select(Shift.opportunity_id, func.min(Shift.starts_at), func.sum(_free()))
        .where(col(Shift.opportunity_id).in_(ids), _upcoming(now))
        .group_by(col(Shift.opportunity_id))
    ).all()
    return {int(oid): (start, int(left or 0)) for oid, start, left in rows}
