"""The gap map: the engine's eligibility against upcoming open places, computed by the scheduled
rule and read from what it stored, with what would close each gap.

The known city: one need in the Innenstadt wants first aid for 12 places. Five people can take
it; six nearby lack only first aid; five with first aid live 1.1 km away but travel only
0.5 km; two are not free at the shift's time; one lives 5.5 km away (no near miss); one who
fits has not agreed to be found (counted nowhere). So 12 places, 5 volunteers, 7 short.
"""

from datetime import datetime

import pytest
from sqlmodel import Session, select

from matching.model import ALL_SLOTS, SLOT_BIT
from notifications.scheduler import SCHEDULE, rules
from tests.factories import (
    GEOCODER,
    add_shift,
    create_need,
    make_profile,
    register_org,
    seed_reference,
    set_profile,
)
from volunteer.models import GapReport, Role, Shift
from volunteer.services.coordination import gaps
from volunteer.services.discovery.engine_values import slot_of


def _person(session, make_user, now, *, skills=("first-aid",), dlat=0.0, radius=10.0, **extra):
    user = make_user()
    profile = make_profile(session, user, now=now, skills=skills, **extra)
    set_profile(session, user, lat=(profile.lat or 0) + dlat, radius_km=radius)
    return user


@pytest.fixture
def city(session: Session, make_user, now: datetime) -> dict:
    seed_reference(session)
    coordinator = make_user(role=Role.COORDINATOR, first_name="Kim")
    admin = make_user(first_name="Vorstand")
    org = register_org(session, admin, now=now, coordinator=coordinator)
    need = create_need(
        session, org, admin, now=now, title="Sanitätsdienst beim Stadtfest", skills=("first-aid",)
    )
    shift = add_shift(session, need, admin, now=now, days=3, capacity=12)
    for _ in range(5):
        _person(session, make_user, now)
    for _ in range(6):
        _person(session, make_user, now, skills=("reading-aloud",))
    for _ in range(5):
        _person(session, make_user, now, dlat=0.01, radius=0.5)  # 1.1 km away, 0.6 km too far
    busy = ALL_SLOTS & ~SLOT_BIT[slot_of(shift.starts_at)]
    for _ in range(2):
        set_profile(session, _person(session, make_user, now), availability=busy)
    _person(session, make_user, now, dlat=0.05, radius=0.5)  # 5 km too far: not close
    _person(session, make_user, now, discoverable=False)
    session.commit()
    place = GEOCODER.geocode("44787")
    assert place is not None
    return {"coordinator": coordinator, "need": need, "district": place.district_number}


def _run_rule(app, session, now) -> None:
    rule = rules()["gaps"]  # the stable name the scheduler's job runs
    with app.app_context():
        assert rule(session, now=now) == 0  # it queues no notices
    session.commit()


def test_the_rule_stores_the_engine_s_gaps_ranked_by_shortfall(app, session, city, now):
    assert SCHEDULE["gaps"] == {"trigger": "interval", "minutes": 15}
    _run_rule(app, session, now)
    _run_rule(app, session, now)  # running twice only replaces the report
    (report,) = session.exec(select(GapReport)).all()
    (row,) = report.rows
    assert (row["district"], row["skill"]) == (city["district"], "first-aid")
    assert (row["places"], row["volunteers"]) == (12, 5)
    assert row["needs"] == [city["need"].id]
    assert row["misses"]["skill"] == {"first-aid": 6}
    assert (row["misses"]["distance"], row["misses"]["availability"]) == (5, 2)
    ((_slot, places, free),) = row["slots"]
    assert (places, free) == (12, 5)


def test_the_pages_show_the_stored_gap_and_what_would_close_it(
    app, client, login, session, city, now
):
    login(city["coordinator"])
    before = client.get("/koordination/luecken").get_data(as_text=True)
    assert "noch nicht berechnet" in before
    _run_rule(app, session, now)
    page = client.get("/koordination/luecken").get_data(as_text=True)
    assert "Lückenkarte" in page and "Erste Hilfe" in page
    assert '<td data-label="Engagierte, die sie übernehmen könnten">5</td>' in page
    assert '<td data-label="Fehlende Plätze">7</td>' in page
    url = f"/koordination/luecken/{city['district']}/first-aid"
    assert url in page
    detail = client.get(url).get_data(as_text=True)
    assert "6 Personen fehlt nur die Fähigkeit „Erste Hilfe“." in detail
    # 2 are not free then: hidden, and so is the next smallest count (5 too far), which the
    # reader could otherwise set against the 6 + 5 + 2 near misses elsewhere.
    assert "Einige Personen (Anzahl nicht gezeigt) sind höchstens 2 km zu weit entfernt." in detail
    assert "Einige Personen (Anzahl nicht gezeigt) sind nur zu diesen Zeiten nicht frei." in detail
    assert "Sanitätsdienst beim Stadtfest" in detail
    overview = client.get("/koordination/").get_data(as_text=True)
    assert "Lücken: Bedarf ohne Angebot" in overview and url in overview  # the largest gaps
    assert client.get(f"/koordination/luecken/{city['district']}/gardening").status_code == 404
    assert client.get("/koordination/luecken/9999/first-aid").status_code == 404


def test_no_gap_when_enough_people_can_take_the_places(app, client, login, session, city, now):
    assert len(gaps.compute(session, now=now)) == 1
    shift = session.exec(select(Shift).where(Shift.opportunity_id == city["need"].id)).one()
    shift.capacity = 5  # as many places as people who can take them
    session.add(shift)
    session.commit()
    assert gaps.compute(session, now=now) == []
    _run_rule(app, session, now)
    login(city["coordinator"])
    page = client.get("/koordination/luecken").get_data(as_text=True)
    assert "Keine Lücken" in page


def test_only_coordinators_see_the_gap_map(client, login, make_user, city):
    assert client.get("/koordination/luecken").status_code == 302
    login(make_user())
    assert client.get("/koordination/luecken").status_code == 404
