"""Display counts ("recommended", "opened") are added up in the process and written every few
seconds: what the statistics show must still be every display, exactly once."""

from datetime import timedelta

from sqlmodel import select

from tests.factories import create_need, make_profile, make_shift, register_org, seed_reference
from volunteer.models import FunnelDay, Role
from volunteer.services.coordination import match_aggregates
from volunteer.services.coordination.match_aggregates import berlin_day


def _need(session, make_user, now):
    seed_reference(session)
    coordinator = make_user(role=Role.COORDINATOR, email="koordination@bochum.example")
    admin = make_user(email="admin@verein.example")
    org = register_org(session, admin, now=now, coordinator=coordinator)
    need = create_need(session, org, admin, now=now)
    make_shift(session, now, need, starts_in=timedelta(days=2))
    return need


def _rows(session, model):
    session.expire_all()
    return {(r.cut, r.key): (r.recommended, r.opened) for r in session.exec(select(model)).all()}


def test_every_display_through_the_pages_is_counted_once(client, login, session, make_user, now):
    need = _need(session, make_user, now)
    volunteer = make_user()
    make_profile(session, volunteer, now=now)
    login(volunteer)
    for _ in range(7):
        assert client.get(f"/engagements/{need.id}").status_code == 200
    for _ in range(4):
        page = client.get("/ich/fuer-dich")
        assert page.status_code == 200 and f"/engagements/{need.id}" in page.text
    # Whatever the process wrote meanwhile plus what it still holds: every visit, once.
    match_aggregates.write_shown(session)
    session.commit()
    assert match_aggregates.write_shown(session) == 0  # nothing is written twice
    days = _rows(session, FunnelDay)
    assert days[("district", need.district_number)] == (4, 7)
    assert {cut for cut, _ in days} == {"district", "skill"}  # the need asks for a skill
    assert all(v == (4, 7) for v in days.values())
    (day,) = {r.day for r in session.exec(select(FunnelDay)).all()}
    assert day == berlin_day(now)


def test_counts_wait_for_the_interval_and_land_on_their_own_day(session, make_user, now):
    need = _need(session, make_user, now)
    district = ("district", need.district_number)
    hour = 3600.0
    # The process's first display is written at once, the next ones wait for the interval.
    match_aggregates.count_shown(session, [need.id], what="opened", now=now, every=hour)
    assert _rows(session, FunnelDay)[district] == (0, 1)
    for _ in range(5):
        match_aggregates.count_shown(session, [need.id, need.id], what="recommended", now=now)
    tomorrow = now + timedelta(days=1)
    match_aggregates.count_shown(session, [need.id], what="opened", now=tomorrow, every=hour)
    assert _rows(session, FunnelDay)[district] == (0, 1)
    # Once the interval is over, the next display writes everything held so far.
    match_aggregates.count_shown(session, [need.id], what="opened", now=tomorrow, every=0)
    session.commit()
    days = {
        (r.day, r.cut, r.key): (r.recommended, r.opened)
        for r in session.exec(select(FunnelDay)).all()
    }
    assert days[(berlin_day(now), *district)] == (10, 1)
    assert days[(berlin_day(tomorrow), *district)] == (0, 2)
