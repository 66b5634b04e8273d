"""Shift times on the Berlin wall clock: weekly series across DST changes and month ends."""

from datetime import UTC, date, datetime, time

import pytest

from volunteer.services.organisations.recurrence import (
    BERLIN,
    MAX_OCCURRENCES,
    RecurrenceError,
    duration_minutes,
    local_to_utc,
    occurrence,
    weekly,
)


def _local(dt: datetime) -> tuple[date, time]:
    value = dt.astimezone(BERLIN)
    return value.date(), value.time()


def test_weekly_series_keeps_local_time_across_the_spring_change():
    # 2027-03-28 is the last Sunday in March: CET (+1) becomes CEST (+2).
    series = weekly(date(2027, 3, 21), time(18), time(20), until=date(2027, 4, 4))
    assert [_local(o.starts_at) for o in series] == [
        (date(2027, 3, 21), time(18)),
        (date(2027, 3, 28), time(18)),
        (date(2027, 4, 4), time(18)),
    ]
    assert [o.starts_at.hour for o in series] == [17, 16, 16]  # UTC moves, the wall clock not
    assert all(o.starts_at.tzinfo is UTC for o in series)


def test_weekly_series_keeps_local_time_across_the_autumn_change():
    series = weekly(date(2026, 10, 18), time(9, 30), time(12), until=date(2026, 11, 1))
    assert [o.starts_at.astimezone(BERLIN).time() for o in series] == [time(9, 30)] * 3
    assert [o.starts_at.hour for o in series] == [7, 8, 8]  # the change is on 25 October


def test_a_time_in_the_spring_gap_moves_forward_like_a_wall_clock():
    start = local_to_utc(date(2027, 3, 28), time(2, 30))
    assert start == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    assert start.astimezone(BERLIN).time() == time(3, 30)


def test_an_ambiguous_autumn_time_means_the_first_one():
    start = local_to_utc(date(2026, 10, 25), time(2, 30))
    assert start == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST


def test_a_night_shift_across_the_autumn_change_lasts_an_hour_longer():
    shift = occurrence(date(2026, 10, 25), time(1), time(4))
    assert duration_minutes(shift.starts_at, shift.ends_at) == 4 * 60
    spring = occurrence(date(2027, 3, 28), time(1), time(4))
    assert duration_minutes(spring.starts_at, spring.ends_at) == 2 * 60


@pytest.mark.parametrize(
    ("first", "until", "expected"),
    [
        # Across the end of January into a short February and on into March.
        (
            date(2027, 1, 29),
            date(2027, 3, 5),
            ["01-29", "02-05", "02-12", "02-19", "02-26", "03-05"],
        ),
        # A leap year: 29 February is a normal date on the walk.
        (date(2028, 2, 15), date(2028, 3, 7), ["02-15", "02-22", "02-29", "03-07"]),
        # The end of a 31-day month and the turn of the year.
        (date(2026, 12, 31), date(2027, 1, 14), ["12-31", "01-07", "01-14"]),
    ],
)
def test_weekly_series_cross_month_ends(first, until, expected):
    series = weekly(first, time(10), time(12), until=until)
    assert [o.starts_at.astimezone(BERLIN).strftime("%m-%d") for o in series] == expected


def test_several_weekdays_and_every_other_week():
    # Mondays and Thursdays, every second week, from Monday 2027-01-04.
    series = weekly(
        date(2027, 1, 4),
        time(16),
        time(18),
        until=date(2027, 1, 31),
        weekdays=[0, 3],
        every_weeks=2,
    )
    assert [o.starts_at.astimezone(BERLIN).day for o in series] == [4, 7, 18, 21]


def test_the_end_date_is_inclusive():
    series = weekly(date(2027, 1, 5), time(10), time(11), until=date(2027, 1, 12))
    assert len(series) == 2


@pytest.mark.parametrize(
    ("kwargs", "code", "field"),
    [
        ({"until": date(2027, 1, 1)}, "until_before_start", "repeat_until"),
        ({"until": date(2028, 6, 1)}, "horizon_too_far", "repeat_until"),
        ({"until": date(2027, 2, 1), "weekdays": []}, "no_weekday", "weekdays"),
        ({"until": date(2027, 2, 1), "weekdays": [7]}, "no_weekday", "weekdays"),
        ({"until": date(2027, 2, 1), "every_weeks": 0}, "bad_interval", "every_weeks"),
        ({"until": date(2027, 1, 6), "weekdays": [6]}, "no_occurrence", "weekdays"),
    ],
)
def test_bad_series_are_refused_with_their_field(kwargs, code, field):
    with pytest.raises(RecurrenceError) as info:
        weekly(date(2027, 1, 4), time(10), time(12), **kwargs)
    assert (info.value.code, info.value.field) == (code, field)


def test_a_series_never_creates_more_than_the_maximum():
    with pytest.raises(RecurrenceError) as info:
        weekly(date(2027, 1, 4), time(10), time(12), until=date(2027, 12, 31), weekdays=range(7))
    assert info.value.code == "too_many"
    assert MAX_OCCURRENCES < 365


@pytest.mark.parametrize(("start", "end"), [(time(12), time(10)), (time(12), time(12))])
def test_end_must_be_after_start(start, end):
    with pytest.raises(RecurrenceError) as info:
        occurrence(date(2027, 1, 4), start, end)
    assert (info.value.code, info.value.field) == ("end_before_start", "end_time")


def test_a_shift_spanning_the_spring_gap_lasts_an_hour_less():
    shift = occurrence(date(2027, 3, 28), time(1, 30), time(3, 30))
    assert duration_minutes(shift.starts_at, shift.ends_at) == 60
