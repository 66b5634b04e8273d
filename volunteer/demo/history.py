"""Two years of past engagement for the city-scale demo, so the match statistics have a history.

The planned city (``plan.py``) lives in the present: shifts in the coming weeks and a few past
ones. ``write_history`` adds, for every published need of a verified association, past shifts
over ``days`` (weekly for regular needs, every four weeks for others) with sign-ups from people
of the borough — most from a small crew per need, so volunteers come back — in realistic states,
hour entries for attendance, and daily counts of recommendations and opened need pages in
proportion to the sign-ups. At Bochum scale that is about a million sign-ups and hour entries.

Fast: rows are built in plain Python from seeded streams and written with bulk inserts; the
aggregates are then rebuilt once for the whole range. Idempotent: a city that already has a
history is left alone.
"""

import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from volunteer.demo.plan import PAST_WEEKS, CityPlan
from volunteer.demo.signups import PAST_OUTCOMES, by_roll
from volunteer.demo.writer import insert_returning_ids
from volunteer.models import (
    AgeGroup,
    District,
    FunnelDay,
    HourEntry,
    HourState,
    MatchDay,
    Opportunity,
    OpportunityStatus,
    Organisation,
    Shift,
    Signup,
    SignupState,
    VolunteerProfile,
)
from volunteer.platform.db import analyze, insert_rows
from volunteer.services.coordination import match_aggregates
from volunteer.services.organisations.recurrence import duration_minutes

CREW = 8  # regulars per need


def has_history(session: Session, city: CityPlan, *, days: int) -> bool:
    cutoff = city.now - timedelta(days=days // 2)
    return bool(
        session.exec(select(func.count()).select_from(Shift).where(Shift.starts_at < cutoff)).one()
    )


def write_history(session: Session, city: CityPlan, *, days: int) -> tuple[int, int, int]:
    """Add ``days`` of past shifts, sign-ups and hours; returns their counts. Flushes only."""
    if days <= 0 or has_history(session, city, days=days):
        return (0, 0, 0)
    borough_of = dict(session.exec(select(District.number, District.borough_number)).all())
    everyone: dict[int, list[int]] = defaultdict(list)
    adults: dict[int, list[int]] = defaultdict(list)
    completed: dict[int, datetime] = {}
    for user_id, district, age, done in session.exec(
        select(
            VolunteerProfile.user_id,
            VolunteerProfile.district_number,
            VolunteerProfile.age_group,
            VolunteerProfile.completed_at,
        ).where(col(VolunteerProfile.completed_at).is_not(None))
    ).all():
        borough = borough_of.get(district or 0, 0)
        everyone[borough].append(user_id)
        if age == AgeGroup.ADULT:
            adults[borough].append(user_id)
        if done is not None:
            completed[user_id] = done
    needs = session.execute(
        sa_select(
            col(Opportunity.id),
            col(Opportunity.organisation_id),
            col(Opportunity.district_number),
            col(Opportunity.minors_ok),
            col(Opportunity.regular),
        )
        .join(Organisation, col(Organisation.id) == Opportunity.organisation_id)
        .where(
            col(Opportunity.status) == OpportunityStatus.PUBLISHED.value,
            col(Organisation.verified_at).is_not(None),
        )
        .order_by(col(Opportunity.id))
    ).all()
    today = city.now.astimezone(city.tz).date()
    first_day = today - timedelta(days=days)
    last_day = today - timedelta(weeks=PAST_WEEKS + 1)  # the planned city's past begins after
    shift_rows: list[dict[str, Any]] = []
    shift_people: list[list[tuple[int, str, datetime, random.Random]]] = []
    need_updates: list[dict[str, Any]] = []
    earliest: dict[int, datetime] = {}
    for need_id, _org, district, minors_ok, regular in needs:
        assert need_id is not None  # stored rows
        rng = city.rng("history", need_id)
        borough = borough_of.get(district or 0, 0)
        pool = (everyone if minors_ok else adults).get(borough, [])
        if not pool:
            continue
        crew = rng.sample(pool, min(CREW, len(pool)))
        step = 7 if regular else 28
        # Half the needs are posted later in the two years, so every period has needs waiting
        # for their first volunteer (the statistics' median wait).
        late = rng.random() < 0.5
        day = first_day + timedelta(days=rng.randrange(max(step, days - 90) if late else step))
        hour, length = rng.choice([(9, 3), (10, 2), (14, 3), (16, 2), (18, 2)])
        capacity = rng.randint(1, 4)
        opened = datetime.combine(day - timedelta(days=rng.randint(3, 30)), time(9), city.tz)
        need_updates.append({"id": need_id, "created_at": opened, "published_at": opened})
        while day <= last_day:
            starts = datetime.combine(day, time(hour), city.tz).astimezone(city.now.tzinfo)
            shift_rows.append(
                {
                    **city.defaults[Shift],
                    "opportunity_id": need_id,
                    "starts_at": starts,
                    "ends_at": starts + timedelta(hours=length),
                    "capacity": capacity,
                    "created_at": opened,
                    "updated_at": opened,
                }
            )
            wanted = min(len(pool), round(capacity * (0.3 + 0.9 * rng.random())))
            people: set[int] = set()
            while len(people) < wanted:
                people.add(rng.choice(crew) if rng.random() < 0.7 else rng.choice(pool))
            plan = []
            for person in sorted(people):
                at = starts - timedelta(days=rng.randint(1, 20), hours=rng.randint(0, 12))
                state = by_roll(rng.random(), PAST_OUTCOMES)
                plan.append((person, state.value, at, rng))
                earliest[person] = min(at, earliest.get(person, at))
            shift_people.append(plan)
            day += timedelta(days=step)

    if need_updates:
        session.execute(update(Opportunity), need_updates)
    shift_ids = insert_returning_ids(session, Shift, shift_rows)
    signup_rows: list[dict[str, Any]] = []
    attended: list[tuple[int, dict[str, Any], random.Random]] = []
    org_of = {n[0]: n[1] for n in needs}
    for shift_id, row, plan in zip(shift_ids, shift_rows, shift_people, strict=True):
        for person, outcome, at, rng in plan:
            decided = at + timedelta(hours=20)
            took_place = outcome in (SignupState.ATTENDED, SignupState.NO_SHOW)
            signup_rows.append(
                {
                    **city.defaults[Signup],
                    "shift_id": shift_id,
                    "user_id": person,
                    "state": outcome,
                    "created_at": at,
                    "updated_at": decided,
                    "decided_at": decided if outcome != SignupState.WITHDRAWN else None,
                    "accepted_at": decided if took_place else None,
                }
            )
            if outcome == SignupState.ATTENDED:
                attended.append((len(signup_rows) - 1, row, rng))
    signup_ids = insert_returning_ids(session, Signup, signup_rows)
    hour_rows = []
    for position, shift, rng in attended:
        roll = rng.random()
        if roll >= 0.8:
            continue  # not everyone records their hours
        ends: datetime = shift["ends_at"]
        confirmed = roll < 0.75
        hour_rows.append(
            {
                "user_id": signup_rows[position]["user_id"],
                "organisation_id": org_of[shift["opportunity_id"]],
                "signup_id": signup_ids[position],
                "worked_on": shift["starts_at"].astimezone(city.tz).date(),
                "minutes": duration_minutes(shift["starts_at"], ends),
                "note": "",
                "state": (HourState.CONFIRMED if confirmed else HourState.REJECTED).value,
                "created_at": ends + timedelta(hours=2),
                "decided_at": ends + timedelta(days=2),
            }
        )
    insert_rows(session, HourEntry, hour_rows)
    # Whoever signed up before their profile says it was completed completed it earlier.
    moved = [
        {"user_id": u, "completed_at": at - timedelta(days=2)}
        for u, at in earliest.items()
        if u in completed and at - timedelta(days=2) < completed[u]
    ]
    if moved:
        session.execute(update(VolunteerProfile), moved)
    analyze(session, Shift, Signup, HourEntry, VolunteerProfile, Opportunity)
    match_aggregates.refresh(session, start=first_day, end=today)
    _funnel_counts(session, city, start=first_day, end=last_day)
    session.flush()
    return (len(shift_rows), len(signup_rows), len(hour_rows))


def _funnel_counts(session: Session, city: CityPlan, *, start: date, end: date) -> None:
    """Recommendations and opened need pages of the past, in proportion to its sign-ups (the
    live counters only start counting when the service runs)."""
    rows = []
    for day, cut, key, applied in session.exec(
        select(
            col(MatchDay.day), col(MatchDay.cut), col(MatchDay.key), col(MatchDay.applied)
        ).where(
            col(MatchDay.day) >= start,
            col(MatchDay.day) <= end,
            col(MatchDay.cut) != "slot",
            MatchDay.applied > 0,
        )
    ).all():
        rng = city.rng("funnel", f"{day}:{cut}:{key}")
        rows.append(
            {
                "day": day,
                "cut": cut,
                "key": key,
                "recommended": applied * rng.randint(8, 15),
                "opened": applied * rng.randint(2, 4),
            }
        )
    insert_rows(session, FunnelDay, rows)
