"""Keeping the match statistics' daily aggregates (``models/statistics.py``) up to date.

Two ways in, one per kind of fact:

- :func:`count_shown` is called where a volunteer sees needs (the recommendation list, a need
  page): 1 per need for its day × district, skill and cause, added up in the process and
  written every few seconds (:func:`write_shown`). Only counts are written, never who saw what,
  as the privacy notice says.
- :func:`refresh` rebuilds :class:`MatchDay` and :class:`ActiveDay` for a range of days from the
  rows (sign-ups, shifts, hour entries, profiles), counted by ``aggregate_grid``. The
  statistics rule runs it for the recent days (attendance and hours are recorded after the
  fact, so a few weeks back); the demo data runs it once for its whole history.

Every day is a calendar day in Europe/Berlin, and so is every slot (weekday × part of day).
"""

import secrets
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from time import monotonic
from typing import Any, Literal
from weakref import WeakKeyDictionary

import numpy as np
from sqlalchemy import case, delete, func, insert, update
from sqlalchemy import select as sa_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from volunteer.models import (
    ActiveDay,
    FunnelDay,
    HourEntry,
    HourState,
    MatchDay,
    Opportunity,
    Organisation,
    Shift,
    Signup,
    SignupState,
    VolunteerCause,
    VolunteerProfile,
    VolunteerSkill,
)
from volunteer.models.statistics import FUNNEL_MEASURES, MATCH_MEASURES, AggregateStamp
from volunteer.platform.clock import BERLIN
from volunteer.services.coordination.aggregate_grid import (
    Grid,
    Needs,
    epoch_seconds,
    read_columns,
)
from volunteer.services.engagement.signups import joined_to_need

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
MEASURES = MATCH_MEASURES
SHOWN_MEASURES = FUNNEL_MEASURES


def berlin_day(moment: datetime) -> date:
    return moment.astimezone(BERLIN).date()


def day_start(day: date) -> datetime:
    """The first moment of a Berlin calendar day, in UTC."""
    return datetime.combine(day, time(0), BERLIN).astimezone(UTC)


def _upsert(session: Session) -> type[postgresql.Insert] | type[sqlite.Insert]:
    return postgresql.Insert if session.get_bind().dialect.name == "postgresql" else sqlite.Insert


#: Display counts are added up in the worker process and written by one upsert per table at most
#: this often (at the next count after the interval): one INSERT per page view cost a third of
#: the recommendation page's CPU. A worker that stops or crashes loses at most this interval's
#: display counts, never a notice or a sign-up.
WRITE_SHOWN_SECONDS = 5.0

_ShownKey = tuple[date, int, str]  # (Berlin day, need, "recommended" | "opened")


class _Shown:
    """This process's display counts not yet written, per database bind (a test's database
    never receives another's counts, and a bind that goes away takes its counts with it)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: WeakKeyDictionary[Any, Counter[_ShownKey]] = WeakKeyDictionary()
        self._written: WeakKeyDictionary[Any, float] = WeakKeyDictionary()

    def add(self, bind: Any, keys: Iterable[_ShownKey], *, every: float) -> bool:
        """Count ``keys`` once each; True when the bind's counts are due to be written."""
        with self._lock:
            self._counts.setdefault(bind, Counter()).update(keys)
            last = self._written.get(bind)
            return last is None or monotonic() - last >= every

    def take(self, bind: Any) -> Counter[_ShownKey]:
        with self._lock:
            self._written[bind] = monotonic()
            return self._counts.pop(bind, Counter())


_SHOWN = _Shown()


def count_shown(
    session: Session,
    opportunity_ids: Sequence[int],
    *,
    what: Literal["recommended", "opened"],
    now: datetime,
    every: float = WRITE_SHOWN_SECONDS,
) -> None:
    """Count one ``what`` for each need on its day × district, skill and cause: in the process,
    written with the other counts of the last ``every`` seconds (:func:`write_shown`, which
    flushes only). Only counts are kept, never who saw what."""
    day = berlin_day(now)
    bind = session.get_bind()
    if _SHOWN.add(bind, ((day, int(i), what) for i in opportunity_ids), every=every):
        write_shown(session)


def write_shown(session: Session) -> int:
    """Add the process's display counts for this database to the day rows now, one upsert;
    returns how many displays were written. Flushes only."""
    counts = _SHOWN.take(session.get_bind())
    if not counts:
        return 0
    needs = Needs(session, sorted({opp for _, opp, _ in counts}))
    days: dict[tuple[date, str, int], Counter[str]] = defaultdict(Counter)
    for (day, opp, what), n in counts.items():
        for _, cut, key in needs.cells(day, opp, None):
            days[(day, cut, key)][what] += n
    # One statement, rows in key order: two workers upserting the same rows lock them in the
    # same order, so they wait for each other instead of deadlocking.
    rows = [
        {"day": moment, "cut": cut, "key": key, **{m: n[m] for m in SHOWN_MEASURES}}
        for (moment, cut, key), n in sorted(days.items())
    ]
    stmt = _upsert(session)(FunnelDay).values(rows)
    table = FunnelDay.__table__  # type: ignore[attr-defined]
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=["day", "cut", "key"],
            set_={m: table.c[m] + stmt.excluded[m] for m in SHOWN_MEASURES},
        )
    )
    return sum(counts.values())


def refresh(session: Session, *, start: date, end: date) -> int:
    """Rebuild the daily aggregates of ``start``..``end`` (inclusive) from the rows. Flushes only.

    Each fact counts on its own day: a sign-up on the day it was made, an acceptance on the day
    it was given, attendance and places on the shift's day, hours on the day worked, a profile on
    the day it was completed. Returns the number of aggregate rows written.

    Vectorised: the rows are read as columns (instants as epoch seconds) and counted with numpy,
    never one Python call per sign-up. Two years at city scale are about two million facts, which
    the demo data rebuilds at once; a loop over them took minutes.
    """
    lo, hi = day_start(start), day_start(end + timedelta(days=1))
    grid = Grid(session, start, end)

    # Shifts of these days: places, places taken, attendance.
    in_range = (
        col(Shift.starts_at) >= lo,
        col(Shift.starts_at) < hi,
        col(Shift.cancelled_at).is_(None),
    )
    shift_ids, opps, starts, capacity = read_columns(
        session,
        sa_select(
            col(Shift.id),
            col(Shift.opportunity_id),
            epoch_seconds(session, Shift.starts_at),
            col(Shift.capacity),
        )
        .where(*in_range)
        .order_by(col(Shift.id)),
        4,
    )
    kind = case(
        (col(Signup.state) == SignupState.ATTENDED.value, 1),
        (col(Signup.state) == SignupState.NO_SHOW.value, 2),
        else_=0,
    )
    of_shift, of_kind, n = read_columns(
        session,
        sa_select(col(Signup.shift_id), kind, func.count())
        .join(Shift, col(Shift.id) == Signup.shift_id)
        .where(*in_range, col(Signup.state).in_([s.value for s in TAKEN_STATES]))
        .group_by(col(Signup.shift_id), kind),
        3,
    )
    taken = np.zeros((shift_ids.size, 3), dtype=np.int64)  # all taken, attended, no-show
    rows = np.searchsorted(shift_ids, of_shift)
    np.add.at(taken, (rows, 0), n)
    np.add.at(taken, (rows, of_kind), np.where(of_kind > 0, n, 0))
    shift_day, shift_slot = grid.local(starts)
    grid.need_facts(shift_day, opps, shift_slot, "places", capacity)
    grid.need_facts(shift_day, opps, shift_slot, "filled", np.minimum(capacity, taken[:, 0]))
    grid.need_facts(shift_day, opps, shift_slot, "attended", taken[:, 1])
    grid.need_facts(shift_day, opps, shift_slot, "no_show", taken[:, 2])
    attended_shift, attended_user = read_columns(
        session,
        sa_select(col(Signup.shift_id), col(Signup.user_id))
        .join(Shift, col(Shift.id) == Signup.shift_id)
        .where(
            *in_range, col(Signup.state) == SignupState.ATTENDED, col(Signup.user_id).is_not(None)
        ),
        2,
    )
    rows = np.searchsorted(shift_ids, attended_shift)
    grid.was_active(shift_day[rows], grid.district_of(opps[rows]), attended_user)

    # Sign-ups made and accepted on these days.
    for moment_col, measure in ((Signup.created_at, "applied"), (Signup.accepted_at, "accepted")):
        moments, opp, shift_starts = read_columns(
            session,
            sa_select(
                epoch_seconds(session, moment_col),
                col(Shift.opportunity_id),
                epoch_seconds(session, Shift.starts_at),
            )
            .join(Shift, col(Shift.id) == Signup.shift_id)
            .where(col(moment_col) >= lo, col(moment_col) < hi),
            3,
        )
        day, _slot = grid.local(moments)
        _day, slot = grid.local(shift_starts)
        grid.need_facts(day, opp, slot, measure, np.ones_like(day))

    # Hours confirmed for work on these days: the need's cuts when tied to a sign-up, else the
    # organisation's district.
    worked, minutes, user, opp, shift_starts, org_district = read_columns(
        session,
        sa_select(
            col(HourEntry.worked_on),
            col(HourEntry.minutes),
            func.coalesce(col(HourEntry.user_id), -1),
            func.coalesce(col(Shift.opportunity_id), -1),
            func.coalesce(epoch_seconds(session, Shift.starts_at), 0),
            func.coalesce(col(Organisation.district_number), 0),
        )
        .join(Organisation, col(Organisation.id) == HourEntry.organisation_id)
        .outerjoin(Signup, col(Signup.id) == HourEntry.signup_id)
        .outerjoin(Shift, col(Shift.id) == Signup.shift_id)
        .where(
            col(HourEntry.state) == HourState.CONFIRMED,
            col(HourEntry.worked_on) >= start,
            col(HourEntry.worked_on) <= end,
        ),
        6,
        dates=(0,),
    )
    of_need = opp >= 0
    day = worked - grid.first
    _day, slot = grid.local(shift_starts)
    for measure, weight in (("hour_entries", np.ones_like(day)), ("minutes", minutes)):
        grid.need_facts(day[of_need], opp[of_need], slot[of_need], measure, weight[of_need])
        grid.district_facts(day[~of_need], org_district[~of_need], measure, weight[~of_need])
    district = np.where(of_need, grid.district_of(np.where(of_need, opp, 0)), org_district)
    known = user >= 0
    grid.was_active(day[known], district[known], user[known])

    # Profiles completed on these days: the volunteer's district, skills and causes.
    done = (col(VolunteerProfile.completed_at) >= lo, col(VolunteerProfile.completed_at) < hi)
    people, completed, home = read_columns(
        session,
        sa_select(
            col(VolunteerProfile.user_id),
            epoch_seconds(session, VolunteerProfile.completed_at),
            func.coalesce(col(VolunteerProfile.district_number), 0),
        )
        .where(*done)
        .order_by(col(VolunteerProfile.user_id)),
        3,
    )
    profile_day, _slot = grid.local(completed)
    grid.district_facts(profile_day, home, "profiles", np.ones_like(profile_day))
    for link, owner, cut in (
        (VolunteerSkill.skill_id, VolunteerSkill.user_id, "skill"),
        (VolunteerCause.cause_id, VolunteerCause.user_id, "cause"),
    ):
        person, key = read_columns(
            session,
            sa_select(col(owner), col(link))
            .join(VolunteerProfile, col(VolunteerProfile.user_id) == owner)
            .where(*done),
            2,
        )
        day = profile_day[np.searchsorted(people, person)]
        grid.facts(day, grid.cells_of(cut, key), "profiles", np.ones_like(day))

    day_col = col(MatchDay.day)
    session.execute(delete(MatchDay).where(day_col >= start, day_col <= end))
    session.execute(delete(ActiveDay).where(col(ActiveDay.day) >= start, col(ActiveDay.day) <= end))
    match_rows, active_rows = grid.rows()
    for rows_, model in ((match_rows, MatchDay), (active_rows, ActiveDay)):
        table = model.__table__  # type: ignore[union-attr]
        for i in range(0, len(rows_), 5000):
            session.connection().execute(insert(table), rows_[i : i + 5000])
    restamp(session, since=start)
    session.flush()
    return len(match_rows) + len(active_rows)


def restamp(session: Session, *, since: date | None) -> None:
    """Say the aggregates changed from ``since`` on (``None``: any day), in
    :class:`AggregateStamp`: every process keeping them in memory (``match_columns``) reads
    those days again on its next page. Flushes only."""
    previous = session.execute(sa_select(col(AggregateStamp.token))).scalar()
    session.execute(delete(AggregateStamp))
    session.execute(
        insert(AggregateStamp).values(
            id=1, token=secrets.token_hex(16), previous=previous, since=since
        )
    )


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def refresh_recent(session: Session, *, now: datetime) -> int:
    """The scheduled rule's work: today and the :data:`REFRESH_DAYS` before it."""
    today = berlin_day(now)
    return refresh(session, start=today - timedelta(days=REFRESH_DAYS), end=today)


def unpack(blob: bytes) -> "np.ndarray[Any, np.dtype[np.uint32]]":
    return np.frombuffer(blob, dtype="<u4")


def stamp_first_acceptances(session: Session) -> None:
    """Give needs written in bulk (demo data) their first acceptance from their sign-ups, as
    ``signups.transition`` does one by one. Flushes only.

    One grouped query and an update by key: a correlated ``UPDATE ... SET = (SELECT min ...)``
    ran for minutes on PostgreSQL over freshly written (not yet analysed) tables.
    """
    firsts = session.exec(
        joined_to_need(select(Shift.opportunity_id, func.min(Signup.accepted_at)))
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
    changed = False
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
            changed = True
    if changed:
        restamp(session, since=None)
