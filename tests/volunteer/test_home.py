"""Home: a search box (what + where), urgent needs of the coming days, figures under the
listing rule."""

from datetime import timedelta

import pytest

from tests.factories import make_opportunity, make_organisation, make_shift, seed_reference
from volunteer.catalogue.gazetteer import default_gazetteer
from volunteer.services.discovery import engine


@pytest.fixture
def city(session, now):
    seed_reference(session)
    verified = make_organisation(session, now, name="Tafel Bochum")
    hidden = make_organisation(session, now, name="Noch nicht geprüft", verified_at=None)
    soon = make_opportunity(session, now, verified, title="Morgen helfen")
    later = make_opportunity(session, now, verified, title="Im Januar helfen")
    unlisted = make_opportunity(session, now, hidden, title="Unsichtbar")
    make_shift(session, now, soon, starts_in=timedelta(days=2), capacity=4)
    make_shift(session, now, later, starts_in=timedelta(days=40), capacity=3)
    make_shift(session, now, unlisted, starts_in=timedelta(days=1), capacity=5)
    engine.invalidate()
    return soon, later, unlisted


def test_home_figures_count_only_listed_needs(client, city):
    page = client.get("/").get_data(as_text=True)
    assert "<strong>2</strong> Angebote" in page
    assert "<strong>1</strong> Verein" in page
    assert "<strong>7</strong> freie Plätze bei kommenden Terminen" in page


def test_home_shows_needs_of_the_coming_days_with_open_places(client, city):
    page = client.get("/").get_data(as_text=True)
    urgent = page[page.index("In den nächsten Tagen gebraucht") :]
    assert "Morgen helfen" in urgent
    assert "Im Januar helfen" not in urgent and "Unsichtbar" not in page


def test_home_search_box_asks_what_and_where(client, city):
    page = client.get("/").get_data(as_text=True)
    assert 'name="q"' in page and 'name="wo"' in page and 'action="/engagements/"' in page


def test_where_as_a_postcode_becomes_the_district_filter(client, city):
    district = default_gazetteer().postcode("44787").district_number
    response = client.get("/engagements/?q=Tafel&wo=44787")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/engagements/?q=Tafel&district={district}"


def test_where_as_a_district_name_becomes_the_district_filter(client, city):
    district = default_gazetteer().find_place("Langendreer").district_number
    response = client.get("/engagements/?wo=langendreer")
    assert response.headers["Location"] == f"/engagements/?district={district}"


def test_an_unknown_place_is_said_plainly_and_left_out(client, city):
    response = client.get("/engagements/?q=Tafel&wo=Atlantis", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "„Atlantis“ haben wir in Bochum nicht gefunden" in page
    assert "Morgen helfen" in page
