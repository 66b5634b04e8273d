"""Match statistics of a period: how recommendations turn into applications, places, attendance
and confirmed hours — for the city, per Stadtbezirk, statistical district, skill, cause,
weekday × time slot and week, each against the previous period of the same length.

Read from the daily aggregates only (``match_aggregates`` keeps them), held in memory as
columns (``match_columns``), so any period costs a few array differences. The rules of each
figure live here:

- the funnel: profiles completed → needs recommended → need pages opened → sign-ups →
  acceptances → attendances → confirmed hour entries, each counted on the day it happened;
- fill rate: places taken / places, over the shifts of the period (not cancelled);
- no-show rate: no-shows / (attended + no-shows) over the shifts of the period;
- median wait: from publishing a need to its first accepted volunteer, over the needs whose first
  acceptance falls in the period;
- active volunteers: distinct people who attended a shift or had hours confirmed in the period
  (per district: where they were active); returning: those of them also active in the previous
  period of the same length.
"""

import statistics
from collections import defaultdict
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
from sqlmodel import Session, col, select

from matching.model import SLOTS
from volunteer.models import (
    Borough,
    Cause,
    District,
    Skill,
)
from volunteer.services.coordination import match_columns
from volunteer.services.coordination.match_aggregates import berlin_day, monday
from volunteer.services.coordination.match_columns import ALL_MEASURES, Bitmap, Columns, IntArray
from volunteer.services.errors import ServiceError

DEFAULT_DAYS = 90
#: The longest period one page compares (with its previous period: eight years of days).
MAX_DAYS = 4 * 366
FUNNEL = (
    "profiles",
    "recommended",
    "opened",
    "applied",
    "accepted",
    "attended",
    "hour_entries",
)


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> "Period":
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))


def default_period(*, now: datetime) -> Period:
    """The last :data:`DEFAULT_DAYS` days, today included."""
    today = berlin_day(now)
    return Period(today - timedelta(days=DEFAULT_DAYS - 1), today)


def period_of(start: date | None, end: date | None, *, now: datetime) -> Period:
    """The period a coordinator asked for, or a :class:`ServiceError` saying what is wrong.

    ``None`` stands for a value that is missing or not a date (the caller parses strictly).
    """
    if start is None:
        raise ServiceError("bad_date", field="von")
    if end is None:
        raise ServiceError("bad_date", field="bis")
    if end < start:
        raise ServiceError("period_order", field="bis")
    if end > berlin_day(now):
        raise ServiceError("period_future", field="bis")
    period = Period(start, end)
    if period.days > MAX_DAYS:
        raise ServiceError("statistics_period_too_long", field="von", days=MAX_DAYS)
    return period


@dataclass
class Figures:
    profiles: int = 0
    recommended: int = 0
    opened: int = 0
    applied: int = 0
    accepted: int = 0
    attended: int = 0
    no_show: int = 0
    places: int = 0
    filled: int = 0
    hour_entries: int = 0
    minutes: int = 0
    active: int | None = None  # only where distinct people are counted (city, districts)
    returning: int | None = None
    waits: list[float] = field(default_factory=list)  # hours, one per need

    @property
    def fill_rate(self) -> float | None:
        return self.filled / self.places if self.places else None

    @property
    def no_show_rate(self) -> float | None:
        seen = self.attended + self.no_show
        return self.no_show / seen if seen else None

    @property
    def hours(self) -> float:
        return self.minutes / 60

    @property
    def median_wait_hours(self) -> float | None:
        return statistics.median(self.waits) if self.waits else None

    def add(self, other: "Figures") -> None:
        for f in fields(self):
            if f.name in ("active", "returning"):
                continue
            mine = getattr(self, f.name)
            setattr(self, f.name, mine + getattr(other, f.name))


@dataclass
class Labelled:
    key: int | str
    label_de: str
    label_en: str
    figures: Figures


@dataclass
class Summary:
    """The city's figures of a period: all the page shows of the previous period."""

    period: Period
    city: Figures


@dataclass
class Report(Summary):
    boroughs: list[Labelled]
    districts: list[Labelled]
    skills: list[Labelled]
    causes: list[Labelled]
    slots: dict[str, Figures]
    weeks: list[tuple[date, Figures]]  # Monday of each week touched by the period
    district_borough: dict[int, int]


def _figures(values: IntArray) -> Figures:
    """Figures of one row of counts in the order of ``match_columns.ALL_MEASURES``."""
    counts: dict[str, Any] = dict(zip(ALL_MEASURES, values.tolist(), strict=True))
    return Figures(**counts)


def _active_city(columns: Columns, period: Period) -> tuple[int, int, Bitmap]:
    """(active, returning, who was active in the previous period) of the whole city."""
    before = period.previous()
    everyone_before = columns.bitmap(columns.active(before.start, before.end)[1])
    everyone = columns.bitmap(columns.active(period.start, period.end)[1])
    return int(everyone.sum()), int((everyone & everyone_before).sum()), everyone_before


def summary(session: Session, period: Period) -> Summary:
    """The city's figures of one period, without any table."""
    columns = match_columns.current(session)
    city = _figures(columns.city(period.start, period.end))
    lo, hi = columns.wait_rows(period.start, period.end)
    city.waits = columns.wait_hours[lo:hi].tolist()
    city.active, city.returning, _before = _active_city(columns, period)
    return Summary(period, city)


def report(session: Session, period: Period) -> Report:
    """Every figure of one period, from the aggregates kept in memory (``match_columns``)."""
    columns = match_columns.current(session)
    sums = columns.sums(period.start, period.end)
    lo, hi = columns.wait_rows(period.start, period.end)
    hours = columns.wait_hours[lo:hi]
    # A (cut, key) has a row in the tables when it counted anything or waited for anyone.
    waits_of: dict[int, list[float]] = defaultdict(list)
    linked = (columns.link_wait >= lo) & (columns.link_wait < hi)
    for cell, wait in zip(
        columns.link_cell[linked].tolist(),
        columns.wait_hours[columns.link_wait[linked]].tolist(),
        strict=True,
    ):
        waits_of[cell].append(wait)
    counted: Bitmap = np.asarray(sums.any(axis=1))
    cells: dict[tuple[str, int], Figures] = {}
    for name, at in columns.cells.items():
        if counted[at] or at in waits_of:
            cells[name] = _figures(sums[at])
            cells[name].waits = waits_of.get(at, [])
    boroughs = {b.number: b for b in session.exec(select(Borough)).all()}
    districts = session.exec(select(District).order_by(col(District.number))).all()
    district_borough = {d.number: d.borough_number for d in districts}

    city = _figures(columns.city(period.start, period.end))
    by_district = {d.number: cells.get(("district", d.number), Figures()) for d in districts}
    for figures in by_district.values():
        figures.waits = []  # filled below, in the districts' own order of needs
    by_borough: dict[int, Figures] = {n: Figures() for n in sorted(boroughs)}
    for number, figures in by_district.items():
        by_borough[district_borough[number]].add(figures)

    city.waits = hours.tolist()
    for district, w in zip(columns.wait_district[lo:hi].tolist(), city.waits, strict=True):
        if district in by_district:
            by_district[district].waits.append(w)
            by_borough[district_borough[district]].waits.append(w)

    city.active, city.returning, everyone_before = _active_city(columns, period)
    rows, people = columns.active(period.start, period.end)
    places = len(columns.active_districts)
    active = np.zeros((places, columns.top_user), dtype=np.bool_)
    active[rows, people] = True
    row_of = {number: i for i, number in enumerate(columns.active_districts)}
    borough_rows: dict[int, list[int]] = defaultdict(list)
    for number, figures in by_district.items():
        row = row_of.get(number)
        mine = active[row] if row is not None else np.zeros(columns.top_user, dtype=np.bool_)
        figures.active = int(mine.sum())
        figures.returning = int((mine & everyone_before).sum())
        if row is not None:
            borough_rows[district_borough[number]].append(row)
    for number, figures in by_borough.items():
        mine = active[borough_rows.get(number, [])].any(axis=0)
        figures.active = int(mine.sum())
        figures.returning = int((mine & everyone_before).sum())

    mondays = [
        monday(period.start) + timedelta(days=7 * i)
        for i in range((period.end - monday(period.start)).days // 7 + 1)
    ]
    weekly = columns.city_by_week(period.start, period.end, mondays)
    skills = {s.id: s for s in session.exec(select(Skill)).all()}
    causes = {c.id: c for c in session.exec(select(Cause)).all()}

    def labelled(
        kind: str, table: dict[int | None, Skill] | dict[int | None, Cause]
    ) -> list[Labelled]:
        out = [
            Labelled(key, row.label_de, row.label_en, cells[(kind, key)])
            for key, row in table.items()
            if key is not None and (kind, key) in cells
        ]
        return sorted(out, key=lambda r: (-r.figures.applied, r.label_de))

    return Report(
        period=period,
        city=city,
        boroughs=[
            Labelled(n, boroughs[n].name, boroughs[n].name, f) for n, f in by_borough.items()
        ],
        districts=[Labelled(d.number, d.name, d.name, by_district[d.number]) for d in districts],
        skills=labelled("skill", skills),
        causes=labelled("cause", causes),
        slots={slot: cells.get(("slot", i), Figures()) for i, slot in enumerate(SLOTS)},
        weeks=[(m, _figures(row)) for m, row in zip(mondays, weekly, strict=True)],
        district_borough=district_borough,
    )


def compare(session: Session, period: Period) -> tuple[Report, Summary]:
    """The period, and the city's figures of the previous one of the same length."""
    return report(session, period), summary(session, period.previous())
