"""Cards and need pages that invite: logo or initials, cause icon, next date, places, distance,
and "passt zu dir" with the engine's top reason for a logged-in volunteer."""

import re
from datetime import timedelta

import pytest
from sqlmodel import select

from tests.factories import (
    fill_profile,
    make_opportunity,
    make_organisation,
    make_shift,
    seed_reference,
)
from tests.volunteer.test_volunteer_pages import PROFILE
from volunteer.models import Cause, District, OpportunityCause
from volunteer.services.discovery import engine


@pytest.fixture
def need(session, now):
    seed_reference(session)
    d = session.exec(select(District).order_by(District.number)).first()
    org = make_organisation(session, now, name="Kinderhilfe Hamme e.V.")
    opp = make_opportunity(
        session,
        now,
        org,
        title="Hausaufgaben begleiten",
        district_number=d.number,
        lat=d.lat,
        lon=d.lon,
    )
    cause = session.exec(select(Cause).where(Cause.slug == "children-youth")).one()
    session.add(OpportunityCause(opportunity_id=opp.id, cause_id=cause.id))
    make_shift(session, now, opp, starts_in=timedelta(days=7, hours=1), capacity=3)
    make_shift(session, now, opp, starts_in=timedelta(days=40, hours=1), capacity=3)
    engine.invalidate()
    return opp


def test_a_visitor_sees_initials_cause_date_and_places_but_no_fit_badge(client, need):
    page = client.get("/engagements/").get_data(as_text=True)
    assert "Hausaufgaben begleiten" in page
    assert ">KH</span>" in page  # initials avatar: no logo uploaded
    assert "causes.svg" in page and "#children-youth" in page and "Kinder &amp; Jugend" in page
    assert 'class="date-chip"' in page and "Nächster Termin:" in page
    assert "6 Plätze frei" in page
    assert "Passt zu dir" not in page


def test_a_volunteer_sees_fits_you_with_the_top_reason_and_a_distance_band(
    client, login, make_user, need
):
    login(make_user())
    fill_profile(client, PROFILE)
    engine.invalidate()
    page = client.get("/engagements/").get_data(as_text=True)
    assert "Passt zu dir" in page
    assert 'class="badge-match-reason"' in page
    assert " km" in page and ("unter " in page or "–" in page)
    page = client.get("/ich/fuer-dich").get_data(as_text=True)
    assert "Hausaufgaben begleiten" in page and "Passt zu dir" in page
    assert "Warum das zu dir passt" in page
    # The fit as a percentage in the reader's format: "Passt zu 85 %" / "Fits 85%".
    assert re.search(r"Passt zu \d{1,3}\xa0%", page)
    client.post("/sprache", data={"lang": "en", "next": "/ich/fuer-dich"})
    english = client.get("/ich/fuer-dich").get_data(as_text=True)
    assert re.search(r"Fits \d{1,3}%", english)


def test_need_page_lists_dates_grouped_by_month(client, need, now):
    page = client.get(f"/engagements/{need.id}").get_data(as_text=True)
    months = [m for m in ("Dezember 2026", "Januar 2027") if f'class="shift-month">{m}<' in page]
    assert months == ["Dezember 2026", "Januar 2027"]
    assert page.count('class="shift shift-row"') == 2
    assert "Sa., 5. Dez., 11:00–14:00" in page  # 10:00 UTC is 11:00 in Berlin
