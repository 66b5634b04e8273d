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
    MatchDay,
    Opportunity,
    OpportunityCause,
    OpportunitySkill,
    Skill,
)
from volunteer.services.coordination.match_aggregates import (
    MEASURES,
    berlin_day,
    day_start,
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


def _sums(
    session: Session, period: Period
) -> tuple[dict[tuple[str, int], Figures], dict[date, Figures]]:
    """Per (cut, key) over the period, and per day over the district cut (the whole city)."""
    cells: dict[tuple[str, int], Figures] = defaultdict(Figures)
    days: dict[date, Figures] = defaultdict(Figures)
    in_period = (col(MatchDay.day) >= period.start, col(MatchDay.day) <= period.end)
    measures = [func.sum(getattr(MatchDay, m)) for m in MEASURES]
    for cut, key, *values in session.execute(
        sa_select(col(MatchDay.cut), col(MatchDay.key), *measures)
        .where(*in_period)
        .group_by(col(MatchDay.cut), col(MatchDay.key))
    ).all():
        cells[(cut, key)] = _figures(values)
    for day, *values in session.execute(
        sa_select(col(MatchDay.day), *measures)
        .where(*in_period, col(MatchDay.cut) == "district")
        .group_by(col(MatchDay.day))
    ).all():
        days[day] = _figures(values)
    funnel_period = (col(FunnelDay.day) >= period.start, col(FunnelDay.day) <= period.end)
    for cut, key, recommended, opened in session.exec(
        select(
            FunnelDay.cut,
            FunnelDay.key,
            func.sum(FunnelDay.recommended),
            func.sum(FunnelDay.opened),
        )
        .where(*funnel_period)
        .group_by(col(FunnelDay.cut), col(FunnelDay.key))
    ).all():
        cells[(cut, key)].recommended = int(recommended or 0)
        cells[(cut, key)].opened = int(opened or 0)
    for day, recommended, opened in session.exec(
        select(col(FunnelDay.day), func.sum(FunnelDay.recommended), func.sum(FunnelDay.opened))
        .where(*funnel_period, FunnelDay.cut == "district")
        .group_by(col(FunnelDay.day))
    ).all():
        days[day].recommended = int(recommended or 0)
        days[day].opened = int(opened or 0)
    return cells, days


def _waits(session: Session, period: Period) -> list[tuple[int, int, float]]:
    """(need id, district, hours from publishing to the first acceptance) for the period."""
    rows = session.exec(
        select(
            Opportunity.id,
            Opportunity.district_number,
            Opportunity.published_at,
            Opportunity.first_accepted_at,
        ).where(
            col(Opportunity.first_accepted_at) >= day_start(period.start),
            col(Opportunity.first_accepted_at) < day_start(period.end + timedelta(days=1)),
            col(Opportunity.published_at).is_not(None),
        )
    ).all()
    return [
        (int(i or 0), int(d or 0), max(0.0, (first - published).total_seconds() / 3600))
        for i, d, published, first in rows
        if published is not None and first is not None
    ]


def _active(
    session: Session, period: Period
) -> tuple[dict[int, np.ndarray], dict[int, np.ndarray]]:
    """Distinct active people per district in the period and in the one before it."""
    before = period.previous()
    now_ids: dict[int, list[np.ndarray]] = defaultdict(list)
    before_ids: dict[int, list[np.ndarray]] = defaultdict(list)
    for day, district, blob in session.exec(
        select(col(ActiveDay.day), col(ActiveDay.district_number), col(ActiveDay.user_ids)).where(
            col(ActiveDay.day) >= before.start, col(ActiveDay.day) <= period.end
        )
    ).all():
        (now_ids if day >= period.start else before_ids)[district].append(unpack(blob))

    def union(parts: dict[int, list[np.ndarray]]) -> dict[int, np.ndarray]:
        return {k: np.unique(np.concatenate(v)) for k, v in parts.items()}

    return union(now_ids), union(before_ids)


def report(session: Session, period: Period) -> Report:
    """Every figure of one period."""
    cells, days = _sums(session, period)
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
    if wait_of:
        ids = list(wait_of)
        for opp, skill in session.exec(
            select(OpportunitySkill.opportunity_id, OpportunitySkill.skill_id).where(
                col(OpportunitySkill.opportunity_id).in_(ids)
            )
        ).all():
            cells[("skill", skill)].waits.append(wait_of[opp])
        for opp, cause in session.exec(
            select(OpportunityCause.opportunity_id, OpportunityCause.cause_id).where(
                col(OpportunityCause.opportunity_id).in_(ids)
            )
        ).all():
            cells[("cause", cause)].waits.append(wait_of[opp])

    now_ids, before_ids = _active(session, period)
    everyone_before = (
        np.unique(np.concatenate(list(before_ids.values())))
        if before_ids
        else np.array([], dtype="<u4")
    )
    everyone = (
        np.unique(np.concatenate(list(now_ids.values()))) if now_ids else np.array([], dtype="<u4")
    )
    city.active = int(everyone.size)
    city.returning = int(np.intersect1d(everyone, everyone_before, assume_unique=True).size)
    borough_ids: dict[int, list[np.ndarray]] = defaultdict(list)
    for number, figures in by_district.items():
        mine = now_ids.get(number, np.array([], dtype="<u4"))
        figures.active = int(mine.size)
        figures.returning = int(np.intersect1d(mine, everyone_before, assume_unique=True).size)
        borough_ids[district_borough[number]].append(mine)
    for number, figures in by_borough.items():
        parts = borough_ids.get(number)
        mine = np.unique(np.concatenate(parts)) if parts else np.array([], dtype="<u4")
        figures.active = int(mine.size)
        figures.returning = int(np.intersect1d(mine, everyone_before, assume_unique=True).size)

    weeks: dict[date, Figures] = {}
    monday = period.start - timedelta(days=period.start.weekday())
    while monday <= period.end:
        weeks[monday] = Figures()
        monday += timedelta(days=7)
    for day, figures in days.items():
        weeks[day - timedelta(days=day.weekday())].add(figures)

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
        weeks=sorted(weeks.items()),
        district_borough=district_borough,
    )


def compare(session: Session, period: Period) -> tuple[Report, Report]:
    """The period and the previous one of the same length."""
    return report(session, period), report(session, period.previous())
