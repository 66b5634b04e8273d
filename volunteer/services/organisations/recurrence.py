"""Shift times: one-off and weekly recurring occurrences, on the wall clock of Europe/Berlin.

Pure functions (no database, no clock): callers pass the local date and times an association
typed in and get aware UTC start/end pairs to store. A weekly shift "Tuesdays 18:00-20:00" must
stay at 18:00 local time across the change to and from summer time, so occurrences are computed
on local calendar dates and converted one by one (never by adding 7 * 24 hours to a UTC value).

Two local times need a rule:

- A time that does not exist (02:30 on the last Sunday in March) is moved forward by the gap,
  to 03:30 summer time, as a wall clock would be set.
- A time that exists twice (02:30 on the last Sunday in October) means the first one (summer
  time, ``fold=0``), the earlier of the two instants.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from volunteer.platform.clock import BERLIN

# How far ahead a series may reach: occurrences are generated up to this horizon at once, so a
# weekly need posted today has every date bookable and no background job has to extend it.
MAX_HORIZON_DAYS = 366
# A hard bound on rows one form submission can create (3 weekdays x 53 weeks fits).
MAX_OCCURRENCES = 160


class RecurrenceError(ValueError):
    """The input cannot describe shifts; ``code`` and ``field`` feed the form's message."""

    def __init__(self, code: str, field: str) -> None:
        super().__init__(code)
        self.code = code
        self.field = field


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One shift's aware UTC start and end."""

    starts_at: datetime
    ends_at: datetime


def local_to_utc(day: date, at: time, tz: ZoneInfo = BERLIN) -> datetime:
    """The UTC instant of a wall-clock time on a local date (see the module rules for DST)."""
    # zoneinfo applies the offset in force before a transition for fold=0: inside the spring gap
    # that lands exactly "gap later" on the wall clock, in the autumn overlap on the first pass.
    naive = datetime.combine(day, at.replace(tzinfo=None, fold=0))
    return naive.replace(tzinfo=tz).astimezone(UTC)


def occurrence(day: date, start: time, end: time, tz: ZoneInfo = BERLIN) -> Occurrence:
    """One shift on a local date; ``end`` must be later than ``start`` on the same day."""
    if end <= start:
        raise RecurrenceError("end_before_start", "end_time")
    starts_at = local_to_utc(day, start, tz)
    ends_at = local_to_utc(day, end, tz)
    if ends_at <= starts_at:  # e.g. 02:15-02:45 inside the spring gap collapse to one instant
        raise RecurrenceError("end_before_start", "end_time")
    return Occurrence(starts_at, ends_at)


def weekly(
    first_day: date,
    start: time,
    end: time,
    *,
    until: date,
    weekdays: Iterable[int] | None = None,
    every_weeks: int = 1,
    tz: ZoneInfo = BERLIN,
    max_horizon_days: int = MAX_HORIZON_DAYS,
) -> list[Occurrence]:
    """Occurrences on ``weekdays`` (0 = Monday) from ``first_day`` to ``until`` inclusive.

    Without ``weekdays`` the series repeats on ``first_day``'s weekday. ``every_weeks`` = 2 means
    every other week, counted from the week of ``first_day``. Month ends and leap days need no
    special case because the walk is over calendar dates.
    """
    if until < first_day:
        raise RecurrenceError("until_before_start", "repeat_until")
    if (until - first_day).days > max_horizon_days:
        raise RecurrenceError("horizon_too_far", "repeat_until")
    if not 1 <= every_weeks <= 4:
        raise RecurrenceError("bad_interval", "every_weeks")
    days = sorted(set(weekdays)) if weekdays is not None else [first_day.weekday()]
    if not days or any(not 0 <= d <= 6 for d in days):
        raise RecurrenceError("no_weekday", "weekdays")
    if end <= start:
        raise RecurrenceError("end_before_start", "end_time")
    week_start = first_day - timedelta(days=first_day.weekday())
    out: list[Occurrence] = []
    day = first_day
    while day <= until:
        week_index = (day - week_start).days // 7
        if day.weekday() in days and week_index % every_weeks == 0:
            out.append(occurrence(day, start, end, tz))
            if len(out) > MAX_OCCURRENCES:
                raise RecurrenceError("too_many", "repeat_until")
        day += timedelta(days=1)
    if not out:
        raise RecurrenceError("no_occurrence", "weekdays")
    return out


def duration_minutes(starts_at: datetime, ends_at: datetime) -> int:
    """Real elapsed minutes (a night shift across the October change lasts an hour longer)."""
    return max(0, int((ends_at - starts_at).total_seconds() // 60))
