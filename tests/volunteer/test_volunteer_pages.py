"""The volunteer pages: profile with bad input, search with odd input, sign-up, my data."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from sqlmodel import col, select

from tests.factories import (
    TEST_PASSWORD,
    add_member,
    fill_profile,
    make_opportunity,
    make_organisation,
    make_shift,
    seed_reference,
    set_profile,
)
from volunteer.models import (
    Consent,
    District,
    HourEntry,
    HourState,
    Notice,
    Signup,
    SignupState,
    SkillSuggestion,
    Token,
    User,
    VolunteerProfile,
)
from volunteer.services.engagement import signups

PROFILE = {
    "location": "44787",
    "radius_km": "5",
    "availability": ["sat-morning", "mon-evening"],
    "skills": ["homework-help"],
    "causes": ["children-youth"],
    "languages": ["de", "en"],
    "age_group": "adult",
    "discoverable": "y",
    "digest_frequency": "weekly",
    "quiet_start_hour": "21",
    "quiet_end_hour": "8",
}


@pytest.fixture
def reference(session):
    seed_reference(session)


def _district(session):
    return session.exec(select(District).order_by(District.number)).first()


def test_new_volunteer_is_guided_to_the_profile_and_sees_recommendations(
    client, login, session, make_user, now, reference
):
    user = make_user()
    login(user)
    assert client.get("/").status_code == 200
    assert client.get("/ich/fuer-dich").headers["Location"].startswith("/ich/profil")
    assert client.get("/ich/profil/mehr").headers["Location"].startswith("/ich/profil")
    # Step one alone is enough for the first recommendations.
    response = client.post("/ich/profil", data=PROFILE)
    assert response.status_code == 302 and response.headers["Location"] == "/ich/fuer-dich"
    first = client.get("/ich/fuer-dich").get_data(as_text=True)
    assert "Fähigkeiten und Sprachen ergänzen" in first  # the signposted second step
    response = client.post("/ich/profil/mehr", data={**PROFILE, "skill_suggestion": "Jonglieren"})
    assert response.status_code == 302 and response.headers["Location"] == "/ich/fuer-dich"
    assert "Fähigkeiten und Sprachen ergänzen" not in client.get("/ich/fuer-dich").text
    profile = session.get(VolunteerProfile, user.id)
    assert profile.postcode == "44787" and profile.district_number is not None
    assert profile.radius_km == 5 and profile.quiet_start_hour == 21
    assert session.exec(select(SkillSuggestion)).one().text == "Jonglieren"
    assert session.exec(select(Consent).where(Consent.kind == "discoverable")).one()
    d = _district(session)
    opp = make_opportunity(
        session, now, title="Hausaufgaben begleiten", district_number=d.number, lat=d.lat, lon=d.lon
    )
    make_shift(session, now, opp, starts_in=timedelta(days=7, hours=1))  # Saturday 10:00
    from volunteer.services.discovery import engine

    engine.invalidate()
    assert client.get("/engagements/").status_code == 200  # warms the engine's cached index
    page = client.get("/ich/fuer-dich").get_data(as_text=True)  # rows of a closed session
    assert "Hausaufgaben begleiten" in page


@pytest.mark.parametrize(
    ("changes", "field", "text"),
    [
        ({"location": "4478"}, "location", "Postleitzahl kennen wir nicht"),
        ({"location": "10115"}, "location", "außerhalb"),
        ({"location": "Mondbasis Alpha"}, "location", "nicht finden"),
        ({"radius_km": "500"}, "radius_km", "zwischen 1 und 50 km"),
        ({"radius_km": "abc"}, "radius_km", "zwischen 1 und 50 km"),
        ({"availability": []}, "availability", "mindestens eine Zeit"),
        ({"age_group": "under16", "guardian_email": ""}, "guardian_email", "erziehungsberecht"),
    ],
)
def test_profile_step_one_rejects_bad_input_with_a_message_and_keeps_the_input(
    client, login, make_user, reference, changes, field, text
):
    login(make_user())
    response = client.post("/ich/profil", data={**PROFILE, **changes})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert text in page
    assert 'value="children-youth" id="cause-children-youth" checked' in page  # input kept
    if "availability" not in changes:
        assert 'value="sat-morning" id="slot-sat-morning" checked' in page


@pytest.mark.parametrize(
    ("changes", "field", "text"),
    [
        # The same quiet-hours rule as the notice settings page (notices.settings).
        ({"quiet_end_hour": ""}, "quiet_start_hour", "wann die Ruhezeit beginnt und wann"),
        ({"quiet_end_hour": "21"}, "quiet_end_hour", "anderen Stunde enden"),
        ({"skill_suggestion": "x" * 161}, "skill_suggestion", "160"),
    ],
)
def test_profile_step_two_rejects_bad_input_with_a_message_and_keeps_the_input(
    client, login, make_user, reference, changes, field, text
):
    login(make_user())
    assert client.post("/ich/profil", data=PROFILE).status_code == 302
    response = client.post(
        "/ich/profil/mehr", data={**PROFILE, "about": "Ich lese gern", **changes}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert text in page
    assert 'value="homework-help" id="skills-homework-help" checked' in page  # input kept
    assert 'value="en" id="languages-en" checked' in page and "Ich lese gern" in page


ODD_QUERIES = [
    "q=" + "x" * 3000,  # longer request lines get a 414 (test_odd_input)
    "q=%27%3B+DROP+TABLE+opportunity%3B--",
    "q=%25%25_%5C",
    "q=%00%FF",
    "skill=nope&cause=%3Cscript%3E&district=-1&radius=9999",
    "from=2026-13-45&to=yesterday",
    "from=2027-01-10&to=2026-12-01",
    "page=0",
    "page=-5",
    "page=99999999999999999999",
    "page=abc",
    "sort=DROP&kind=sometimes&fits=yes",
    "fits=1&radius=5&sort=nearest",
    "district=1&district=2",
]


@pytest.mark.parametrize("query", ODD_QUERIES)
def test_nothing_typed_into_search_causes_an_error(client, session, now, reference, query):
    make_shift(session, now)
    response = client.get(f"/engagements/?{query}", follow_redirects=True)
    assert response.status_code == 200


def test_search_filters_sorts_and_paginates_with_stable_urls(
    client, login, session, make_user, now, reference
):
    d = _district(session)
    org = make_organisation(session, now, name="Kinderhaus Bochum")
    for i in range(25):
        opp = make_opportunity(
            session,
            now,
            org,
            title=f"Lesepate {i:02d}",
            minors_ok=i % 2 == 0,
            district_number=d.number,
            lat=d.lat,
            lon=d.lon,
        )
        make_shift(session, now, opp, starts_in=timedelta(days=1 + i))
    other = make_opportunity(session, now, title="Gartenarbeit", step_free=True, regular=True)
    make_shift(session, now, other, starts_in=timedelta(hours=5))

    page1 = client.get("/engagements/?q=lesepate&sort=soonest").get_data(as_text=True)
    assert "25 Engagements" in page1 and "Lesepate 00" in page1 and "Lesepate 24" not in page1
    assert "page=2" in page1
    page2 = client.get("/engagements/?q=lesepate&sort=soonest&page=2").get_data(as_text=True)
    assert "Lesepate 24" in page2 and "Lesepate 00" not in page2
    assert "13 Engagements" in client.get("/engagements/?q=lesepate&minors=1").get_data(
        as_text=True
    )
    assert "Gartenarbeit" in client.get("/engagements/?step_free=1&kind=regular").get_data(
        as_text=True
    )
    by_org = client.get("/engagements/?q=kinderhaus").get_data(as_text=True)
    assert "25 Engagements" in by_org
    soonest = client.get("/engagements/").get_data(as_text=True)
    assert soonest.index("Gartenarbeit") < soonest.index("Lesepate 00")
    assert client.get("/engagements/?q=lesepate&page=7").headers["Location"].endswith("page=2")
    districts = client.get("/engagements/stadtteile").get_data(as_text=True)
    assert f"district={d.number}" in districts and "<svg" in districts


def test_opportunity_page_explains_fit_and_sign_up_warns_about_clashes(
    client, login, session, make_user, now, reference
):
    user = make_user()
    login(user)
    fill_profile(client, PROFILE)
    d = _district(session)
    org = make_organisation(session, now)
    admin = make_user()
    add_member(session, org, admin)
    opp = make_opportunity(session, now, org, district_number=d.number, lat=d.lat, lon=d.lon)
    first = make_shift(session, now, opp, starts_in=timedelta(days=7, hours=1), capacity=1)
    overlapping = make_shift(session, now, opp, starts_in=timedelta(days=7, hours=2))
    page = client.get(f"/engagements/{opp.id}").get_data(as_text=True)
    assert "Warum das zu dir passt" in page and "1 von 1 Plätzen frei" in page

    assert (
        client.post(
            f"/engagements/schichten/{first.id}/anmelden", data={"message": "Hallo"}
        ).status_code
        == 302
    )
    signup = session.exec(select(Signup).where(Signup.shift_id == first.id)).one()
    assert signup.state == SignupState.APPLIED and signup.message == "Hallo"
    again = client.post(f"/engagements/schichten/{first.id}/anmelden", follow_redirects=True)
    assert "schon angemeldet" in again.get_data(as_text=True)

    clash = client.post(f"/engagements/schichten/{overlapping.id}/anmelden", data={})
    assert clash.status_code == 409 and "überschneidet" in clash.get_data(as_text=True)
    ok = client.post(
        f"/engagements/schichten/{overlapping.id}/anmelden", data={"confirm_clash": "y"}
    )
    assert ok.status_code == 302

    other = make_user()
    login(other)
    full = client.post(f"/engagements/schichten/{first.id}/anmelden", follow_redirects=True)
    assert "voll" in full.get_data(as_text=True)
    client.post(f"/engagements/schichten/{first.id}/anmelden", data={"join_waitlist": "y"})
    waiting = session.exec(select(Signup).where(Signup.user_id == other.id)).one()
    assert waiting.state == SignupState.WAITLISTED

    login(user)
    withdraw = f"/engagements/anmeldungen/{signup.id}/abmelden"
    asked = client.post(withdraw, data={"reason": "krank"})  # one click only asks
    assert asked.status_code == 200 and "Von diesem Termin abmelden?" in asked.text
    assert ">krank</textarea>" in asked.text
    session.expire_all()
    assert session.get(Signup, signup.id).state == SignupState.APPLIED
    response = client.post(withdraw, data={"reason": "krank", "confirmed": "1"})
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Signup, signup.id).state == SignupState.WITHDRAWN
    assert session.get(Signup, waiting.id).state == SignupState.APPLIED
    login(other)
    assert client.post(f"/engagements/anmeldungen/{signup.id}/abmelden").status_code == 404
    ics = client.get(f"/engagements/schichten/{first.id}.ics")
    assert ics.mimetype == "text/calendar" and b"TZID:Europe/Berlin" in ics.data


def test_unpublished_needs_are_404_and_sign_up_needs_an_account(client, session, now):
    draft = make_opportunity(session, now, status="draft")
    shift = make_shift(session, now, draft)
    assert client.get(f"/engagements/{draft.id}").status_code == 404
    assert client.get(f"/engagements/schichten/{shift.id}.ics").status_code == 404
    public = make_shift(session, now)
    response = client.post(f"/engagements/schichten/{public.id}/anmelden")
    assert response.status_code == 302 and "/konto/anmelden" in response.headers["Location"]


def test_my_data_needs_a_fresh_password_then_exports_everything(
    client, login, session, make_user, now, reference
):
    user = make_user()
    login(user)
    fill_profile(client, PROFILE)
    signups.sign_up(session, user, make_shift(session, now), now=now)
    session.commit()
    assert client.post("/ich/meine-daten/export").headers["Location"].endswith("/ich/meine-daten")
    client.post("/ich/meine-daten/bestaetigen", data={"password": "falsch"})
    assert client.post("/ich/meine-daten/export").status_code == 302
    client.post("/ich/meine-daten/bestaetigen", data={"password": TEST_PASSWORD})
    response = client.post("/ich/meine-daten/export")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = set(archive.namelist())
    assert {"mitwirken.json", "signups.csv", "profile.csv", "consents.csv"} <= names
    data = json.loads(archive.read("mitwirken.json"))
    assert data["account"][0]["email"] == user.email
    assert data["signups"][0]["organisation"] == "Tafel Bochum"
    assert [s["skill_id_label"] for s in data["skills"]] == ["Hausaufgabenhilfe"]
    assert "password_hash" not in json.dumps(data)
    assert "Tafel Bochum" in archive.read("signups.csv").decode("utf-8-sig")


def test_deleting_the_account_erases_the_person_and_keeps_the_statistics(
    client, login, session, make_user, now, reference
):
    org = make_organisation(session, now)
    admin = make_user()
    add_member(session, org, admin)
    opp = make_opportunity(session, now, org)
    upcoming = make_shift(session, now, opp, capacity=1)
    past = make_shift(session, now, opp, starts_in=timedelta(days=-10))
    user = make_user(email="weg@example.org")
    set_profile(session, user, postcode="44787")
    signups.sign_up(session, user, upcoming, now=now, message="Bis bald")
    waiting = make_user()
    signups.sign_up(session, waiting, upcoming, now=now, join_waitlist=True)
    session.add(Signup(shift_id=past.id, user_id=user.id, state=SignupState.ATTENDED))
    session.add(
        HourEntry(
            user_id=user.id,
            organisation_id=org.id,
            worked_on=now.date() - timedelta(days=10),
            minutes=180,
            state=HourState.CONFIRMED,
            note="Danke",
        )
    )
    session.commit()
    login(user)
    client.post("/ich/meine-daten/bestaetigen", data={"password": TEST_PASSWORD})
    assert client.post("/ich/meine-daten/loeschen", data={}).status_code == 302
    assert session.get(User, user.id).deleted_at is None  # not without the tick
    response = client.post("/ich/meine-daten/loeschen", data={"confirm": "y"})
    assert response.status_code == 302
    session.expire_all()
    gone = session.get(User, user.id)
    assert gone.deleted_at is not None and "weg@" not in gone.email and gone.first_name == ""
    assert session.get(VolunteerProfile, user.id) is None
    assert session.exec(select(Signup).where(Signup.user_id == user.id)).all() == []
    assert session.exec(select(Consent).where(Consent.user_id == user.id)).all() == []
    assert session.exec(select(Token).where(Token.user_id == user.id)).all() == []
    # Statistics stay: three sign-ups on the shifts, 180 confirmed minutes for the organisation.
    assert len(session.exec(select(Signup)).all()) == 3
    hours = session.exec(select(HourEntry)).one()
    assert hours.user_id is None and hours.minutes == 180 and hours.note == ""
    anonymous = session.exec(
        select(Signup).where(Signup.shift_id == upcoming.id, col(Signup.user_id).is_(None))
    ).one()
    assert anonymous.state == SignupState.WITHDRAWN and anonymous.message == ""
    # The organisation was told, and the waiting person moved up.
    assert session.exec(
        select(Notice).where(Notice.kind == "signup_withdrawn", Notice.user_id == admin.id)
    ).first()
    assert session.exec(select(Signup).where(Signup.user_id == waiting.id)).one().state == "applied"
    # The old session is dead and the old password does not work.
    assert client.get("/ich/engagements").status_code == 302
    login_again = client.post(
        "/konto/anmelden", data={"email": "weg@example.org", "password": TEST_PASSWORD}
    )
    assert login_again.status_code != 302 or "/ich" not in login_again.headers.get("Location", "")
