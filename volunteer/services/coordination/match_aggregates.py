"""Keeping the match statistics' daily aggregates (``models/statistics.py``) up to date.

Two ways in, one per kind of fact:

- :func:`count_shown` is called where a volunteer sees needs (the recommendation list, a need
  page): one upsert per request adds 1 per need to its day × district, skill and cause. Only
  counts are written, never who saw what, as the privacy notice says.
- :func:`refresh` rebuilds :class:`MatchDay` and :class:`ActiveDay` for a range of days from the
  rows (sign-ups, shifts, hour entries, profiles). The statistics rule runs it for the recent
  days (attendance and hours are recorded after the fact, so a few weeks back); the demo data
  runs it once for its whole history.

Every day is a calendar day in Europe/Berlin, and so is every slot (weekday × part of day).
"""

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal

import numpy as np
from sqlalchemy import delete, func, insert, update
from sqlalchemy import select as sa_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from matching.model import SLOTS
from volunteer.models import (
    ActiveDay,
    FunnelDay,
    HourEntry,
    HourState,
    MatchDay,
    Opportunity,
    OpportunityCause,
    OpportunitySkill,
    Organisation,
    Shift,
    Signup,
    SignupState,
    VolunteerCause,
    VolunteerProfile,
    VolunteerSkill,
)
from volunteer.platform.clock import BERLIN
from volunteer.services.discovery.engine_values import slot_of

#: How far back the scheduled refresh rebuilds: attendance is marked and hours are confirmed
#: after the shift, usually within days; four weeks catch nearly all of it.
REFRESH_DAYS = 28

#: The sign-up states that took a place of a shift (a no-show took it too, and left it empty).
TAKEN_STATES = (
    SignupState.APPLIED,
    SignupState.ACCEPTED,
    SignupState.ATTENDED,
    SignupState.NO_SHOW,
)
MEASURES = (
    "profiles",
    "applied",
    "accepted",
    "attended",
    "no_show",
    "places",
    "filled",
    "hour_entries",
    "minutes",
)
_M = {name: i for i, name in enumerate(MEASURES)}
SLOT_KEY = {name: i for i, name in enumerate(SLOTS)}

Cell = tuple[date, str, int]


def berlin_day(moment: datetime) -> date:
    return moment.astimezone(BERLIN).date()


def day_start(day: date) -> datetime:
    """The first moment of a Berlin calendar day, in UTC."""
    return datetime.combine(day, time(0), BERLIN).astimezone(UTC)


class _Needs:
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


def _upsert(session: Session) -> type[postgresql.Insert] | type[sqlite.Insert]:
    return postgresql.Insert if session.get_bind().dialect.name == "postgresql" else sqlite.Insert


def count_shown(
    session: Session,
    opportunity_ids: Sequence[int],
    *,
    what: Literal["recommended", "opened"],
    now: datetime,
) -> None:
    """Add one to ``what`` for each need's day × district, skill and cause. Flushes only."""
    if not opportunity_ids:
        return
    needs = _Needs(session, opportunity_ids)
    day = berlin_day(now)
    counts = Counter(
        (cut, key) for opp in opportunity_ids for _, cut, key in needs.cells(day, opp, None)
    )
    # One statement, rows in key order: two requests upserting the same rows lock them in the
    # same order, so they wait for each other instead of deadlocking.
    rows = [
        {"day": day, "cut": cut, "key": key, "recommended": 0, "opened": 0, what: n}
        for (cut, key), n in sorted(counts.items())
    ]
    stmt = _upsert(session)(FunnelDay).values(rows)
    table = FunnelDay.__table__  # type: ignore[attr-defined]
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=["day", "cut", "key"],
            set_={what: table.c[what] + stmt.excluded[what]},
        )
    )


def refresh(session: Session, *, start: date, end: date) -> int:
    """Rebuild the daily aggregates of ``start``..``end`` (inclusive) from the rows. Flushes only.

    Each fact counts on its own day: a sign-up on the day it was made, an acceptance on the day
    it was given, attendance and places on the shift's day, hours on the day worked, a profile on
    the day it was completed. Returns the number of aggregate rows written.
    """
    lo, hi = day_start(start), day_start(end + timedelta(days=1))
    needs = _Needs(session)
    cells: dict[Cell, list[int]] = defaultdict(lambda: [0] * len(MEASURES))
    active: dict[tuple[date, int], set[int]] = defaultdict(set)

    def add(cell_list: list[Cell], measure: str, n: int = 1) -> None:
        for cell in cell_list:
            cells[cell][_M[measure]] += n

    # Shifts of these days: places, places taken, attendance.
    shifts = session.exec(
        select(Shift.id, Shift.opportunity_id, Shift.starts_at, Shift.capacity).where(
            Shift.starts_at >= lo, Shift.starts_at < hi, col(Shift.cancelled_at).is_(None)
        )
    ).all()
    by_state: dict[int, Counter[str]] = defaultdict(Counter)
    attended_by: dict[int, set[int]] = defaultdict(set)
    for shift_id, state, user_id in session.exec(
        select(Signup.shift_id, Signup.state, Signup.user_id)
        .join(Shift, col(Shift.id) == Signup.shift_id)
        .where(
            Shift.starts_at >= lo,
            Shift.starts_at < hi,
            col(Shift.cancelled_at).is_(None),
            col(Signup.state).in_([s.value for s in TAKEN_STATES]),
        )
    ).all():
        by_state[shift_id][state] += 1
        if state == SignupState.ATTENDED and user_id is not None:
            attended_by[shift_id].add(user_id)
    for row_id, opp, starts_at, capacity in shifts:
        assert row_id is not None  # a stored row always has its key
        shift_id = row_id
        day = berlin_day(starts_at)
        here = needs.cells(day, opp, slot_of(starts_at))
        counts = by_state.get(shift_id, Counter())
        add(here, "places", capacity)
        add(here, "filled", min(capacity, sum(counts.values())))
        add(here, "attended", counts[SignupState.ATTENDED])
        add(here, "no_show", counts[SignupState.NO_SHOW])
        if shift_id in attended_by:
            active[(day, needs.district.get(opp, 0))] |= attended_by[shift_id]

    # Sign-ups made and accepted on these days.
    for moment_col, measure in ((Signup.created_at, "applied"), (Signup.accepted_at, "accepted")):
        for moment, opp, starts_at in session.exec(
            select(moment_col, Shift.opportunity_id, Shift.starts_at)
            .join(Shift, col(Shift.id) == Signup.shift_id)
            .where(col(moment_col) >= lo, col(moment_col) < hi)
        ).all():
            assert moment is not None  # the filter excludes NULL
            add(needs.cells(berlin_day(moment), opp, slot_of(starts_at)), measure)

    # Hours confirmed for work on these days: the need's cuts when tied to a sign-up, else the
    # organisation's district.
    for worked_on, minutes, user_id, opp, starts_at, org_district in session.execute(
        sa_select(
            col(HourEntry.worked_on),
            col(HourEntry.minutes),
            col(HourEntry.user_id),
            col(Shift.opportunity_id),
            col(Shift.starts_at),
            col(Organisation.district_number),
        )
        .join(Organisation, col(Organisation.id) == HourEntry.organisation_id)
        .outerjoin(Signup, col(Signup.id) == HourEntry.signup_id)
        .outerjoin(Shift, col(Shift.id) == Signup.shift_id)
        .where(
            col(HourEntry.state) == HourState.CONFIRMED,
            col(HourEntry.worked_on) >= start,
            col(HourEntry.worked_on) <= end,
        )
    ).all():
        if opp is not None and starts_at is not None:
            here = needs.cells(worked_on, opp, slot_of(starts_at))
            district = needs.district.get(opp, 0)
        else:
            district = int(org_district or 0)
            here = [(worked_on, "district", district)]
        add(here, "hour_entries")
        add(here, "minutes", minutes)
        if user_id is not None:
            active[(worked_on, district)].add(user_id)

    # Profiles completed on these days: the volunteer's district, skills and causes.
    completed = session.exec(
        select(
            VolunteerProfile.user_id,
            VolunteerProfile.completed_at,
            VolunteerProfile.district_number,
        ).where(col(VolunteerProfile.completed_at) >= lo, col(VolunteerProfile.completed_at) < hi)
    ).all()
    if completed:
        day_of = {u: berlin_day(at) for u, at, _ in completed if at is not None}
        for volunteer_id, _at, home in completed:
            add([(day_of[volunteer_id], "district", int(home or 0))], "profiles")
        for link, cut in ((VolunteerSkill.skill_id, "skill"), (VolunteerCause.cause_id, "cause")):
            owner = VolunteerSkill.user_id if cut == "skill" else VolunteerCause.user_id
            for person, key in session.exec(
                select(owner, link).where(col(owner).in_(list(day_of)))
            ).all():
                add([(day_of[person], cut, key)], "profiles")

    day_col = col(MatchDay.day)
    session.execute(delete(MatchDay).where(day_col >= start, day_col <= end))
    session.execute(delete(ActiveDay).where(col(ActiveDay.day) >= start, col(ActiveDay.day) <= end))
    match_rows = [
        {"day": d, "cut": cut, "key": key, **dict(zip(MEASURES, values, strict=True))}
        for (d, cut, key), values in cells.items()
        if any(values)
    ]
    active_rows = [
        {"day": d, "district_number": district, "user_ids": pack(people)}
        for (d, district), people in active.items()
    ]
    for rows, model in ((match_rows, MatchDay), (active_rows, ActiveDay)):
        for i in range(0, len(rows), 5000):
            session.execute(insert(model), rows[i : i + 5000])
    session.flush()
    return len(match_rows) + len(active_rows)


def refresh_recent(session: Session, *, now: datetime) -> int:
    """The scheduled rule's work: today and the :data:`REFRESH_DAYS` before it."""
    today = berlin_day(now)
    return refresh(session, start=today - timedelta(days=REFRESH_DAYS), end=today)


def pack(user_ids: Iterable[int]) -> bytes:
    return np.array(sorted(user_ids), dtype="<u4").tobytes()


def unpack(blob: bytes) -> "np.ndarray[Any, np.dtype[np.uint32]]":
    return np.frombuffer(blob, dtype="<u4")


def stamp_first_acceptances(session: Session) -> None:
    """Give needs written in bulk (demo data) their first acceptance from their sign-ups, as
    ``signups.transition`` does one by one. Flushes only.

    One grouped query and an update by key: a correlated ``UPDATE ... SET = (SELECT min ...)``
    ran for minutes on PostgreSQL over freshly written (not yet analysed) tables.
    """
    firsts = session.exec(
        select(Shift.opportunity_id, func.min(Signup.accepted_at))
        .join(Shift, col(Shift.id) == Signup.shift_id)
        .join(Opportunity, col(Opportunity.id) == Shift.opportunity_id)
        .where(col(Signup.accepted_at).is_not(None), col(Opportunity.first_accepted_at).is_(None))
        .group_by(col(Shift.opportunity_id))
    ).all()
    if firsts:
        session.execute(
            update(Opportunity),
            [{"id": opp, "first_accepted_at": first} for opp, first in firsts],
        )


def forget_person(session: Session, user_id: int) -> None:
    """Take a deleted account out of the days it was active on (``privacy.delete_account``).

    Its sign-ups and hours stay as anonymous rows, so a later rebuild counts them for no one;
    this does the same at once for days the scheduled rule no longer rebuilds. Flushes only.
    """
    for day, district, blob in session.exec(
        select(col(ActiveDay.day), col(ActiveDay.district_number), col(ActiveDay.user_ids))
    ).all():
        ids = unpack(blob)
        at = int(np.searchsorted(ids, user_id))
        if at < ids.size and ids[at] == user_id:
            session.execute(
                update(ActiveDay)
                .where(col(ActiveDay.day) == day, col(ActiveDay.district_number) == district)
                .values(user_ids=np.delete(ids, at).tobytes())
            )
