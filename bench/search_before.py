"""The search service as it was before the city-scale work (kept as the web bench's baseline).

A verbatim copy of ``volunteer/services/search.py`'s ``search`` path at commit 0beacbd: per-row
Python tuples, dicts and a key function over every listed need. ``python -m bench web`` swaps it
in for one series of search-page requests so the figures compare both in the same run.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from sqlalchemy import exists, func, or_
from sqlmodel import Session, col, select

from matching.scoring import DEFAULT_WEIGHTS, combine
from volunteer.models import (
    PLACE_HOLDING_STATES,
    Cause,
    District,
    Opportunity,
    OpportunityCause,
    OpportunitySkill,
    OpportunityStatus,
    Organisation,
    Shift,
    Signup,
    Skill,
    User,
    VolunteerProfile,
)
from volunteer.services.discovery import engine, engine_values

BERLIN = ZoneInfo("Europe/Berlin")
PER_PAGE = 20
MAX_QUERY = 100
MAX_WORDS = 6
MAX_PAGE = 10_000
SORTS = ("best", "soonest", "nearest")
KINDS = ("oneoff", "regular")
RADII = (1, 2, 5, 10, 20, 50)


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


def _int(value: str | None, low: int, high: int) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if low <= number <= high else None


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(str(value).strip()[:10]) if value else None
    except ValueError:
        return None


def parse_params(
    args: Mapping[str, str], *, skills: set[str], causes: set[str], districts: set[int]
) -> SearchParams:
    """Turn any query string into valid parameters (unknown values are ignored, never errors)."""
    raw = str(args.get("q", ""))[: MAX_QUERY * 4]
    # Control characters (NUL above all) mean nothing in a search and PostgreSQL rejects them.
    q = " ".join("".join(ch if ch.isprintable() else " " for ch in raw).split())[:MAX_QUERY]
    district = _int(args.get("district"), 1, 10_000)
    radius = _int(args.get("radius"), 1, 50)
    date_from, date_to = _date(args.get("from")), _date(args.get("to"))
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
        page=_int(args.get("page"), 1, MAX_PAGE) or 1,
    )


@dataclass(frozen=True)
class Hit:
    opportunity: Opportunity
    organisation_name: str
    district_name: str | None
    next_start: datetime | None
    places_left: int
    km: float | None
    score: float | None


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


def _like(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _filtered_ids(
    session: Session, p: SearchParams, *, now: datetime
) -> list[tuple[int, float | None, float | None, bool]]:
    """(id, lat, lon, remote) of listed needs passing the SQL-side filters."""
    stmt = (
        select(Opportunity.id, Opportunity.lat, Opportunity.lon, Opportunity.is_remote)
        .join(Organisation, col(Organisation.id) == col(Opportunity.organisation_id))
        .where(
            Opportunity.status == OpportunityStatus.PUBLISHED,
            col(Organisation.verified_at).is_not(None),
        )
    )
    for word in p.q.split()[:MAX_WORDS]:
        pattern = _like(word)
        stmt = stmt.where(
            or_(
                col(Opportunity.title).ilike(pattern, escape="\\"),
                col(Opportunity.description).ilike(pattern, escape="\\"),
                col(Organisation.name).ilike(pattern, escape="\\"),
            )
        )
    if p.skill:
        stmt = stmt.where(
            exists()
            .where(OpportunitySkill.opportunity_id == Opportunity.id)
            .where(OpportunitySkill.skill_id == Skill.id, Skill.slug == p.skill)
        )
    if p.cause:
        stmt = stmt.where(
            exists()
            .where(OpportunityCause.opportunity_id == Opportunity.id)
            .where(OpportunityCause.cause_id == Cause.id, Cause.slug == p.cause)
        )
    if p.district:
        stmt = stmt.where(Opportunity.district_number == p.district)
    if p.minors:
        stmt = stmt.where(Opportunity.minors_ok == True)  # noqa: E712
    if p.step_free:
        stmt = stmt.where(Opportunity.step_free == True)  # noqa: E712
    if p.kind:
        stmt = stmt.where(Opportunity.regular == (p.kind == "regular"))
    if p.date_from or p.date_to:
        start = (datetime.combine(p.date_from, time(0), BERLIN) if p.date_from else now).astimezone(
            now.tzinfo
        )
        start = max(start, now)
        shift_in_range = (
            exists()
            .where(Shift.opportunity_id == Opportunity.id)
            .where(col(Shift.cancelled_at).is_(None), Shift.starts_at >= start)
        )
        if p.date_to:
            end = datetime.combine(p.date_to + timedelta(days=1), time(0), BERLIN)
            shift_in_range = shift_in_range.where(Shift.starts_at < end)
        stmt = stmt.where(shift_in_range)
    # Core rows, not ORM ones: this returns up to every listed need, and ORM overhead dominates.
    rows = session.connection().execute(stmt).all()
    return [(int(i), lat, lon, bool(r)) for i, lat, lon, r in rows]


def _km(a: tuple[float, float], lat: float, lon: float) -> float:
    """Equirectangular distance: within a city it is as good as the great circle, and cheap."""
    x = math.radians(lon - a[1]) * math.cos(math.radians((lat + a[0]) / 2))
    y = math.radians(lat - a[0])
    return 6371.0 * math.hypot(x, y)


def search(
    session: Session,
    p: SearchParams,
    *,
    user: User | None,
    now: datetime,
    per_page: int = PER_PAGE,
) -> SearchResult:
    """Run a search and return one page of hits (the page is clamped to the last one)."""
    profile = session.get(VolunteerProfile, user.id) if user is not None else None
    home = (
        (profile.lat, profile.lon)
        if profile is not None and profile.lat is not None and profile.lon is not None
        else None
    )
    origin = home
    if p.district:
        d = session.get(District, p.district)
        origin = (d.lat, d.lon) if d else origin
    notes: list[str] = []
    rows = _filtered_ids(session, p, now=now)

    pool = engine.opportunity_pool(session, now=now)
    items = {o.id: o for o in pool.index.items}
    volunteer = engine_values.volunteer_for(session, user) if user is not None else None

    if p.fits:
        if profile is not None and profile.availability:
            mask = int(profile.availability)
            rows = [r for r in rows if (items[str(r[0])].slots if str(r[0]) in items else 0) & mask]
        else:
            notes.append("fits_needs_profile")
    distance: dict[int, float] = {}
    if origin is not None:
        for oid, lat, lon, remote in rows:
            if lat is not None and lon is not None and not remote:
                distance[oid] = _km(origin, lat, lon)
    if p.radius:
        if home is not None:
            rows = [r for r in rows if r[3] or (r[0] in distance and distance[r[0]] <= p.radius)]
        else:
            notes.append("radius_needs_home")

    sort = p.sort or ("best" if volunteer is not None else "soonest")
    if sort == "best" and volunteer is None:
        notes.append("best_needs_profile")
        sort = "soonest"
    if sort == "nearest" and origin is None:
        notes.append("nearest_needs_home")
        sort = "soonest"

    def next_start(oid: int) -> float:
        item = items.get(str(oid))
        return item.starts_at.timestamp() if item and item.starts_at else math.inf

    scores: dict[int, float] = {}
    if volunteer is not None:
        # Scores only (the engine's own formula); reasons are built for the page's hits alone.
        ev = pool.index.evaluate(volunteer, weights=DEFAULT_WEIGHTS, now=now)
        _, values = combine(ev.values, DEFAULT_WEIGHTS)
        for row, score in zip(ev.rows.tolist(), values.tolist(), strict=True):
            scores[int(pool.index.items[row].id)] = score
    ids = [r[0] for r in rows]
    if sort == "best":
        ids.sort(key=lambda i: (-scores.get(i, -1.0), next_start(i), i))
    elif sort == "nearest":
        ids.sort(key=lambda i: (distance.get(i, math.inf), next_start(i), i))
    else:
        ids.sort(key=lambda i: (next_start(i), i))

    total = len(ids)
    pages = max(1, math.ceil(total / per_page))
    page = min(p.page, pages)
    page_ids = ids[(page - 1) * per_page : page * per_page]
    hits = _hits(session, page_ids, now=now, distance=distance, scores=scores)
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


def _hits(
    session: Session,
    ids: list[int],
    *,
    now: datetime,
    distance: Mapping[int, float],
    scores: Mapping[int, float],
) -> list[Hit]:
    if not ids:
        return []
    rows = session.exec(
        select(Opportunity, Organisation.name, District.name)
        .join(Organisation, col(Organisation.id) == col(Opportunity.organisation_id))
        .outerjoin(District, col(District.number) == col(Opportunity.district_number))
        .where(col(Opportunity.id).in_(ids))
    ).all()
    facts = shift_facts(session, ids, now=now)
    by_id = {o.id: (o, org, district) for o, org, district in rows}
    out = []
    for oid in ids:
        if oid not in by_id:
            continue
        o, org, district = by_id[oid]
        start, left = facts.get(oid, (None, 0))
        out.append(
            Hit(
                opportunity=o,
                organisation_name=org,
                district_name=district,
                next_start=start,
                places_left=left,
                km=distance.get(oid),
                score=scores.get(oid),
            )
        )
    return out


def shift_facts(
    session: Session, ids: list[int], *, now: datetime
) -> dict[int, tuple[datetime | None, int]]:
    """(next upcoming shift start, open places over upcoming shifts) per need, from the database."""
    if not ids:
        return {}
    taken = (
        select(func.count())
        .select_from(Signup)
        .where(
            Signup.shift_id == Shift.id,
            col(Signup.state).in_([s.value for s in PLACE_HOLDING_STATES]),
        )
        .scalar_subquery()
    )
    rows = session.exec(
        select(Shift.opportunity_id, func.min(Shift.starts_at), func.sum(Shift.capacity - taken))
        .where(
            col(Shift.opportunity_id).in_(ids),
            Shift.starts_at > now,
            col(Shift.cancelled_at).is_(None),
        )
        .group_by(Shift.opportunity_id)
    ).all()
    return {int(oid): (start, max(0, int(left or 0))) for oid, start, left in rows}


def district_counts(session: Session) -> list[tuple[District, int]]:
    """Every district with the number of listed needs in it (for the list and the map)."""
    counts = dict(
        session.exec(
            select(Opportunity.district_number, func.count())
            .join(Organisation, col(Organisation.id) == col(Opportunity.organisation_id))
            .where(
                Opportunity.status == OpportunityStatus.PUBLISHED,
                col(Organisation.verified_at).is_not(None),
            )
            .group_by(Opportunity.district_number)
        ).all()
    )
    districts = session.exec(select(District).order_by(District.name)).all()
    return [(d, int(counts.get(d.number, 0))) for d in districts]
