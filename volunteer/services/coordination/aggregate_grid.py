"""Counting the match statistics' facts into day × cell × measure with numpy.

``match_aggregates.refresh`` reads the rows (sign-ups, shifts, hour entries, profiles) as int64
columns and hands them to a :class:`Grid`, which puts each fact under its need's district,
skills and causes and its shift's slot, and turns the sums into aggregate rows. Kept apart from
the refresh so the refresh reads as the list of facts it counts, and this as how they are counted.

Every day is a calendar day in Europe/Berlin, and so is every slot (weekday × part of day).
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeAlias

import numpy as np
from sqlalchemy import BigInteger, Integer, cast, extract, func
from sqlmodel import Session, col, select

from matching.model import SLOTS
from volunteer.models import Opportunity, OpportunityCause, OpportunitySkill
from volunteer.models.statistics import MATCH_MEASURES
from volunteer.platform.clock import BERLIN
from volunteer.services.discovery.engine_values import DAYS, part_of_day

_M = {name: i for i, name in enumerate(MATCH_MEASURES)}
SLOT_KEY = {name: i for i, name in enumerate(SLOTS)}

Cell = tuple[date, str, int]


class Needs:
    """District, skills and causes of needs, read once per refresh or count."""

    def __init__(self, session: Session, ids: Iterable[int] | None = None) -> None:
        wanted = None if ids is None else sorted(set(ids))
        district = select(Opportunity.id, Opportunity.district_number)
        skills = select(OpportunitySkill.opportunity_id, OpportunitySkill.skill_id)
        causes = select(OpportunityCause.opportunity_id, OpportunityCause.cause_id)
        if wanted is not None:
            district = district.where(col(Opportunity.id).in_(wanted))
            skills = skills.where(col(OpportunitySkill.opportunity_id).in_(wanted))
            causes = causes.where(col(OpportunityCause.opportunity_id).in_(wanted))
        self.district = {int(i or 0): int(d or 0) for i, d in session.exec(district).all()}
        self.skills: dict[int, list[int]] = defaultdict(list)
        for opp, skill in session.exec(skills).all():
            self.skills[opp].append(skill)
        self.causes: dict[int, list[int]] = defaultdict(list)
        for opp, cause in session.exec(causes).all():
            self.causes[opp].append(cause)

    def cells(self, day: date, opp: int, slot: str | None) -> list[Cell]:
        out = [(day, "district", self.district.get(opp, 0))]
        if slot is not None:
            out.append((day, "slot", SLOT_KEY[slot]))
        out += [(day, "skill", s) for s in self.skills.get(opp, ())]
        out += [(day, "cause", c) for c in self.causes.get(opp, ())]
        return out


IntArray: TypeAlias = "np.ndarray[Any, np.dtype[np.int64]]"


def epoch_seconds(session: Session, column: Any) -> Any:
    """Seconds since 1970 (UTC) of a timestamp column, in SQL: numpy counts them by the day."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.floor(extract("epoch", column)), BigInteger)
    return cast(func.strftime("%s", column), Integer)


def read_columns(
    session: Session, query: Any, width: int, *, dates: tuple[int, ...] = ()
) -> list[Any]:
    """The result of ``query`` as ``width`` int64 columns (dates as days since 1970)."""
    rows = session.connection().execute(query).all()  # Core: no ORM work per row
    if not rows:
        return [np.zeros(0, dtype=np.int64) for _ in range(width)]
    out = []
    for i, column in enumerate(zip(*rows, strict=True)):
        if i in dates:
            column = tuple(d.toordinal() - _EPOCH_ORDINAL for d in column)
        out.append(np.array(column, dtype=np.int64))
    return out


_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
#: Slot key of (Berlin weekday, Berlin hour), the same rule as ``engine_values.slot_of``.
_SLOT_OF = np.array(
    [[SLOT_KEY[f"{DAYS[d]}-{part_of_day(h)}"] for h in range(24)] for d in range(7)],
    dtype=np.int64,
)


def _berlin_offset(hour: int) -> int:
    """Seconds Berlin is ahead of UTC in the UTC hour ``hour`` (hours since 1970)."""
    offset = datetime.fromtimestamp(hour * 3600, UTC).astimezone(BERLIN).utcoffset()
    assert offset is not None  # a zone always has one
    return int(offset.total_seconds())


class Grid:
    """Counts of one refresh: (day, cell, measure), with the cells (cut, key) numbered as met."""

    def __init__(self, session: Session, start: date, end: date) -> None:
        self.first = start.toordinal() - _EPOCH_ORDINAL
        self.days = (end - start).days + 1
        self.start = start
        self.cell_ids: dict[tuple[str, int], int] = {}
        self.facts_: list[tuple[IntArray, IntArray, int, IntArray]] = []
        self.active: list[tuple[IntArray, IntArray, IntArray]] = []
        needs = Needs(session)
        top = max([0, *needs.district, *needs.skills, *needs.causes]) + 1
        self.need_district = np.zeros(top, dtype=np.int64)
        for opp, number in needs.district.items():
            self.need_district[opp] = number
        # Each need's cells (district, skills, causes) in one flat array with offsets.
        per_need = [
            [self.cell("district", needs.district.get(opp, 0))]
            + [self.cell("skill", s) for s in needs.skills.get(opp, ())]
            + [self.cell("cause", c) for c in needs.causes.get(opp, ())]
            for opp in range(top)
        ]
        self.count = np.array([len(c) for c in per_need], dtype=np.int64)
        self.offset = np.concatenate(([0], np.cumsum(self.count)[:-1])).astype(np.int64)
        self.flat = np.array([c for cells in per_need for c in cells], dtype=np.int64)
        self.slot_cell = np.array([self.cell("slot", i) for i in range(len(SLOTS))])

    def cell(self, cut: str, key: int) -> int:
        return self.cell_ids.setdefault((cut, int(key)), len(self.cell_ids))

    def cells_of(self, cut: str, keys: IntArray) -> IntArray:
        return np.array([self.cell(cut, k) for k in keys.tolist()], dtype=np.int64)

    def district_of(self, opps: IntArray) -> IntArray:
        return self.need_district[opps]

    def local(self, epochs: IntArray) -> tuple[IntArray, IntArray]:
        """(day index in the range, slot key) of UTC instants, in Europe/Berlin.

        Berlin's offset changes only on whole UTC hours, so one offset per distinct hour."""
        hours, where = np.unique(epochs // 3600, return_inverse=True)
        offsets = np.array([_berlin_offset(h) for h in hours.tolist()], dtype=np.int64)
        local = epochs + offsets[where.reshape(-1)]
        days = local // 86400
        weekday = (days + 3) % 7  # 1970-01-01 was a Thursday
        return days - self.first, _SLOT_OF[weekday, (local % 86400) // 3600]

    def facts(self, day: IntArray, cells: IntArray, measure: str, weight: IntArray) -> None:
        self.facts_.append((day, cells, _M[measure], weight))

    def need_facts(
        self, day: IntArray, opps: IntArray, slot: IntArray, measure: str, weight: IntArray
    ) -> None:
        """A fact of needs: under each need's district, skills and causes, and its shift's slot."""
        n = self.count[opps]
        at = np.repeat(self.offset[opps] - np.cumsum(n) + n, n) + np.arange(int(n.sum()))
        self.facts(np.repeat(day, n), self.flat[at], measure, np.repeat(weight, n))
        self.facts(day, self.slot_cell[slot], measure, weight)

    def district_facts(
        self, day: IntArray, district: IntArray, measure: str, weight: IntArray
    ) -> None:
        self.facts(day, self.cells_of("district", district), measure, weight)

    def was_active(self, day: IntArray, district: IntArray, user: IntArray) -> None:
        self.active.append((day, district, user))

    def rows(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        cells, measures = len(self.cell_ids), len(MATCH_MEASURES)
        size = self.days * cells * measures
        counts = np.zeros(size, dtype=np.int64)
        for day, cell, measure, weight in self.facts_:
            inside = (day >= 0) & (day < self.days)
            flat = (day[inside] * cells + cell[inside]) * measures + measure
            counts += np.bincount(flat, weights=weight[inside], minlength=size).astype(np.int64)
        grid = counts.reshape(self.days, cells, measures)
        keys = list(self.cell_ids)
        match_rows = [
            {
                "day": self.start + timedelta(days=int(d)),
                "cut": keys[c][0],
                "key": keys[c][1],
                **dict(zip(MATCH_MEASURES, grid[d, c].tolist(), strict=True)),
            }
            for d, c in zip(*np.nonzero(grid.any(axis=2)), strict=True)
        ]
        active_rows: list[dict[str, Any]] = []
        if not sum(a[0].size for a in self.active):
            return match_rows, active_rows
        day = np.concatenate([a[0] for a in self.active])
        district = np.concatenate([a[1] for a in self.active])
        user = np.concatenate([a[2] for a in self.active])
        inside = (day >= 0) & (day < self.days)
        # One sortable number per (day, district, person): duplicates fall together.
        districts, district_at = np.unique(district[inside], return_inverse=True)
        group = day[inside] * districts.size + district_at.reshape(-1)
        both = np.unique((group << 32) | user[inside])
        if not both.size:
            return match_rows, active_rows
        groups, first = np.unique(both >> 32, return_index=True)
        people = (both & 0xFFFFFFFF).astype("<u4")
        for g, lo, hi in zip(
            groups.tolist(), first.tolist(), [*first[1:].tolist(), both.size], strict=True
        ):
            active_rows.append(
                {
                    "day": self.start + timedelta(days=g // districts.size),
                    "district_number": int(districts[g % districts.size]),
                    "user_ids": people[lo:hi].tobytes(),
                }
            )
        return match_rows, active_rows
