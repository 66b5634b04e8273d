"""Recognition: progress towards the Ehrenamtskarte NRW and milestones, with the rules as data.

The thresholds change (since 2026-02-01 on average 4 h a week or 200 h a year, before 5 h / 250 h)
and each municipality sets its own prior period and minimum age, so they live in
``volunteer/data/recognition.json``, not in code. The volunteer pages show :func:`progress`; the
notices package calls :func:`milestones_reached` to write recognition notices (each milestone has
a stable ``code`` and the date it was reached, good for a dedupe key).

Only *confirmed* hours count, summed over every organisation that confirmed them.
"""

import json
import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from importlib.resources import files
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from volunteer.models import (
    AgeGroup,
    HourEntry,
    HourState,
    Organisation,
    Shift,
    Signup,
    SignupState,
    User,
    VolunteerProfile,
)
from volunteer.platform.clock import BERLIN

AGE_ORDER = (AgeGroup.UNDER_16, AgeGroup.MINOR, AgeGroup.ADULT)
WEEKS_PER_YEAR = 365.25 / 7


@dataclass(frozen=True)
class CardRule:
    valid_from: date
    hours_per_week: float
    hours_per_year: float


@dataclass(frozen=True)
class Municipality:
    slug: str
    name: str
    prior_years: int
    minimum_age_group: str


# What a milestone in recognition.json can count; each kind has its rule in milestones_reached
# and its wording in web/wording/milestones.py. A file naming another kind is refused on load.
MILESTONE_KINDS = frozenset({"first_engagement", "hours", "engaged_days", "ehrenamtskarte"})


class UnknownMilestone(ValueError):
    """A milestone code or kind that recognition.json does not declare."""


@dataclass(frozen=True)
class Rules:
    card_rules: tuple[CardRule, ...]  # newest first
    municipality: Municipality
    milestones: tuple[dict[str, Any], ...]

    def milestone(self, code: str) -> dict[str, Any]:
        """The declared milestone with this code (its ``kind`` and figures); raises if unknown."""
        for m in self.milestones:
            if m["code"] == code:
                return m
        raise UnknownMilestone(code)

    def card_rule_on(self, day: date) -> CardRule:
        for rule in self.card_rules:
            if rule.valid_from <= day:
                return rule
        return self.card_rules[-1]


def parse_rules(data: dict[str, Any], municipality: str | None = None) -> Rules:
    card = data["ehrenamtskarte_nrw"]
    rules = sorted(
        (
            CardRule(
                valid_from=date.fromisoformat(r["valid_from"]),
                hours_per_week=float(r["hours_per_week"]),
                hours_per_year=float(r["hours_per_year"]),
            )
            for r in card["rules"]
        ),
        key=lambda r: r.valid_from,
        reverse=True,
    )
    slug = municipality or card["municipality"]
    m = card["municipalities"][slug]
    return Rules(
        card_rules=tuple(rules),
        municipality=Municipality(
            slug=slug,
            name=m["name"],
            prior_years=int(m["prior_years"]),
            minimum_age_group=m["minimum_age_group"],
        ),
        milestones=tuple(_checked_milestone(m) for m in data["milestones"]),
    )


def _checked_milestone(m: dict[str, Any]) -> dict[str, Any]:
    if m.get("kind") not in MILESTONE_KINDS:
        raise UnknownMilestone(f"{m.get('code')}: kind {m.get('kind')!r}")
    return m


@cache
def default_rules() -> Rules:
    text = files("volunteer.data").joinpath("recognition.json").read_text("utf-8")
    return parse_rules(json.loads(text))


@dataclass(frozen=True)
class YearProgress:
    """One 12-month window of the prior period, counting back from today."""

    start: date
    end: date  # exclusive
    hours: float
    target: float

    @property
    def met(self) -> bool:
        return self.hours >= self.target


@dataclass(frozen=True)
class Progress:
    rule: CardRule
    municipality: Municipality
    period_start: date
    period_end: date  # exclusive (tomorrow)
    years: list[YearProgress]
    total_hours: float
    average_per_week: float
    by_organisation: list[tuple[str, float]]
    age_ok: bool
    hours_needed: float  # more confirmed hours needed on the easier of the two paths
    fraction: float  # 0..1 for the progress bar
    eligible: bool
    by_year: dict[int, dict[str, float]] = field(default_factory=dict)  # calendar year → org → h
    # Every confirmed entry (day, hours, organisation) it was counted from: the milestones are
    # counted from the same entries, not read again.
    confirmed: tuple[tuple[date, float, str], ...] = ()


def _years_ago(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _confirmed(session: Session, user: User) -> list[tuple[date, float, str]]:
    rows = session.exec(
        select(col(HourEntry.worked_on), col(HourEntry.minutes), col(Organisation.name))
        .join(Organisation, col(Organisation.id) == col(HourEntry.organisation_id))
        .where(HourEntry.user_id == user.id, HourEntry.state == HourState.CONFIRMED)
    ).all()
    return [(d, m / 60.0, name) for d, m, name in rows]


def progress(
    session: Session, user: User, *, now: datetime, rules: Rules | None = None
) -> Progress:
    """Where the person stands for the Ehrenamtskarte on ``now`` (local date in Berlin)."""
    rules = rules or default_rules()
    today = now.astimezone(BERLIN).date()
    rule = rules.card_rule_on(today)
    years_n = rules.municipality.prior_years
    end = today + timedelta(days=1)
    start = _years_ago(end, years_n)
    entries = _confirmed(session, user)
    in_period = [(d, h, org) for d, h, org in entries if start <= d < end]

    windows = []
    for i in range(years_n):
        w_end = _years_ago(end, i)
        w_start = _years_ago(end, i + 1)
        hours = sum(h for d, h, _ in in_period if w_start <= d < w_end)
        windows.append(YearProgress(w_start, w_end, round(hours, 2), rule.hours_per_year))
    windows.reverse()
    total = sum(h for _, h, _ in in_period)
    weeks = (end - start).days / 7
    average = total / weeks if weeks else 0.0
    orgs: dict[str, float] = {}
    for _, h, org in in_period:
        orgs[org] = orgs.get(org, 0.0) + h
    by_year: dict[int, dict[str, float]] = {}
    for d, h, org in entries:
        by_year.setdefault(d.year, {})
        by_year[d.year][org] = round(by_year[d.year].get(org, 0.0) + h, 2)

    profile = session.get(VolunteerProfile, user.id)
    age = profile.age_group if profile else AgeGroup.ADULT
    age_ok = AGE_ORDER.index(AgeGroup(age)) >= AGE_ORDER.index(
        AgeGroup(rules.municipality.minimum_age_group)
    )
    # Path A: the yearly threshold in every year of the prior period.
    need_a = sum(max(0.0, w.target - w.hours) for w in windows)
    # Path B: the weekly average over the whole prior period.
    need_b = max(0.0, rule.hours_per_week * weeks - total)
    needed = min(need_a, need_b)
    frac_a = min(1.0, min((w.hours / w.target for w in windows), default=0.0))
    frac_b = min(1.0, average / rule.hours_per_week) if rule.hours_per_week else 0.0
    met = needed <= 1e-9
    return Progress(
        rule=rule,
        municipality=rules.municipality,
        period_start=start,
        period_end=end,
        years=windows,
        total_hours=round(total, 2),
        average_per_week=round(average, 2),
        by_organisation=sorted(((o, round(h, 2)) for o, h in orgs.items()), key=lambda x: -x[1]),
        age_ok=age_ok,
        hours_needed=math.ceil(needed * 10) / 10,
        fraction=max(frac_a, frac_b),
        eligible=met and age_ok,
        by_year=by_year,
        confirmed=tuple(entries),
    )


@dataclass(frozen=True)
class Milestone:
    code: str  # first_engagement, hours_10 ... hours_500, one_year, ehrenamtskarte
    reached_on: date
    hours: float | None = None


def _first_engagement(session: Session, user: User) -> date | None:
    """The first day the person did something: an attended shift or confirmed hours (one
    statement, both firsts side by side)."""
    attended = (
        select(func.min(Shift.starts_at))
        .join(Signup, col(Signup.shift_id) == col(Shift.id))
        .where(Signup.user_id == user.id, Signup.state == SignupState.ATTENDED)
        .scalar_subquery()
    )
    hours = (
        select(func.min(HourEntry.worked_on))
        .where(HourEntry.user_id == user.id, HourEntry.state == HourState.CONFIRMED)
        .scalar_subquery()
    )
    first_shift, first_hours = session.execute(sa_select(attended, hours)).one()
    days = [
        d
        for d in (first_shift.astimezone(BERLIN).date() if first_shift else None, first_hours)
        if d
    ]
    return min(days) if days else None


def milestones_reached(
    session: Session,
    user: User,
    *,
    now: datetime,
    rules: Rules | None = None,
    standing: Progress | None = None,
) -> list[Milestone]:
    """Every milestone reached by ``now``, oldest first, each with the day it was reached.
    ``standing`` is the person's :func:`progress` on ``now`` when the caller has it already
    (the engagements page shows both), so it is not counted twice."""
    rules = rules or default_rules()
    today = now.astimezone(BERLIN).date()
    entries = sorted(standing.confirmed if standing else _confirmed(session, user))
    first = _first_engagement(session, user)
    out: list[Milestone] = []
    for m in rules.milestones:
        kind = m["kind"]
        if kind == "first_engagement" and first is not None:
            out.append(Milestone(m["code"], first))
        elif kind == "hours":
            running = 0.0
            for d, h, _ in entries:
                running += h
                if running >= float(m["hours"]) - 1e-9:
                    out.append(Milestone(m["code"], d, float(m["hours"])))
                    break
        elif kind == "engaged_days" and first is not None:
            reached = first + timedelta(days=int(m["days"]))
            if reached <= today:
                out.append(Milestone(m["code"], reached))
        elif (
            kind == "ehrenamtskarte"
            and (standing or progress(session, user, now=now, rules=rules)).eligible
        ):
            out.append(Milestone(m["code"], today))
    return sorted(out, key=lambda x: (x.reached_on, x.code))
