"""The match statistics' aggregates as numpy columns, kept in memory per process and database.

Why: the page shows seven tables of one period and the headline of the previous one. Read per
request with SQL (one grouped query per table and period, thousands of wait rows and skill
links), that cost 130-230 ms of CPU at Bochum scale, growing with the period. Read once into
arrays, the sums of any period are the difference of two rows of prefix sums over the days, and
the waits and active volunteers are slices of arrays sorted by time.

The arrays are read again when :class:`AggregateStamp` changes, which every refresh of the
aggregates (the statistics rule, every quarter of an hour, as the page says) and every deleted
account taken out of :class:`ActiveDay` does. So the counts written live between two refreshes
(needs recommended and opened) and the first acceptances given meanwhile show with the next
refresh, like every other figure of the page. A process that holds the stamp before reads only
the days the refresh rewrote (its four weeks: 0.14 s of CPU at Bochum scale instead of 1.4 s for
all two years), else everything. Without a stamp (no refresh ever ran) nothing is kept: each page
reads the tables.
"""

import threading
import weakref
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeAlias

import numpy as np
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from volunteer.models import (
    ActiveDay,
    FunnelDay,
    MatchDay,
    Opportunity,
    OpportunityCause,
    OpportunitySkill,
)
from volunteer.models.statistics import CUTS, FUNNEL_MEASURES, MATCH_MEASURES, AggregateStamp
from volunteer.services.coordination.match_aggregates import day_start, unpack

#: The counts of a cell: the measures the refresh writes, then the two counted live.
ALL_MEASURES = (*MATCH_MEASURES, *FUNNEL_MEASURES)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)

IntArray: TypeAlias = "np.ndarray[Any, np.dtype[np.int64]]"
FloatArray: TypeAlias = "np.ndarray[Any, np.dtype[np.float64]]"
SmallArray: TypeAlias = "np.ndarray[Any, np.dtype[np.int32]]"
PeopleArray: TypeAlias = "np.ndarray[Any, np.dtype[np.uint32]]"
Bitmap: TypeAlias = "np.ndarray[Any, np.dtype[np.bool_]]"


def _micros(moment: datetime) -> int:
    """Microseconds since 1970 (UTC): exact, so a period's first instant stays inside it."""
    return (moment - _EPOCH) // _MICROSECOND


@dataclass(frozen=True)
class Columns:
    """Everything the statistics page sums, for every day there are aggregates of."""

    token: str | None
    first: int  # the ordinal of day 0
    cells: dict[tuple[str, int], int]  # (cut, key) -> column
    totals: IntArray  # (days + 1, cells, ALL_MEASURES): sums of the days before each day
    district_cells: IntArray  # the columns of the district cut: together, the whole city
    city_totals: IntArray  # (days + 1, ALL_MEASURES): the district columns of totals, summed
    # One entry per person and (day, district), sorted by day; 32 bits each (two years of a
    # city are about 750,000 entries: 9 MB instead of 18).
    active_day: SmallArray
    active_row: SmallArray  # the district's row in active_districts
    active_user: PeopleArray
    active_districts: list[int]
    top_user: int  # bitmaps of people have this many places
    wait_at: IntArray  # first acceptances (microseconds since 1970), sorted
    wait_hours: FloatArray  # hours from publishing to the first acceptance
    wait_district: IntArray
    link_wait: IntArray  # the skills and causes of those needs: (row in wait_*, cell)
    link_cell: IntArray

    @property
    def days(self) -> int:
        return int(self.totals.shape[0]) - 1

    def _index(self, day: date) -> int:
        return min(max(day.toordinal() - self.first, 0), self.days)

    def sums(self, start: date, end: date) -> IntArray:
        """(cells, ALL_MEASURES): the counts of ``start``..``end`` (inclusive)."""
        hi, lo = self._index(end + timedelta(days=1)), self._index(start)
        result: IntArray = self.totals[hi] - self.totals[lo]
        return result

    def city(self, start: date, end: date) -> IntArray:
        hi, lo = self._index(end + timedelta(days=1)), self._index(start)
        result: IntArray = self.city_totals[hi] - self.city_totals[lo]
        return result

    def city_by_week(self, start: date, end: date, mondays: list[date]) -> IntArray:
        """(weeks, ALL_MEASURES): the city's counts of each week's days inside the period."""
        edges = [max(m, start) for m in mondays] + [end + timedelta(days=1)]
        at = np.array([self._index(d) for d in edges], dtype=np.int64)
        result: IntArray = self.city_totals[at[1:]] - self.city_totals[at[:-1]]
        return result

    def wait_rows(self, start: date, end: date) -> tuple[int, int]:
        """The rows of the needs whose first acceptance falls in ``start``..``end``."""
        lo = _micros(day_start(start))
        hi = _micros(day_start(end + timedelta(days=1)))
        return (
            int(np.searchsorted(self.wait_at, lo, side="left")),
            int(np.searchsorted(self.wait_at, hi, side="left")),
        )

    def active(self, start: date, end: date) -> tuple[SmallArray, PeopleArray]:
        """(row in ``active_districts``, person) of everyone active on ``start``..``end``."""
        lo = int(np.searchsorted(self.active_day, self._day(start), side="left"))
        hi = int(np.searchsorted(self.active_day, self._day(end), side="right"))
        return self.active_row[lo:hi], self.active_user[lo:hi]

    def _day(self, day: date) -> int:
        return day.toordinal() - self.first

    def bitmap(self, people: PeopleArray) -> Bitmap:
        out = np.zeros(self.top_user, dtype=np.bool_)
        out[people] = True
        return out


_lock = threading.Lock()
# A first read takes seconds at city scale: one at a time, so requests arriving meanwhile wait
# for it (and then find it kept) instead of each reading the same two years of days.
_reading = threading.Lock()
# By database (the session's bind itself, not its id: a new bind may get a dropped one's id,
# and must not be handed that database's columns).
_kept: "weakref.WeakKeyDictionary[Any, Columns]" = weakref.WeakKeyDictionary()
_KEPT_BINDS = 8  # a process talks to one database; tests make one per test


def current(session: Session) -> Columns:
    """The columns as of the current :class:`AggregateStamp`, read now if it changed: only the
    days from the stamp's ``since`` on when this process holds the stamp before it, else all."""
    stamp = session.exec(select(AggregateStamp)).first()
    token = stamp.token if stamp is not None else None
    key = session.get_bind()
    with _lock:
        hit = _kept.get(key)
    # No stamp yet (no refresh has run): kept as such, and read again once the first refresh
    # stamps the aggregates, as after any refresh.
    if hit is not None and hit.token == token:
        return hit
    with _reading:  # the others wait for this read instead of each reading the same days
        with _lock:
            hit = _kept.get(key)
        if hit is not None and hit.token == token:
            return hit  # read by another request meanwhile
        if hit is not None and stamp is not None and stamp.previous == hit.token and stamp.since:
            built = read(session, token, kept=hit, since=stamp.since)
        else:
            built = read(session, token)
        with _lock:
            if len(_kept) >= _KEPT_BINDS:
                _kept.clear()
            _kept[key] = built
        return built


def read(
    session: Session, token: str | None, *, kept: Columns | None = None, since: date | None = None
) -> Columns:
    """Read every aggregate day, active list and wait of the database into columns; with
    ``kept`` and ``since``, the days before ``since`` come from ``kept`` (the refresh that made
    the new stamp rewrote none of them; the display counts are written with the day of the
    visit, so they too change only in the recent days). The waits are always read in full: a
    first acceptance can be given to a need of any age."""
    if kept is not None and (since is None or kept.days == 0 or since.toordinal() <= kept.first):
        kept = None
    connection = session.connection()
    cells: dict[tuple[str, int], int] = dict(kept.cells) if kept is not None else {}
    parts: list[tuple[list[int], list[int], IntArray, slice]] = []
    for table, at_measures, names in (
        (MatchDay, slice(0, len(MATCH_MEASURES)), MATCH_MEASURES),
        (FunnelDay, slice(len(MATCH_MEASURES), len(ALL_MEASURES)), FUNNEL_MEASURES),
    ):
        rows = connection.execute(
            sa_select(
                col(table.day),
                col(table.cut),
                col(table.key),
                *[col(getattr(table, m)) for m in names],
            ).where(col(table.cut).in_(CUTS), *_from(table.day, kept, since))
        ).all()
        days = [r[0].toordinal() for r in rows]
        at = [cells.setdefault((r[1], int(r[2])), len(cells)) for r in rows]
        values = np.array([r[3:] for r in rows], dtype=np.int64).reshape(len(rows), len(names))
        parts.append((days, at, values, at_measures))

    found = connection.execute(
        sa_select(
            col(Opportunity.id),
            col(Opportunity.district_number),
            col(Opportunity.published_at),
            col(Opportunity.first_accepted_at),
        ).where(
            col(Opportunity.published_at).is_not(None),
            col(Opportunity.first_accepted_at).is_not(None),
        )
    ).all()
    waits = sorted(
        (
            (int(i or 0), int(d or 0), published, first)
            for i, d, published, first in found
            if published is not None and first is not None
        ),
        key=lambda r: r[3],
    )
    wait_of = {r[0]: i for i, r in enumerate(waits)}
    link_wait: list[int] = []
    link_cell: list[int] = []
    for link, owner, cut in (
        (OpportunitySkill.skill_id, OpportunitySkill.opportunity_id, "skill"),
        (OpportunityCause.cause_id, OpportunityCause.opportunity_id, "cause"),
    ):
        for opp, key in connection.execute(sa_select(col(owner), col(link))):
            row = wait_of.get(int(opp))
            if row is not None:
                link_wait.append(row)
                link_cell.append(cells.setdefault((cut, int(key)), len(cells)))
    for district in {r[1] for r in waits}:
        cells.setdefault(("district", district), len(cells))

    all_days = [d for days, *_ in parts for d in days]
    if kept is not None:
        all_days += [kept.first, kept.first + kept.days - 1]
    first = min(all_days, default=date(1970, 1, 1).toordinal())
    span = max(all_days, default=first - 1) - first + 1
    daily = np.zeros((span, len(cells), len(ALL_MEASURES)), dtype=np.int64)
    if kept is not None and since is not None:  # the days before since, as they were
        before = min(since.toordinal() - first, kept.days)
        daily[:before, : len(kept.cells)] = np.diff(kept.totals[: before + 1], axis=0)
    for days, at, values, at_measures in parts:
        if days:  # (day, cut, key) is each table's primary key: no cell is met twice
            day_index = np.array(days, dtype=np.int64) - first
            daily[day_index, np.array(at, dtype=np.int64), at_measures] = values
    totals = np.zeros((span + 1, len(cells), len(ALL_MEASURES)), dtype=np.int64)
    np.cumsum(daily, axis=0, out=totals[1:])

    active_rows = connection.execute(
        sa_select(col(ActiveDay.day), col(ActiveDay.district_number), col(ActiveDay.user_ids))
        .where(*_from(ActiveDay.day, kept, since))
        .order_by(col(ActiveDay.day))
    ).all()
    districts = list(kept.active_districts) if kept is not None else []
    for number in sorted({int(r[1]) for r in active_rows} - set(districts)):
        districts.append(number)
    row_of = {d: i for i, d in enumerate(districts)}
    people = [unpack(r[2]) for r in active_rows]
    sizes = np.array([p.size for p in people], dtype=np.int64)
    days_of = np.repeat(
        np.array([r[0].toordinal() - first for r in active_rows], dtype=np.int32), sizes
    )
    rows_of = np.repeat(np.array([row_of[int(r[1])] for r in active_rows], dtype=np.int32), sizes)
    if kept is not None and since is not None:  # the same first day: kept's indexes hold
        until = int(np.searchsorted(kept.active_day, since.toordinal() - first, side="left"))
        people.insert(0, kept.active_user[:until])
        days_of = np.concatenate([kept.active_day[:until], days_of])
        rows_of = np.concatenate([kept.active_row[:until], rows_of])
    active_user = np.concatenate(people) if people else np.zeros(0, dtype=np.uint32)
    district_cells = np.array(
        sorted(i for (cut, _k), i in cells.items() if cut == "district"), dtype=np.int64
    )
    return Columns(
        token=token,
        first=first,
        cells=cells,
        totals=totals,
        district_cells=district_cells,
        city_totals=totals[:, district_cells].sum(axis=1),
        active_day=days_of,
        active_row=rows_of,
        active_user=active_user,
        active_districts=districts,
        top_user=int(active_user.max()) + 1 if active_user.size else 0,
        wait_at=np.array([_micros(r[3]) for r in waits], dtype=np.int64),
        wait_hours=np.array(
            [max(0.0, (r[3] - r[2]).total_seconds() / 3600) for r in waits], dtype=np.float64
        ),
        wait_district=np.array([r[1] for r in waits], dtype=np.int64),
        link_wait=np.array(link_wait, dtype=np.int64),
        link_cell=np.array(link_cell, dtype=np.int64),
    )


def _from(day: Any, kept: Columns | None, since: date | None) -> tuple[Any, ...]:
    """The condition on a day column for what :func:`read` reads: all days, or from ``since``."""
    return () if kept is None or since is None else (col(day) >= since,)
