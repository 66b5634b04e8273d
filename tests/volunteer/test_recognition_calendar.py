"""Ehrenamtskarte progress under the old and new rules, milestones, and the iCal feed across DST."""

from datetime import UTC, date, datetime, timedelta

import icalendar
from sqlmodel import select

from tests.factories import (
    make_hours,
    make_opportunity,
    make_organisation,
    make_shift,
    set_profile,
)
from volunteer.models import AgeGroup, HourState, Signup, SignupState
from volunteer.services.engagement import calendar, recognition, signups


def _hours(session, user, org, day, hours, state=HourState.CONFIRMED):
    make_hours(session, user, org, worked_on=day, minutes=int(hours * 60), state=state)


def test_new_rule_since_february_2026_sums_hours_over_organisations(session, make_user, now):
    user = make_user()
    tafel = make_organisation(session, now, name="Tafel")
    sport = make_organisation(session, now, name="Sportverein")
    # Two years back from 2026-11-28: 2024-11-29 .. 2026-11-28. 200 h needed in each year.
    _hours(session, user, tafel, date(2025, 3, 1), 120)
    _hours(session, user, sport, date(2025, 6, 1), 80)  # year 1: 200 h over two organisations
    _hours(session, user, tafel, date(2026, 5, 1), 150)
    _hours(session, user, sport, date(2026, 9, 1), 40, state=HourState.SUBMITTED)  # not counted
    _hours(session, user, sport, date(2023, 1, 1), 500)  # before the prior period
    p = recognition.progress(session, user, now=now)
    assert (p.rule.hours_per_week, p.rule.hours_per_year) == (4, 200)
    assert p.municipality.prior_years == 2
    assert [w.hours for w in p.years] == [200, 150]
    assert p.total_hours == 350 and not p.eligible and p.hours_needed == 50
    assert dict(p.by_organisation) == {"Tafel": 270, "Sportverein": 80}
    _hours(session, user, sport, date(2026, 10, 1), 50)
    p = recognition.progress(session, user, now=now)
    assert p.eligible and p.fraction == 1.0
    codes = [m.code for m in recognition.milestones_reached(session, user, now=now)]
    assert {"first_engagement", "hours_10", "hours_250", "hours_500", "one_year"} <= set(codes)
    assert "ehrenamtskarte" in codes


def test_old_rule_before_february_2026_needs_250_hours_a_year(session, make_user):
    user = make_user()
    org = make_organisation(session, datetime(2025, 1, 1, tzinfo=UTC))
    _hours(session, user, org, date(2024, 6, 1), 220)
    _hours(session, user, org, date(2025, 6, 1), 220)
    before = recognition.progress(session, user, now=datetime(2026, 1, 15, 12, tzinfo=UTC))
    assert before.rule.hours_per_year == 250 and not before.eligible
    after = recognition.progress(session, user, now=datetime(2026, 2, 15, 12, tzinfo=UTC))
    assert after.rule.hours_per_year == 200 and after.eligible


def test_weekly_average_over_the_period_is_enough_and_minimum_age_applies(session, make_user, now):
    user = make_user()
    org = make_organisation(session, now)
    _hours(session, user, org, date(2025, 5, 1), 300)
    _hours(session, user, org, date(2026, 5, 1), 150)  # second year below 200 h ...
    p = recognition.progress(session, user, now=now)
    assert not p.years[1].met
    assert p.average_per_week >= 4 and p.eligible  # ... but 450 h is over 4 h/week on average
    set_profile(session, user, age_group=AgeGroup.UNDER_16)
    p = recognition.progress(session, user, now=now)
    assert not p.age_ok and not p.eligible


def test_ical_feed_keeps_local_time_across_the_dst_change(client, session, make_user, now):
    user = make_user()
    opp = make_opportunity(session, now)
    # 10:00 in Berlin on the Saturday before and the Monday after the change of 28 March 2027.
    before = datetime(2027, 3, 27, 9, 0, tzinfo=UTC)  # CET, UTC+1
    after = datetime(2027, 3, 29, 8, 0, tzinfo=UTC)  # CEST, UTC+2
    for start in (before, after):
        shift = make_shift(session, now, opp, starts_in=start - now, hours=2)
        signups.sign_up(session, user, shift, now=now)
    session.commit()
    token = calendar.rotate_feed_token(session, user)
    assert calendar.user_for_feed_token(session, token).id == user.id
    cal = icalendar.Calendar.from_ical(client.get(f"/ich/kalender/{token}.ics").data)
    events = [c for c in cal.walk("VEVENT")]
    starts = sorted(e.decoded("dtstart") for e in events)
    assert [s.hour for s in starts] == [10, 10]
    assert [s.utcoffset() for s in starts] == [timedelta(hours=1), timedelta(hours=2)]
    assert all(str(e["dtstart"].params["TZID"]) == "Europe/Berlin" for e in events)
    tz = next(iter(cal.walk("VTIMEZONE")))
    assert {c.name for c in tz.subcomponents} == {"STANDARD", "DAYLIGHT"}
    assert all(e["status"] == "TENTATIVE" for e in events)  # applied, not yet accepted
    calendar.rotate_feed_token(session, user)
    assert calendar.user_for_feed_token(session, token) is None


def test_feed_route_serves_the_calendar_and_forgets_revoked_tokens(client, session, make_user, now):
    user = make_user()
    shift = make_shift(session, now)
    signups.sign_up(session, user, shift, now=now)
    token = calendar.rotate_feed_token(session, user)
    session.commit()
    response = client.get(f"/ich/kalender/{token}.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert b"BEGIN:VEVENT" in response.data
    calendar.revoke_feed_token(session, user)
    session.commit()
    assert client.get(f"/ich/kalender/{token}.ics").status_code == 404
    assert client.get("/ich/kalender/" + "x" * 300 + ".ics").status_code == 404
    assert session.exec(select(Signup)).first().state == SignupState.APPLIED
