"""Gaps from the engine: where upcoming open places outnumber the volunteers who can take them.

For each district × required skill (a need without one counts under "no particular skill"),
the open places of the listed needs' upcoming shifts against the findable volunteers the engine
finds *eligible* for at least one of those needs — radius, weekly times, skills, languages and
age exactly as matching applies them (:meth:`~matching.index.VolunteerIndex.eligible`), never a
second version of those rules here. Ranked by the shortfall (places minus those volunteers).
Each gap also keeps its needs, the same comparison per weekly slot of its shifts, and what would
close it: the engine's near misses (:func:`matching.shortfall.near_misses`) — volunteers who
fail only one rule for one of its needs, by that rule ("lack only this skill", "at most 2 km
too far", "not free at those times").

At city scale this tests every need against every volunteer and takes seconds, so the scheduled
rule ``gaps`` (``notifications/rules/gaps.py``) calls :func:`refresh` and the pages read the
stored :class:`~volunteer.models.GapReport` with its age (:func:`latest`). Only counts are
stored; the pages show counts of people through :mod:`.disclosure`.
"""

import time as clock
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from sqlmodel import Session, col, delete, select

from matching.geo import IntArray
from matching.index import VolunteerIndex
from matching.model import SLOTS
from matching.model import Opportunity as EngineOpportunity
from matching.shortfall import near_misses
from volunteer.models import District, GapReport, Opportunity, Organisation, Skill
from volunteer.services.coordination import disclosure
from volunteer.services.discovery.engine import volunteer_pool
from volunteer.services.discovery.engine_values import (
    listed_opportunities,
    open_shifts,
    opportunities_for,
    slot_of,
)

#: How far beyond a volunteer's own radius still counts as "a little too far".
EXTRA_KM = 2.0
#: The ranked gaps kept with their details (the largest shortfalls; the rest are not gaps to act on
#: first, and keeping them would only grow the stored report).
KEEP = 60
#: The key of needs that require no skill (also its path segment on the drill-down page).
NO_SKILL = "-"
#: Near-miss rules, in the order the pages list them.
RULES = ("skill", "distance", "availability", "language", "age")


def _empty() -> IntArray:
    return np.zeros(0, dtype=np.int64)


@dataclass
class _Group:
    places: int = 0
    needs: list[int] = field(default_factory=list)


def compute(session: Session, *, now: datetime) -> list[dict[str, Any]]:
    """The ranked gaps with their details, as :class:`GapReport` stores them (plain counts)."""
    pool = volunteer_pool(session)
    index = pool.index
    rows = [o for o in listed_opportunities(session) if o.district_number is not None]
    values = opportunities_for(session, rows, now=now)
    # Every volunteer's weekly times, by position: "free at this slot" for the per-slot counts.
    availability = index.columns.availability
    groups: dict[tuple[int, str], _Group] = defaultdict(_Group)
    eligible_of: dict[int, IntArray] = {}
    value_of: dict[int, EngineOpportunity] = {}
    for row, value in zip(rows, values, strict=True):
        if value.capacity < 1:
            continue
        assert row.id is not None and row.district_number is not None
        eligible_of[row.id] = index.eligible(value)
        value_of[row.id] = value
        for skill in sorted(value.required_skills) or [NO_SKILL]:
            group = groups[(row.district_number, skill)]
            group.places += value.capacity
            group.needs.append(row.id)
    ranked = []
    for (district, skill), group in groups.items():
        needs = group.needs
        people = np.unique(np.concatenate([eligible_of[n] for n in needs] or [_empty()]))
        if group.places > people.shape[0]:
            ranked.append((group.places - people.shape[0], district, skill, group.places, people))
    ranked.sort(key=lambda r: (-r[0], r[1], r[2]))
    kept = ranked[:KEEP]
    shift_slots = _places_by_slot(
        session, sorted({n for r in kept for n in groups[(r[1], r[2])].needs}), now=now
    )
    out = []
    for _shortfall, district, skill, places, people in kept:
        needs = groups[(district, skill)].needs
        slot_places: dict[str, int] = defaultdict(int)
        for n in needs:
            for slot, free in shift_slots.get(n, {}).items():
                slot_places[slot] += free
        slots = [
            [slot, slot_places[slot], int((availability[people] >> i & 1).sum())]
            for i, slot in enumerate(SLOTS)
            if slot_places.get(slot)
        ]
        out.append(
            {
                "district": district,
                "skill": skill,
                "places": places,
                "volunteers": int(people.shape[0]),
                "needs": needs,
                "slots": slots,
                "misses": _misses(index, [value_of[n] for n in needs], people),
            }
        )
    return out


def _places_by_slot(
    session: Session, need_ids: list[int], *, now: datetime
) -> dict[int, dict[str, int]]:
    """Open places per need and weekly slot of its upcoming shifts."""
    out: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for s in open_shifts(session, need_ids, now=now):
        if s.free:
            out[s.opportunity_id][slot_of(s.starts_at)] += s.free
    return out


def _misses(
    index: VolunteerIndex, values: list[EngineOpportunity], eligible: IntArray
) -> dict[str, Any]:
    """The gap's near misses by rule: volunteers failing only that rule for one of its needs and
    eligible for none of them (they would already count), each person once per rule."""
    found: dict[str, list[IntArray]] = defaultdict(list)
    by_skill: dict[str, list[IntArray]] = defaultdict(list)
    for value in values:
        misses = near_misses(index, value, extra_km=EXTRA_KM)
        for skill, rows in misses.skill.items():
            by_skill[skill].append(rows)
        for rule in RULES[1:]:
            found[rule].append(getattr(misses, rule))

    def count(parts: list[IntArray]) -> int:
        people = np.unique(np.concatenate(parts or [_empty()]))
        return int(np.setdiff1d(people, eligible, assume_unique=True).shape[0])

    out: dict[str, Any] = {rule: count(found[rule]) for rule in RULES[1:]}
    out["skill"] = {skill: count(parts) for skill, parts in sorted(by_skill.items())}
    return out


def refresh(session: Session, *, now: datetime) -> GapReport:
    """Compute and store the gap map; older reports go (only the latest is ever shown)."""
    started = clock.perf_counter()
    rows = compute(session, now=now)
    session.exec(delete(GapReport))
    report = GapReport(computed_at=now, seconds=round(clock.perf_counter() - started, 2), rows=rows)
    session.add(report)
    session.flush()
    return report


# --- what the pages show ---------------------------------------------------------------------
@dataclass(frozen=True)
class GapRow:
    """One gap as a page shows it; ``volunteers`` and ``shortfall`` may be suppressed."""

    rank: int
    district: int
    district_name: str
    skill: str
    skill_label: tuple[str, str]
    places: int
    needs: int
    volunteers: int | str
    shortfall: int | str


@dataclass(frozen=True)
class GapMap:
    computed_at: datetime | None
    seconds: float
    rows: list[GapRow]


def _labels(session: Session) -> tuple[dict[int, str], dict[str, tuple[str, str]]]:
    districts = dict(session.exec(select(District.number, District.name)).all())
    skills = {s.slug: (s.label_de, s.label_en) for s in session.exec(select(Skill)).all()}
    return districts, skills


def latest(session: Session) -> GapMap:
    """The stored gap map, ranked, with the people counts under the disclosure rule (a hidden
    count hides its shortfall too, which would give it away)."""
    report = session.exec(
        select(GapReport).order_by(col(GapReport.computed_at).desc()).limit(1)
    ).first()
    if report is None:
        return GapMap(None, 0.0, [])
    districts, skills = _labels(session)
    shown = disclosure.protect([int(r["volunteers"]) for r in report.rows])
    hidden = disclosure.SUPPRESSED
    rows = [
        GapRow(
            rank=i + 1,
            district=r["district"],
            district_name=districts.get(r["district"], str(r["district"])),
            skill=r["skill"],
            skill_label=skills.get(r["skill"], (r["skill"], r["skill"])),
            places=r["places"],
            needs=len(r["needs"]),
            volunteers=v,
            shortfall=hidden if v == hidden else r["places"] - r["volunteers"],
        )
        for i, (r, v) in enumerate(zip(report.rows, shown, strict=True))
    ]
    return GapMap(report.computed_at, report.seconds, rows)


@dataclass(frozen=True)
class NeedLine:
    opportunity: Opportunity
    organisation: str


@dataclass(frozen=True)
class GapDetail:
    """One gap's drill-down: its needs, the comparison per slot, and what would close it."""

    row: GapRow
    computed_at: datetime
    needs: list[NeedLine]
    slots: list[tuple[str, int, int | str]]
    misses: list[tuple[str, str, int | str]]  # (rule, skill slug or "", count)
    skill_labels: dict[str, tuple[str, str]]


def detail(session: Session, district: int, skill: str) -> GapDetail | None:
    """The stored gap for this district and skill, or None when it is not (or no longer) one."""
    report = session.exec(
        select(GapReport).order_by(col(GapReport.computed_at).desc()).limit(1)
    ).first()
    if report is None:
        return None
    found = next(
        (i for i, r in enumerate(report.rows) if (r["district"], r["skill"]) == (district, skill)),
        None,
    )
    if found is None:
        return None
    row = latest(session).rows[found]
    stored = report.rows[found]
    needs = session.exec(
        select(Opportunity, Organisation.name)
        .join(Organisation, col(Organisation.id) == Opportunity.organisation_id)
        .where(col(Opportunity.id).in_(stored["needs"]))
        .order_by(col(Opportunity.title), col(Opportunity.id))
    ).all()
    slot_people = disclosure.protect([int(s[2]) for s in stored["slots"]])
    misses = stored["misses"]
    lines: list[tuple[str, str, int]] = [
        ("skill", slug, int(n)) for slug, n in misses["skill"].items() if n
    ]
    lines += [(rule, "", int(misses[rule])) for rule in RULES[1:] if misses[rule]]
    lines.sort(key=lambda m: (-m[2], RULES.index(m[0]), m[1]))
    shown = disclosure.protect([n for *_, n in lines])
    return GapDetail(
        row=row,
        computed_at=report.computed_at,
        needs=[NeedLine(o, org) for o, org in needs],
        slots=[(s[0], int(s[1]), p) for s, p in zip(stored["slots"], slot_people, strict=True)],
        misses=[(r, s, n) for (r, s, _), n in zip(lines, shown, strict=True)],
        skill_labels=_labels(session)[1],
    )
