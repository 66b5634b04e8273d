"""Browse and search needs: full text, filters, three sort orders, stable paginated URLs.

Whatever arrives in the query string is parsed leniently by :func:`parse_params`: unknown filter
values are dropped, numbers are clamped, text is cut to a sane length, so no input can cause an
error page. Filters that SQL answers well (text, skill, cause, district, flags, date range) run in
the database; the ones that need the engine's view (fits my availability, best match) use the
engine's cached index, which already knows each need's weekly slots and next open shift.
"""

import math
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

import numpy as np
import numpy.typing as npt
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from matching.explain import reasons as engine_reasons
from matching.geo import haversine_km
from matching.index import OpportunityIndex
from matching.rules import Reason
from matching.scoring import COMPONENTS, DEFAULT_WEIGHTS, combine
from volunteer.models import (
    District,
    User,
    VolunteerProfile,
)
from volunteer.platform.clock import BERLIN
from volunteer.platform.inputs import parse_date, parse_int
from volunteer.services.discovery import engine, engine_values, freshness, listed
from volunteer.services.discovery.cards import Hit

PER_PAGE = 20
MAX_QUERY = 100
MAX_WORDS = 6
MAX_PAGE = 10_000
SORTS = ("best", "soonest", "nearest")
KINDS = ("oneoff", "regular")
RADII = (1, 2, 5, 10, 20, 50)


@dataclass(frozen=True, slots=True)
class Place:
    """A district as the search shows and filters it (reference data, the same for everyone)."""

    number: int
    name: str
    borough_number: int
    lat: float
    lon: float


def districts(session: Session) -> tuple[Place, ...]:
    """The city's districts by name, from the per-process cache: every search page lists them
    in its form, and reading thirty ORM rows cost as much as the listing's filters. The
    catalogue sync writes them through the ORM, and that commit drops the cache everywhere in
    this process (``freshness``: a district counts as a change to every need)."""

    def read(s: Session) -> tuple[Place, ...]:
        columns = (
            District.number,
            District.name,
            District.borough_number,
            District.lat,
            District.lon,
        )
        rows = s.execute(sa_select(*(col(c) for c in columns))).all()
        return tuple(sorted((Place(*row) for row in rows), key=lambda d: d.name))

    found: tuple[Place, ...] = freshness.CACHE.get("districts", session, listed.CACHE_SECONDS, read)
    return found


@dataclass(frozen=True)
class SearchParams:
    """A normalised search: everything here is valid, so it can be turned back into a URL."""

    q: str = ""
    skill: str = ""
    cause: str = ""
    district: int | None = None
    radius: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    fits: bool = False
    minors: bool = False
    step_free: bool = False
    kind: str = ""
    sort: str = ""
    page: int = 1

    def query_args(self, **changes: Any) -> dict[str, str]:
        """The canonical query string (defaults left out), for links and pagination."""
        p = replace(self, **changes)
        args = {
            "q": p.q,
            "skill": p.skill,
            "cause": p.cause,
            "district": str(p.district) if p.district else "",
            "radius": str(p.radius) if p.radius else "",
            "from": p.date_from.isoformat() if p.date_from else "",
            "to": p.date_to.isoformat() if p.date_to else "",
            "fits": "1" if p.fits else "",
            "minors": "1" if p.minors else "",
            "step_free": "1" if p.step_free else "",
            "kind": p.kind,
            "sort": p.sort,
            "page": str(p.page) if p.page > 1 else "",
        }
        return {k: v for k, v in args.items() if v}

    def url_query(self, **changes: Any) -> str:
        return urlencode(self.query_args(**changes))


def parse_params(
    args: Mapping[str, str], *, skills: set[str], causes: set[str], districts: set[int]
) -> SearchParams:
    """Turn any query string into valid parameters (unknown values are ignored, never errors)."""
    raw = str(args.get("q", ""))[: MAX_QUERY * 4]
    # Control characters (NUL above all) mean nothing in a search and PostgreSQL rejects them.
    q = " ".join("".join(ch if ch.isprintable() else " " for ch in raw).split())[:MAX_QUERY]
    district = parse_int(args.get("district"), 1, 10_000)
    radius = parse_int(args.get("radius"), 1, 50)
    date_from, date_to = parse_date(args.get("from")), parse_date(args.get("to"))
    if date_from and date_to and date_to < date_from:
        date_from, date_to = date_to, date_from
    sort = str(args.get("sort", ""))
    kind = str(args.get("kind", ""))
    return SearchParams(
        q=q,
        skill=str(args.get("skill", "")) if args.get("skill") in skills else "",
        cause=str(args.get("cause", "")) if args.get("cause") in causes else "",
        district=district if district in districts else None,
        radius=radius if radius in RADII else None,
        date_from=date_from,
        date_to=date_to,
        fits=args.get("fits") == "1",
        minors=args.get("minors") == "1",
        step_free=args.get("step_free") == "1",
        kind=kind if kind in KINDS else "",
        sort=sort if sort in SORTS else "",
        page=parse_int(args.get("page"), 1, MAX_PAGE) or 1,
    )


@dataclass(frozen=True)
class SearchResult:
    params: SearchParams
    hits: list[Hit]
    total: int
    page: int
    pages: int
    sort: str
    home: tuple[float, float] | None
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Lookup:
    """Per-index columns for search: SQL ids to index rows, next start (inf if none), slots."""

    sorted_ids: npt.NDArray[np.int64]
    rows: npt.NDArray[np.int64]
    next_start: npt.NDArray[np.float64]
    slots: npt.NDArray[np.int64]

    def rows_of(self, ids: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """The index row of each id, or -1 for a need the (up to a minute old) index lacks."""
        if not len(self.sorted_ids):
            return np.full(len(ids), -1, dtype=np.int64)
        at = np.searchsorted(self.sorted_ids, ids).clip(max=len(self.sorted_ids) - 1)
        return np.where(self.sorted_ids[at] == ids, self.rows[at], -1)


# Built once per cached index (an index is immutable; a rebuilt one is a new object).
_lookups: "weakref.WeakKeyDictionary[OpportunityIndex, _Lookup]" = weakref.WeakKeyDictionary()


def _lookup(index: OpportunityIndex) -> _Lookup:
    found = _lookups.get(index)
    if found is None:
        ids = np.array([int(o.id) for o in index.items], dtype=np.int64)
        order = np.argsort(ids, kind="stable")
        found = _Lookup(
            sorted_ids=ids[order],
            rows=order.astype(np.int64),
            next_start=np.where(np.isnan(index.starts_at), np.inf, index.starts_at),
            slots=index.slots,
        )
        _lookups[index] = found
    return found


def _filtered(rows: listed.Listing, p: SearchParams, *, now: datetime) -> listed.Found:
    """Listed needs passing the filters that need no volunteer: text, skill, cause, district,
    flags and date range, answered from the listing's columns."""
    keep = np.ones(len(rows.ids), dtype=np.bool_)
    for word in p.q.split()[:MAX_WORDS]:
        keep &= rows.containing(word)
    if p.skill:
        keep &= np.fromiter((p.skill in s for s in rows.skills), np.bool_, len(rows.ids))
    if p.cause:
        keep &= np.fromiter((p.cause in c for c in rows.causes), np.bool_, len(rows.ids))
    if p.district:
        keep &= rows.district == p.district
    if p.minors:
        keep &= rows.minors_ok
    if p.step_free:
        keep &= rows.step_free
    if p.kind:
        keep &= rows.regular == (p.kind == "regular")
    if p.date_from or p.date_to:
        start = datetime.combine(p.date_from, time(0), BERLIN) if p.date_from else now
        end = None
        if p.date_to:
            end = datetime.combine(p.date_to + timedelta(days=1), time(0), BERLIN)
        keep &= rows.with_shift_between(max(start, now), end)
    return rows.found(keep)


def search(
    session: Session,
    p: SearchParams,
    *,
    user: User | None,
    now: datetime,
    per_page: int = PER_PAGE,
) -> SearchResult:
    """Run a search and return one page of hits (the page is clamped to the last one).

    A volunteer under 18 sees only needs open to minors, as in "Für dich" (the engine's
    ``adults_only``): they could not sign up for the others.
    """
    profile = session.get(VolunteerProfile, user.id) if user is not None else None
    if profile is not None and not profile.is_adult and not p.minors:
        p = replace(p, minors=True)
    home = (
        (profile.lat, profile.lon)
        if profile is not None and profile.lat is not None and profile.lon is not None
        else None
    )
    origin = home
    if p.district:
        d = next((d for d in districts(session) if d.number == p.district), None)
        origin = (d.lat, d.lon) if d else origin
    notes: list[str] = []
    rows = listed.listing(session, now=now)
    found = _filtered(rows, p, now=now)

    pool = engine.opportunity_pool(session, now=now)
    lookup = _lookup(pool.index)
    volunteer = engine_values.volunteer_for(session, user) if user is not None else None

    if p.fits:
        if profile is not None and profile.availability:
            mask = int(profile.availability)
            row = lookup.rows_of(found.ids)
            slots = np.where(row >= 0, lookup.slots[row], 0)
            found = found.take((slots & mask) != 0)
        else:
            notes.append("fits_needs_profile")
    # NaN where there is no distance (no origin, no location, or a remote need).
    distance = np.full(len(found.ids), np.nan)
    if origin is not None:
        located = ~np.isnan(found.lat) & ~np.isnan(found.lon) & ~found.remote
        # The engine's distance (great circle), so a shown 10 km is what its radius rule reads.
        distance[located] = haversine_km(
            origin[0], origin[1], found.lat[located], found.lon[located]
        )
    if p.radius:
        if home is not None:
            keep = found.remote | (distance <= p.radius)  # NaN compares False
            found, distance = found.take(keep), distance[keep]
        else:
            notes.append("radius_needs_home")

    sort = p.sort or ("best" if volunteer is not None else "soonest")
    if sort == "best" and volunteer is None:
        notes.append("best_needs_profile")
        sort = "soonest"
    if sort == "nearest" and origin is None:
        notes.append("nearest_needs_home")
        sort = "soonest"

    row = lookup.rows_of(found.ids)
    next_start = np.where(row >= 0, lookup.next_start[row], np.inf)
    # NaN for needs the volunteer is not eligible for (or without a volunteer).
    score = np.full(len(found.ids), np.nan)
    ev = None
    if volunteer is not None:
        # Scores only (the engine's own formula); reasons are built for the page's hits alone.
        ev = pool.index.evaluate(volunteer, weights=DEFAULT_WEIGHTS, now=now)
        contributions, values = combine(ev.values, DEFAULT_WEIGHTS)
        by_row = np.full(len(pool.index), np.nan)
        by_row[ev.rows] = values
        score = np.where(row >= 0, by_row[row], np.nan)
    # lexsort: the last key is the primary one; ties fall back to the earliest start, then id.
    if sort == "best":
        order = np.lexsort((found.ids, next_start, -np.where(np.isnan(score), -1.0, score)))
    elif sort == "nearest":
        order = np.lexsort((found.ids, next_start, np.where(np.isnan(distance), np.inf, distance)))
    else:
        order = np.lexsort((found.ids, next_start))

    total = len(order)
    pages = max(1, math.ceil(total / per_page))
    page = min(p.page, pages)
    on_page = order[(page - 1) * per_page : page * per_page]
    page_ids = [int(i) for i in found.ids[on_page]]
    distances = {
        i: float(d) for i, d in zip(page_ids, distance[on_page].tolist(), strict=True) if d == d
    }
    scores = {i: float(v) for i, v in zip(page_ids, score[on_page].tolist(), strict=True) if v == v}
    explained: dict[int, tuple[tuple[Reason, ...], dict[str, float]]] = {}
    if volunteer is not None and ev is not None:
        # The engine's reasons for the page's hits only: a few pure calls, not one per need.
        page_rows = row[on_page]
        for k in np.flatnonzero(np.isin(ev.rows, page_rows[page_rows >= 0])).tolist():
            item = pool.index.items[int(ev.rows[k])]
            explained[int(item.id)] = (
                tuple(
                    engine_reasons(
                        volunteer,
                        item,
                        km=float(ev.km[k]),
                        urgency=float(ev.values["urgency"][k]),
                        skill_category=pool.index.skill_category,
                        now=now,
                    )
                ),
                {c: float(contributions[c][k]) for c in COMPONENTS},
            )
    hits = rows.hits(page_ids, now=now, distance=distances, scores=scores, explained=explained)
    return SearchResult(
        params=replace(p, page=page),
        hits=hits,
        total=total,
        page=page,
        pages=pages,
        sort=sort,
        home=home,
        notes=notes,
    )


def district_counts(session: Session, *, now: datetime) -> list[tuple[Place, int]]:
    """Every district with the number of listed needs in it (for the list and the map), counted
    from the listed needs' columns the search filters on (``listed.listing``), so a district's
    figure is the number of results its link finds, without a count over the city's needs."""
    numbers, counts = np.unique(listed.listing(session, now=now).district, return_counts=True)
    by_number = dict(zip(numbers.tolist(), counts.tolist(), strict=True))
    return [(d, int(by_number.get(d.number, 0))) for d in districts(session)]
