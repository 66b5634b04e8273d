"""Each input that gave a 500 in the audit now gets a 4xx or a clear form error."""

import pytest
from sqlmodel import select

from tests.factories import create_need, fill_profile, register_org, seed_reference
from volunteer.demo.city import Scale, load_demo_data
from volunteer.models import Organisation, Role, Shift, VolunteerProfile


@pytest.fixture
def city(session, now):
    load_demo_data(session, now=now, scale=Scale(10, 10, 10), progress=False)
    session.commit()


@pytest.mark.parametrize(
    "url",
    [
        "/engagements/9223372036854775808",
        "/engagements/99999999999999999999999",
        "/engagements/2147483648",
        "/api/v1/opportunities/9223372036854775808",
        "/vereine/9223372036854775808/",
    ],
)
def test_ids_beyond_the_id_range_answer_404(client, url):
    response = client.get(url)
    assert response.status_code == 404
    if url.startswith("/api/"):
        assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize(
    "query",
    ["page=²", "district=²", "page=١٢", "to=9999-12-31", "from=0001-01-01", "from=20261224"],
)
def test_unicode_digits_and_far_dates_are_a_400_on_the_api(client, city, query):
    response = client.get(f"/api/v1/opportunities?{query}")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert response.json["invalid_params"]


@pytest.mark.parametrize(
    "query", ["page=²", "district=²", "to=9999-12-31", "from=9999-12-31&to=9999-12-31", "radius=²"]
)
def test_the_search_page_ignores_what_it_cannot_read(client, city, query):
    assert client.get(f"/engagements/?{query}").status_code == 200


def test_inbox_page_with_unicode_digits(client, login, make_user):
    login(make_user())
    assert client.get("/postfach/?seite=²").status_code == 200


@pytest.mark.parametrize("radius", ["sNaN", "NaN", "Infinity", "1e3", "²"])
def test_a_radius_that_is_no_number_is_a_form_error(client, login, make_user, session, radius):
    seed_reference(session)
    login(make_user())
    response = client.post(
        "/ich/profil", data={"location": "44787", "radius_km": radius, "availability": []}
    )
    assert response.status_code == 422
    assert "zwischen 1 und 50 km" in response.text or "Zahl" in response.text


def test_control_characters_are_stripped_from_every_text_field(
    client, login, make_user, session, now
):
    seed_reference(session)
    admin = make_user()
    org = register_org(session, admin, now=now, coordinator=make_user(role=Role.COORDINATOR))
    need = create_need(session, org, admin, now=now)
    login(admin)
    response = client.post(
        f"/vereine/{org.id}/einsaetze/{need.id}/termine/neu",
        data={
            "day": (now.date().replace(year=now.year + 1)).isoformat(),
            "start_time": "10:00",
            "end_time": "12:00",
            "capacity": "2",
            "place": "Hinter\x00eingang\x07 B\x1b",
            "repeat": "once",
            "every_weeks": "1",
        },
    )
    assert response.status_code == 302
    shift = session.exec(select(Shift).where(Shift.opportunity_id == need.id)).one()
    assert shift.place == "Hintereingang B"


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "2026-02-30", "²"])
def test_a_shift_date_out_of_range_is_a_form_error(client, login, make_user, session, now, day):
    seed_reference(session)
    admin = make_user()
    org = register_org(session, admin, now=now, coordinator=make_user(role=Role.COORDINATOR))
    need = create_need(session, org, admin, now=now)
    login(admin)
    response = client.post(
        f"/vereine/{org.id}/einsaetze/{need.id}/termine/neu",
        data={
            "day": day,
            "start_time": "10:00",
            "end_time": "12:00",
            "capacity": "2",
            "repeat": "weekly",
            "repeat_until": day,
            "weekdays": ["0", "99999999999999999999"],
            "every_weeks": "1",
        },
    )
    assert response.status_code == 422


def test_huge_ids_in_checkbox_lists_are_dropped(client, login, make_user, session, now):
    seed_reference(session)
    admin = make_user()
    org = register_org(session, admin, now=now, coordinator=make_user(role=Role.COORDINATOR))
    need = create_need(session, org, admin, now=now)
    login(admin)
    huge = ["9223372036854775808", "99999999999999999999", "-1", "²", *map(str, range(2000))]
    response = client.post(
        f"/vereine/{org.id}/einsaetze/{need.id}/bearbeiten",
        data={
            "title": "Lebensmittel sortieren",
            "description": "Wir sortieren.",
            "address": "44787",
            "causes": huge,
            "required_skills": huge,
            "optional_skills": huge,
        },
    )
    assert response.status_code < 500
    response = client.post(f"/vereine/{org.id}/stunden", data={"entries": huge, "action": "x"})
    assert response.status_code < 500


def test_nul_bytes_in_names_and_profile_text_are_stored_without_them(
    client, login, make_user, session
):
    seed_reference(session)
    user = make_user()
    login(user)
    response = client.post(
        "/vereine/registrieren",
        data={
            "name": "Tafel\x00 Bochum",
            "kind": "verein",
            "address": "44787",
            "contact_email": "info@tafel.example",
            "description": "Wir\x00 retten",
        },
    )
    assert response.status_code == 302
    org = session.exec(select(Organisation)).one()
    assert org.name == "Tafel Bochum" and "\x00" not in (org.description or "")
    fill_profile(
        client,
        {
            "location": "4478\x007",
            "radius_km": "5",
            "about": "Ich\x00 helfe gern",
            "age_group": "adult",
            "availability": ["mon-morning"],
            "digest_frequency": "weekly",
        },
    )
    profile = session.exec(select(VolunteerProfile).where(VolunteerProfile.user_id == user.id))
    assert all("\x00" not in (p.about or "") for p in profile)


def test_path_segments_with_control_characters_answer_404(client):
    assert client.get("/ich/kalender/ab%00cd.ics").status_code == 404
    assert client.get("/konto/bestaetigen/%00").status_code == 404


def test_an_overlong_request_line_is_a_414_problem_on_the_api(client):
    response = client.get("/api/v1/opportunities?q=" + "x" * 5000)
    assert response.status_code == 414
    assert response.mimetype == "application/problem+json"
    page = client.get("/engagements/?q=" + "x" * 5000)
    assert page.status_code == 414 and "zu lang" in page.text


def test_oversized_headers_are_a_431_problem_on_the_api(client):
    response = client.get("/api/v1/taxonomy", headers={"X-Big": "y" * 9000})
    assert response.status_code == 431
    assert response.mimetype == "application/problem+json"
