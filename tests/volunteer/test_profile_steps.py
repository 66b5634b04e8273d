"""The two-step profile: the first answers lead straight to recommendations; skills come as
grouped chips, the most asked for first, computed from upcoming needs with an open place."""

import html
from datetime import timedelta

import pytest
from sqlmodel import select

from tests.factories import (
    fill_profile,
    make_opportunity,
    make_organisation,
    make_shift,
)
from volunteer.catalogue.sync import sync_reference_data
from volunteer.models import District, OpportunitySkill, Signup, SignupState, Skill
from volunteer.services.discovery import engine

STEP_ONE = {
    "location": "44787",
    "radius_km": "5",
    "availability": ["sat-morning"],
    "causes": ["children-youth"],
    "age_group": "adult",
}


@pytest.fixture
def reference(session):
    sync_reference_data(session)
    session.commit()
    engine.invalidate()
    yield
    engine.invalidate()


def _need_asking_for(session, now, org, *slugs, taken_by=None, upcoming=True):
    district = session.exec(select(District).order_by(District.number)).first()
    opp = make_opportunity(
        session, now, org, district_number=district.number, lat=district.lat, lon=district.lon
    )
    for slug in slugs:
        skill = session.exec(select(Skill).where(Skill.slug == slug)).one()
        session.add(OpportunitySkill(opportunity_id=opp.id, skill_id=skill.id, required=True))
    starts_in = timedelta(days=7, hours=1) if upcoming else timedelta(days=-2)
    shift = make_shift(session, now, opp, starts_in=starts_in, capacity=1)
    if taken_by is not None:  # the only place is taken
        session.add(Signup(shift_id=shift.id, user_id=taken_by.id, state=SignupState.ACCEPTED))
        session.commit()
    return opp


def _section(page: str, start: str, end: str) -> str:
    return page[page.index(start) : page.index(end, page.index(start))]


def test_step_one_leads_straight_to_recommendations(
    client, login, session, make_user, now, reference
):
    user = make_user()
    login(user)
    org = make_organisation(session, now)
    _need_asking_for(session, now, org, "first-aid")
    page = client.get("/ich/profil?welcome=1").text
    assert "Schritt 1 von 2" in page and 'name="skills"' not in page  # skills come later
    response = client.post("/ich/profil", data=STEP_ONE)
    assert response.headers["Location"] == "/ich/fuer-dich"
    recommendations = client.get("/ich/fuer-dich").text
    assert "Lebensmittel sortieren" in recommendations
    assert 'href="/ich/profil/mehr"' in recommendations  # step two is signposted
    assert 'href="/ich/profil/mehr"' in client.get("/ich/profil").text


def test_skill_chips_are_grouped_and_the_most_asked_for_come_first(
    client, login, session, make_user, now, reference
):
    login(make_user())
    org = make_organisation(session, now)
    _need_asking_for(session, now, org, "first-aid", "cooking-for-groups")
    _need_asking_for(session, now, org, "first-aid")
    _need_asking_for(session, now, org, "reading-aloud")
    # Not asked for now: a full shift and a past one do not count.
    _need_asking_for(session, now, org, "driving-service", taken_by=make_user())
    _need_asking_for(session, now, org, "driving-licence-b", upcoming=False)
    fill_profile(client, {**STEP_ONE, "skills": ["driving-service"], "languages": ["de"]})

    page = client.get("/ich/profil/mehr").text
    first = _section(page, "Deine Auswahl und was gerade besonders gefragt ist", "</fieldset>")
    chips = [chunk.split('"')[0] for chunk in first.split('name="skills" value="')[1:]]
    # first-aid (2 needs) first, then reading and cooking (1 each, in the taxonomy's order),
    # then what the person chose: never hidden behind the disclosure.
    assert chips == ["first-aid", "reading-aloud", "cooking-for-groups", "driving-service"]
    assert 'value="driving-service" id="skills-driving-service" checked' in first
    rest = _section(page, "Alle Fähigkeiten, nach Bereich", "</details>")
    # Every other skill is there once, grouped by the taxonomy's areas in its order.
    legends = [html.unescape(c.split("<")[0]) for c in rest.split("<legend>")[1:]]
    assert legends[:3] == ["Bildung & Lernen", "Betreuung & Begleitung", "Sprachen & Übersetzen"]
    assert page.count('value="first-aid"') == 1 and 'value="homework-help"' in rest
    assert 'value="driving-service"' not in rest and "checked" not in rest
    assert '<details class="disclosure chip-more">' in page  # closed: the page stays short
    # Searchable without JavaScript: plain checkboxes; the filter box is for scripts only.
    assert 'class="js-only chip-filter"' in page and "js/volunteers.js" in page
    assert 'data-terms="führerschein klasse b driving licence' in page  # synonyms filter too


def test_languages_show_the_common_ones_first_and_the_rest_behind_a_disclosure(
    client, login, make_user, reference
):
    login(make_user())
    fill_profile(client, {**STEP_ONE, "languages": ["de", "ti"]})
    page = client.get("/ich/profil/mehr").text
    first = _section(page, "Deine Sprachen und die hier am häufigsten", "</fieldset>")
    assert 'value="de"' in first and 'value="tr"' in first
    assert 'value="ti" id="languages-ti" checked' in first  # a ticked one is never hidden
    rest = _section(page, "Weitere Sprachen", "</details>")
    assert 'value="gsg"' in rest and 'value="ti"' not in rest
    response = client.post(
        "/ich/profil/mehr", data={"languages": ["ar", "gsg"], "digest_frequency": "weekly"}
    )
    assert response.status_code == 302
    page = client.get("/ich/profil/mehr").text
    assert 'value="gsg" id="languages-gsg" checked' in page
    assert 'value="de" id="languages-de" checked' not in page


def test_step_two_before_step_one_is_sent_to_step_one(client, login, make_user, reference):
    login(make_user())
    response = client.post("/ich/profil/mehr", data={"skills": ["first-aid"]})
    assert response.status_code == 302 and "/ich/profil" in response.headers["Location"]
