"""Match statistics of a period: how recommendations turn into applications, places, attendance
and confirmed hours — for the city, per Stadtbezirk, statistical district, skill, cause,
weekday × time slot and week, each against the previous period of the same length.

Read from the daily aggregates only (``match_aggregates`` keeps them), so any period costs a
handful of small queries. The rules of each figure live here:

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
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from matching.model import SLOTS
from volunteer.models import (
    ActiveDay,
    Borough,
    Cause,
    District,
    FunnelDay,
    FunnelWeek,
    MatchDay,
    MatchWeek,
    Opportunity,
    OpportunityCause,
    OpportunitySkill,
    Skill,
)
from volunteer.models.statistics import CUTS
from volunteer.services.coordination.match_aggregates import (
    MEASURES,
    berlin_day,
    day_start,
    monday,
    unpack,
)
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
class Report:
    period: Period
    city: Figures
    boroughs: list[Labelled]
    districts: list[Labelled]
    skills: list[Labelled]
    causes: list[Labelled]
    slots: dict[str, Figures]
    weeks: list[tuple[date, Figures]]  # Monday of each week touched by the period
    district_borough: dict[int, int]


def _figures(values: Sequence[Any]) -> Figures:
    counts = dict(zip(MEASURES, (int(v or 0) for v in values), strict=True))
    return Figures(
        profiles=counts["profiles"],
        applied=counts["applied"],
        accepted=counts["accepted"],
        attended=counts["attended"],
        no_show=counts["no_show"],
        places=counts["places"],
        filled=counts["filled"],
        hour_entries=counts["hour_entries"],
        minutes=counts["minutes"],
    )


def _split(period: Period) -> tuple[tuple[date, date] | None, list[tuple[date, date]]]:
    """The period's whole weeks (first and last Monday) and the days outside them."""
    first = monday(period.start + timedelta(days=6))  # the first Monday on or after the start
    last = monday(period.end + timedelta(days=1)) - timedelta(days=7)  # its Sunday <= the end
    if first > last:
        return None, [(period.start, period.end)]
    edges = [(period.start, first - timedelta(days=1)), (last + timedelta(days=7), period.end)]
    return (first, last), [(lo, hi) for lo, hi in edges if lo <= hi]


def _sums(
    session: Session, period: Period
) -> tuple[dict[tuple[str, int], Figures], dict[date, Figures]]:
    """Per (cut, key) over the period, and per week (its Monday) over the district cut (the
    whole city). Whole weeks are read from the week tables, the days at the edges from the day
    tables; every query names the cuts, so it reads a covering index (cut, day, ...) alone."""
    cells: dict[tuple[str, int], Figures] = defaultdict(Figures)
    weeks: dict[date, Figures] = defaultdict(Figures)
    whole, edges = _split(period)
    parts: list[tuple[Any, Any]] = []  # (table, the condition on its day or week)
    if whole is not None:
        parts.append((MatchWeek, col(MatchWeek.week).between(*whole)))
    # One query per edge (an OR of two ranges makes SQLite scan the whole index).
    parts += [(MatchDay, col(MatchDay.day).between(lo, hi)) for lo, hi in edges]
    for table, when in parts:
        measures = [func.sum(getattr(table, m)) for m in MEASURES]
        cut_col, key_col = col(table.cut), col(table.key)
        for cut, key, *values in (
            session.connection()
            .execute(
                sa_select(cut_col, key_col, *measures)
                .where(cut_col.in_(CUTS), when)
                .group_by(cut_col, key_col)
            )
            .all()
        ):
            cells[(cut, key)].add(_figures(values))
        time_col = col(table.week if table is MatchWeek else table.day)
        for moment, *values in (
            session.connection()
            .execute(
                sa_select(time_col, *measures).where(cut_col == "district", when).group_by(time_col)
            )
            .all()
        ):
            weeks[monday(moment)].add(_figures(values))
    funnel: list[tuple[Any, Any]] = []
    if whole is not None:
        funnel.append((FunnelWeek, col(FunnelWeek.week).between(*whole)))
    funnel += [(FunnelDay, col(FunnelDay.day).between(lo, hi)) for lo, hi in edges]
    for table, when in funnel:
        cut_col, key_col = col(table.cut), col(table.key)
        counts = (func.sum(table.recommended), func.sum(table.opened))
        for cut, key, recommended, opened in (
            session.connection()
            .execute(
                sa_select(cut_col, key_col, *counts)
                .where(cut_col.in_(CUTS), when)
                .group_by(cut_col, key_col)
            )
            .all()
        ):
            cells[(cut, key)].recommended += int(recommended or 0)
            cells[(cut, key)].opened += int(opened or 0)
        time_col = col(table.week if table is FunnelWeek else table.day)
        for moment, recommended, opened in (
            session.connection()
            .execute(
                sa_select(time_col, *counts).where(cut_col == "district", when).group_by(time_col)
            )
            .all()
        ):
            weeks[monday(moment)].recommended += int(recommended or 0)
            weeks[monday(moment)].opened += int(opened or 0)
    return cells, weeks


def _waited(period: Period) -> tuple[Any, ...]:
    """The needs whose first acceptance falls in the period (and that were published)."""
    return (
        col(Opportunity.first_accepted_at) >= day_start(period.start),
        col(Opportunity.first_accepted_at) < day_start(period.end + timedelta(days=1)),
        col(Opportunity.published_at).is_not(None),
    )


def _waits(session: Session, period: Period) -> list[tuple[int, int, float]]:
    """(need id, district, hours from publishing to the first acceptance) for the period."""
    rows = session.connection().execute(
        sa_select(
            col(Opportunity.id),
            col(Opportunity.district_number),
            col(Opportunity.published_at),
            col(Opportunity.first_accepted_at),
        ).where(*_waited(period))
    )
    return [
        (int(i or 0), int(d or 0), max(0.0, (first - published).total_seconds() / 3600))
        for i, d, published, first in rows
        if published is not None and first is not None
    ]


Mask = np.ndarray[Any, np.dtype[np.bool_]]


def _active(session: Session, period: Period) -> tuple[dict[int, Mask], Mask]:
    """Who was active per district in the period, and who anywhere in the one before it.

    Sets of people are bitmaps over user ids: the union of a period's daily lists is one
    assignment and "returning" one ``&``, instead of sorting a million ids per period.
    """
    before = period.previous()
    now_parts: dict[int, list[bytes]] = defaultdict(list)
    before_parts: list[bytes] = []
    for day, district, blob in (
        session.connection()
        .execute(
            sa_select(
                col(ActiveDay.day), col(ActiveDay.district_number), col(ActiveDay.user_ids)
            ).where(col(ActiveDay.day) >= before.start, col(ActiveDay.day) <= period.end)
        )
        .all()
    ):
        (now_parts[district] if day >= period.start else before_parts).append(blob)
    now_ids = {k: unpack(b"".join(v)) for k, v in now_parts.items()}
    before_ids = unpack(b"".join(before_parts))
    top = 1 + max((int(a.max()) for a in [*now_ids.values(), before_ids] if a.size), default=-1)

    def mask(ids: "np.ndarray[Any, np.dtype[np.uint32]]") -> Mask:
        out = np.zeros(top, dtype=np.bool_)
        out[ids] = True
        return out

    return {k: mask(v) for k, v in now_ids.items()}, mask(before_ids)


def report(session: Session, period: Period, *, detail: bool = True) -> Report:
    """Every figure of one period; without ``detail`` no skill and cause tables (the previous
    period is compared for the city, its boroughs and districts only)."""
    cells, sums_of_weeks = _sums(session, period)
    boroughs = {b.number: b for b in session.exec(select(Borough)).all()}
    districts = session.exec(select(District).order_by(col(District.number))).all()
    district_borough = {d.number: d.borough_number for d in districts}

    city = Figures()
    for (cut, _key), figures in cells.items():
        if cut == "district":
            city.add(figures)
    by_district = {d.number: cells.get(("district", d.number), Figures()) for d in districts}
    by_borough: dict[int, Figures] = {n: Figures() for n in sorted(boroughs)}
    for number, figures in by_district.items():
        by_borough[district_borough[number]].add(figures)

    waits = _waits(session, period)
    city.waits = [w for _, _, w in waits]
    for _, district, w in waits:
        if district in by_district:
            by_district[district].waits.append(w)
            by_borough[district_borough[district]].waits.append(w)
    wait_of = {i: w for i, _, w in waits}
    skills = {s.id: s for s in session.exec(select(Skill)).all()}
    causes = {c.id: c for c in session.exec(select(Cause)).all()}
    if wait_of and detail:
        # Joined with the same condition, not "IN (ids)": thousands of bound ids cost more to
        # compile than the query takes.
        for link, owner, cut in (
            (OpportunitySkill.skill_id, OpportunitySkill.opportunity_id, "skill"),
            (OpportunityCause.cause_id, OpportunityCause.opportunity_id, "cause"),
        ):
            for opp, key in session.connection().execute(
                sa_select(col(owner), col(link))
                .join(Opportunity, col(Opportunity.id) == owner)
                .where(*_waited(period))
            ):
                cells[(cut, key)].waits.append(wait_of[opp])

    now_ids, everyone_before = _active(session, period)
    nobody = np.zeros(everyone_before.size, dtype=np.bool_)
    everyone = nobody.copy()
    for mine in now_ids.values():
        everyone |= mine
    city.active = int(everyone.sum())
    city.returning = int((everyone & everyone_before).sum())
    borough_ids: dict[int, Mask] = {}
    for number, figures in by_district.items():
        mine = now_ids.get(number, nobody)
        figures.active = int(mine.sum())
        figures.returning = int((mine & everyone_before).sum())
        borough = district_borough[number]
        borough_ids[borough] = borough_ids.get(borough, nobody) | mine
    for number, figures in by_borough.items():
        mine = borough_ids.get(number, nobody)
        figures.active = int(mine.sum())
        figures.returning = int((mine & everyone_before).sum())

    weeks = {
        week: sums_of_weeks.get(week, Figures())
        for week in (
            monday(period.start) + timedelta(days=7 * i)
            for i in range((period.end - monday(period.start)).days // 7 + 1)
        )
    }

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
        skills=labelled("skill", skills) if detail else [],
        causes=labelled("cause", causes) if detail else [],
        slots={slot: cells.get(("slot", i), Figures()) for i, slot in enumerate(SLOTS)},
        weeks=sorted(weeks.items()),
        district_borough=district_borough,
    )


def compare(session: Session, period: Period) -> tuple[Report, Report]:
    """The period and the previous one of the same length (without skill and cause tables)."""
    return report(session, period), report(session, period.previous(), detail=False)
