"""Consent at the point of use: who associations and coordinators see, and the consent records.

A child under 16 is invisible to associations and coordinators until a guardian consents and
again the moment consent is withdrawn; being findable is opt-in and can be switched off at any
time, with immediate effect in the engine's pools. Each test goes through the pages people use.
"""

import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, col, select

from tests.factories import (
    add_member,
    fill_profile,
    make_opportunity,
    make_organisation,
    make_shift,
    seed_reference,
)
from volunteer.models import (
    AuditEntry,
    Consent,
    District,
    GuardianRequest,
    GuardianState,
    HourEntry,
    HourState,
    Notice,
    ProposalPair,
    Signup,
    SignupState,
    User,
    VolunteerProfile,
)
from volunteer.services.accounts import consents, guardians
from volunteer.services.coordination import proposal
from volunteer.services.discovery import engine
from volunteer.services.engagement import signups

PROFILE = {
    "location": "44787",
    "radius_km": "10",
    "availability": ["sat-morning"],
    "languages": ["de"],
    "age_group": "adult",
    "digest_frequency": "weekly",
}

CHILD = {"age_group": "under16", "guardian_email": "eltern@example.org"}


@pytest.fixture(autouse=True)
def _fresh_cache():
    engine.invalidate()
    yield
    engine.invalidate()


@pytest.fixture
def reference(session: Session) -> None:
    seed_reference(session)


@pytest.fixture
def need(session, now, reference):
    """A verified association's published need open to minors, next Saturday morning."""
    district = session.exec(
        select(District).where(District.number == _district_of(session, "44787"))
    ).one()
    org = make_organisation(session, now)
    opp = make_opportunity(
        session, now, org, title="Vorlesen in der Bücherei", minors_ok=True,
        lat=district.lat, lon=district.lon,
    )  # fmt: skip
    shift = make_shift(session, now, opp, starts_in=timedelta(days=7, hours=1))
    return org, opp, shift


def _district_of(session: Session, postcode: str) -> int:
    from volunteer.catalogue.geocoding import make_geocoder

    place = make_geocoder({}).geocode(postcode)
    assert place is not None and place.district_number is not None
    return place.district_number


def _save_profile(client: FlaskClient, **changes: object) -> None:
    fill_profile(client, {**PROFILE, **changes})


def _candidates_page(client: FlaskClient, org, opp) -> str:
    response = client.get(f"/vereine/{org.id}/einsaetze/{opp.id}/kandidaten")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _link_token(app: Flask, session: Session, user: User) -> str:
    req = session.exec(select(GuardianRequest).where(GuardianRequest.user_id == user.id)).one()
    assert req.id is not None
    return guardians.make_link_token(app.config["SECRET_KEY"], req.id)


def _proposed(session: Session, by: User, now) -> set[int]:
    """Who a coordinator's city-wide proposal would suggest, computed as the worker does."""
    run = proposal.queue(session, proposal.default_options(now=now), by=by, now=now)
    proposal.compute(session, run, now=now)
    session.commit()
    return set(
        session.exec(select(ProposalPair.volunteer_id).where(ProposalPair.run_id == run.id)).all()
    )


def _as(client: FlaskClient, login, user: User) -> FlaskClient:
    client.get("/konto/abmelden")
    return login(user)


# --- opt-in ------------------------------------------------------------------------------------
def test_being_findable_is_unticked_by_default_and_recorded_with_the_wording(
    client, login, session, make_user, need, app
):
    user = make_user(first_name="Jonas")
    login(user)
    assert client.post("/ich/profil", data=PROFILE).status_code == 302  # step one first
    page = client.get("/ich/profil/mehr").get_data(as_text=True)
    box = page[page.index('name="discoverable"') - 200 : page.index('name="discoverable"') + 200]
    assert "checked" not in box
    assert "Vereine dürfen mich finden" in page

    _save_profile(client)  # the box left unticked
    org, opp, _shift = need
    admin = make_user(first_name="Vera")
    add_member(session, org, admin)
    _as(client, login, admin)
    assert "Jonas" not in _candidates_page(client, org, opp)

    _as(client, login, user)
    _save_profile(client, discoverable="y")
    consent = session.exec(select(Consent).where(Consent.kind == "discoverable")).one()
    with app.test_request_context(headers={"Accept-Language": "de"}):
        from volunteer.web.wording.consents import shown

        wording = shown(consents.DISCOVERABLE)
    assert consent.version == wording.version and consent.version != "1"
    assert consent.text_sha256 == consents.text_hash(
        "Vereine dürfen mich finden und einladen. Bevor ich mich bewerbe, sehen sie nur meinen "
        "Vornamen, meinen Stadtteil und ungefähr, wie weit entfernt ich wohne. Ich kann das "
        "jederzeit abschalten."
    )
    _as(client, login, admin)
    assert "Jonas" in _candidates_page(client, org, opp)


def test_switching_off_takes_effect_in_the_engines_pool_at_once(
    client, login, session, make_user, need, now
):
    _org, opp, _shift = need
    user = make_user(first_name="Jonas")
    login(user)
    _save_profile(client, discoverable="y")
    assert user.id in engine.volunteer_pool(session).user_ids  # cached now

    # Another process switches it off: this process's cache is not told (no invalidate).
    profile = session.get(VolunteerProfile, user.id)
    profile.discoverable = False
    profile.updated_at = now + timedelta(seconds=1)
    session.add(profile)
    session.commit()
    assert user.id not in engine.volunteer_pool(session).user_ids
    assert engine.candidates(session, opp, now=now) == []


def test_consents_are_withdrawn_on_my_data_and_the_history_says_so(
    client, login, session, make_user, need, now
):
    _org, opp, _shift = need
    user = make_user(first_name="Jonas")
    login(user)
    _save_profile(client, discoverable="y")
    session.add(
        Consent(user_id=user.id, kind="privacy", version="2026-12-01", text_sha256="a" * 64)
    )
    session.commit()
    response = client.post("/ich/meine-daten/einwilligungen/discoverable/widerrufen")
    assert response.status_code == 302
    session.expire_all()
    assert session.get(VolunteerProfile, user.id).discoverable is False
    record = session.exec(select(Consent).where(Consent.kind == "discoverable")).one()
    assert record.withdrawn_at is not None and record.withdrawn_how == "profile"
    assert engine.candidates(session, opp, now=now) == []

    page = client.get("/ich/meine-daten").get_data(as_text=True)
    assert "Widerrufen am" in page and "von dir widerrufen" in page
    assert "Abgesagt" not in page
    assert record.text_sha256[:12] in page and "2026-12-01" in page

    # The privacy consent carries the account: withdrawing it leads to deleting the account.
    response = client.post("/ich/meine-daten/einwilligungen/privacy/widerrufen")
    assert response.headers["Location"].endswith("/ich/meine-daten#actions")
    assert session.exec(
        select(Consent).where(Consent.kind == "privacy", col(Consent.withdrawn_at).is_(None))
    ).one()
    assert client.post("/ich/meine-daten/einwilligungen/nonsense/widerrufen").status_code == 302


def test_registration_records_the_privacy_wording(client, session, reference):
    response = client.post(
        "/konto/registrieren",
        data={
            "first_name": "Aylin",
            "email": "aylin@example.org",
            "password": "ein langer satz zum merken",
            "accept_terms": "y",
        },
    )
    assert response.status_code == 302
    consent = session.exec(select(Consent).where(Consent.kind == "privacy")).one()
    assert consent.version == "2026-12-01" and len(consent.text_sha256) == 64


# --- children under 16 -------------------------------------------------------------------------
def test_a_child_is_invisible_until_a_guardian_consents_and_again_after_withdrawal(
    app, client, login, session, make_user, need, now
):
    org, opp, shift = need
    admin = make_user(first_name="Vera")
    add_member(session, org, admin)
    coordinator = make_user(first_name="Kim", role="coordinator")
    child = make_user(first_name="Mia")
    login(child)
    _save_profile(
        client, age_group="under16", guardian_email="eltern@example.org", discoverable="y"
    )

    # Before consent: no candidate, no invitation, no proposal, no "shift not full" suggestion.
    _as(client, login, admin)
    assert "Mia" not in _candidates_page(client, org, opp)
    response = client.post(f"/vereine/{org.id}/einsaetze/{opp.id}/kandidaten/{child.id}/einladen")
    assert response.status_code == 404
    assert not session.exec(select(Notice).where(Notice.kind == "candidate_invited")).all()
    assert child.id not in _proposed(session, coordinator, now)
    assert child.id not in engine.volunteer_pool(session).user_ids
    with pytest.raises(Exception, match="guardian_consent_missing"):
        signups.sign_up(session, child, shift, now=now)

    # The guardian consents on the page the mail links to.
    token = _link_token(app, session, child)
    client.get("/konto/abmelden")
    page = client.get(f"/ich/einwilligung/{token}").get_data(as_text=True)
    assert "Einwilligung für Mia" in page and "Ich willige nicht ein" in page
    assert client.post(f"/ich/einwilligung/{token}", data={"answer": "consent"}).status_code == 302
    session.expire_all()
    assert session.get(VolunteerProfile, child.id).guardian_consent_at is not None
    guardian_consent = session.exec(select(Consent).where(Consent.kind == "guardian")).one()
    assert len(guardian_consent.text_sha256) == 64

    login(admin)
    assert "Mia" in _candidates_page(client, org, opp)
    assert child.id in _proposed(session, coordinator, now)
    # Proposed before she signs up (once signed up for a need, nobody is proposed for it).
    stored = proposal.queue(session, proposal.default_options(now=now), by=coordinator, now=now)
    proposal.compute(session, stored, now=now)
    session.commit()
    child_pairs = session.exec(
        select(ProposalPair.id).where(
            ProposalPair.run_id == stored.id, ProposalPair.volunteer_id == child.id
        )
    ).all()
    assert child_pairs

    signup = signups.sign_up(session, child, shift, now=now)
    session.commit()
    roster = client.get(f"/vereine/{org.id}/termine/{shift.id}").get_data(as_text=True)
    assert "Mia" in roster

    # The guardian withdraws later through the same link: at once, everywhere.
    client.get("/konto/abmelden")
    page = client.get(f"/ich/einwilligung/{token}").get_data(as_text=True)
    assert "Meine Einwilligung widerrufen" in page
    assert client.post(f"/ich/einwilligung/{token}", data={"answer": "withdraw"}).status_code == 302
    session.expire_all()
    assert session.get(Signup, signup.id).state == SignupState.WITHDRAWN
    assert session.get(VolunteerProfile, child.id).guardian_consent_at is None
    record = session.get(Consent, guardian_consent.id)
    assert record.withdrawn_at is not None and record.withdrawn_how == "guardian_link"
    login(admin)
    assert "Mia" not in _candidates_page(client, org, opp)
    roster = client.get(f"/vereine/{org.id}/termine/{shift.id}").get_data(as_text=True)
    assert "Mia" not in roster
    assert "Mia" not in client.get(f"/vereine/{org.id}/bewerbungen").get_data(as_text=True)
    session.add(
        HourEntry(
            user_id=child.id, organisation_id=org.id, worked_on=now.date(), minutes=60,
            state=HourState.CONFIRMED, created_at=now,
        )
    )  # fmt: skip
    session.commit()
    assert "Mia" not in client.get(f"/vereine/{org.id}/stunden").get_data(as_text=True)
    csv = client.get(f"/vereine/{org.id}/stunden/export.csv?year={now.year}")
    assert "Mia" not in csv.get_data().decode("utf-8-sig")
    assert child.id not in _proposed(session, coordinator, now)
    # A proposal computed while consent was in force shows her no more, and invites her no more.
    shown = [
        pr.pair.volunteer_id
        for need_row in proposal.result_page(session, stored).needs
        for shift_row in need_row.shifts
        for pr in shift_row.pairs
    ]
    assert child.id not in shown
    assert child.id not in {row[0] for row in proposal.csv_rows(session, stored)}
    outcome = proposal.invite(
        session, stored, list(child_pairs), by=coordinator, now=now, per_week=3
    )
    assert (outcome.sent, outcome.unavailable) == (0, len(child_pairs))
    actions = session.exec(
        select(AuditEntry.action)
        .where(col(AuditEntry.action).startswith("guardian."))
        .order_by(col(AuditEntry.id))
    ).all()
    assert actions == ["guardian.requested", "guardian.consented", "guardian.withdrawn"]


def test_the_child_can_withdraw_the_guardians_consent_on_my_data(
    app, client, login, session, make_user, need, now
):
    child = make_user(first_name="Mia")
    login(child)
    _save_profile(
        client, age_group="under16", guardian_email="eltern@example.org", discoverable="y"
    )
    req = session.exec(select(GuardianRequest)).one()
    guardians.consent(session, req, shown=consents.ShownText("2026-12-01", "Text"), now=now)
    session.commit()
    assert child.id in engine.volunteer_pool(session).user_ids
    client.post("/ich/meine-daten/einwilligungen/guardian/widerrufen")
    session.expire_all()
    assert session.get(GuardianRequest, req.id).state == GuardianState.WITHDRAWN
    assert child.id not in engine.volunteer_pool(session).user_ids


def test_a_guardian_can_decline_and_a_forged_link_is_refused(
    app, client, login, session, make_user, need
):
    child = make_user(first_name="Mia")
    login(child)
    _save_profile(client, **CHILD)
    token = _link_token(app, session, child)
    client.get("/konto/abmelden")
    assert client.post(f"/ich/einwilligung/{token}", data={"answer": "decline"}).status_code == 302
    session.expire_all()
    assert session.exec(select(GuardianRequest)).one().state == GuardianState.DECLINED
    assert session.get(VolunteerProfile, child.id).guardian_consent_at is None
    page = client.get(f"/ich/einwilligung/{token}").get_data(as_text=True)
    assert "nicht eingewilligt" in page
    # A second answer is refused with a message, not a server error.
    response = client.post(f"/ich/einwilligung/{token}", data={"answer": "consent"})
    assert response.status_code == 302
    assert session.get(VolunteerProfile, child.id).guardian_consent_at is None
    assert client.get(f"/ich/einwilligung/{token}x").status_code == 404
    assert client.get("/ich/einwilligung/1").status_code == 404

    # After the refusal Mia may ask again from "Meine Daten"; while that waits, not twice.
    login(child)
    page = client.get("/ich/meine-daten").get_data(as_text=True)
    assert "erneut fragen" in page
    assert client.post("/ich/meine-daten/einwilligung-anfragen").status_code == 302
    client.post("/ich/meine-daten/einwilligung-anfragen")
    session.expire_all()
    states = session.exec(select(GuardianRequest.state).order_by(col(GuardianRequest.id))).all()
    assert states == [GuardianState.DECLINED, GuardianState.PENDING]
    assert len(session.exec(select(Notice).where(Notice.kind == "guardian_consent")).all()) == 2
    assert "erneut fragen" not in client.get("/ich/meine-daten").get_data(as_text=True)


# --- associations ------------------------------------------------------------------------------
def test_an_unverified_organisation_sees_no_candidates(client, login, session, make_user, need):
    org, opp, _shift = need
    adult = make_user(first_name="Jonas")
    login(adult)
    _save_profile(client, discoverable="y")
    org.verified_at = None
    session.add(org)
    session.commit()
    admin = make_user(first_name="Vera")
    add_member(session, org, admin)
    _as(client, login, admin)
    assert "Jonas" not in _candidates_page(client, org, opp)


def test_an_association_can_invite_only_people_on_its_candidate_list(
    client, login, session, make_user, need
):
    org, opp, _shift = need
    far = make_user(first_name="Ferne")
    login(far)
    # Findable, but only on Monday evenings: not a candidate for a Saturday-morning need.
    _save_profile(client, discoverable="y", availability=["mon-evening"])
    near = make_user(first_name="Jonas")
    _as(client, login, near)
    _save_profile(client, discoverable="y")
    admin = make_user(first_name="Vera")
    add_member(session, org, admin)
    _as(client, login, admin)
    page = _candidates_page(client, org, opp)
    assert "Jonas" in page and "Ferne" not in page
    base = f"/vereine/{org.id}/einsaetze/{opp.id}/kandidaten"
    assert client.post(f"{base}/{far.id}/einladen").status_code == 404
    assert client.post(f"{base}/{near.id}/einladen").status_code == 302
    invited = session.exec(select(Notice.user_id).where(Notice.kind == "candidate_invited")).all()
    assert set(invited) == {near.id}


# --- search ------------------------------------------------------------------------------------
def test_search_shows_minors_only_needs_open_to_them_as_for_you_does(
    client, login, session, make_user, need, now
):
    org, _opp, _shift = need
    adults = make_opportunity(session, now, org, title="Nachtschicht am Tresen", minors_ok=False)
    make_shift(session, now, adults, starts_in=timedelta(days=7, hours=1))
    teen = make_user(first_name="Lea")
    login(teen)
    _save_profile(client, age_group="16to17")
    page = client.get("/engagements/").get_data(as_text=True)
    assert "Vorlesen in der Bücherei" in page and "Nachtschicht am Tresen" not in page
    # "Für dich" offers it at most as a near miss that says why it is not open.
    for_you = client.get("/ich/fuer-dich").get_data(as_text=True)
    if "Nachtschicht am Tresen" in for_you:
        card = for_you[for_you.index("Nachtschicht am Tresen") :][:400]
        assert "nur für Erwachsene" in card

    adult = make_user(first_name="Jonas")
    _as(client, login, adult)
    _save_profile(client)
    page = client.get("/engagements/").get_data(as_text=True)
    assert "Vorlesen in der Bücherei" in page and "Nachtschicht am Tresen" in page


# --- name correction (art. 16) ------------------------------------------------------------------
def test_first_name_and_surname_are_corrected_in_the_settings_and_reach_the_ehrenamtskarte_csv(
    client, login, session, make_user, now
):
    org = make_organisation(session, now)
    admin = make_user(first_name="Vera")
    add_member(session, org, admin)
    person = make_user(first_name="Jonsa")
    session.add(
        HourEntry(
            user_id=person.id, organisation_id=org.id, worked_on=now.date(), minutes=120,
            state=HourState.CONFIRMED, created_at=now,
        )
    )  # fmt: skip
    session.commit()
    login(person)
    page = client.get("/konto/").get_data(as_text=True)
    assert 'value="Jonsa"' in page and "Ehrenamtskarte" in page
    bad = client.post("/konto/name", data={"first_name": "  ", "last_name": "x"})
    assert bad.status_code == 422 and "Bitte fülle dieses Feld aus." in bad.get_data(as_text=True)
    too_long = client.post("/konto/name", data={"first_name": "Jonas", "last_name": "x" * 81})
    assert too_long.status_code == 422
    response = client.post("/konto/name", data={"first_name": "Jonas", "last_name": "Çelik"})
    assert response.status_code == 302
    session.expire_all()
    person = session.get(User, person.id)
    assert (person.first_name, person.last_name) == ("Jonas", "Çelik")
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "user.name_changed")).one()
    assert "Jonsa" not in str(entry.details) and "Çelik" not in str(entry.details)

    _as(client, login, admin)
    csv = client.get(f"/vereine/{org.id}/stunden/export.csv?year={now.year}")
    text = csv.get_data().decode("utf-8-sig")
    assert "Jonas;Çelik;" in text


# --- data minimisation for associations ---------------------------------------------------------
def test_candidates_show_first_name_district_and_a_distance_band_only(
    client, login, session, make_user, need
):
    org, opp, _shift = need
    person = make_user(first_name="Jonas", last_name="Çelik")
    login(person)
    _save_profile(client, discoverable="y", causes=["children-youth"], about="Ich mag Bücher")
    admin = make_user(first_name="Vera")
    add_member(session, org, admin)
    _as(client, login, admin)
    page = _candidates_page(client, org, opp)
    card = page[page.index("Jonas") :][:1500]
    assert re.search(r"wohnt (unter \d+ km|\d+–\d+ km|über \d+ km) entfernt", card), card
    assert not re.search(r"\d+,\d km", card)  # never "2,1 km"
    assert "Çelik" not in page and person.email not in page and "Ich mag Bücher" not in page


def test_names_of_declined_or_withdrawn_applicants_leave_the_shift_page_after_the_period(
    app, client, login, session, make_user, need, now
):
    org, _opp, shift = need
    admin = make_user(first_name="Vera")
    add_member(session, org, admin)
    fresh = make_user(first_name="Frieda")
    old = make_user(first_name="Otto")
    days = app.config["DECLINED_NAMES_DAYS"]
    assert days == 30  # the documented default
    for person, state, ago in (
        (fresh, SignupState.DECLINED, timedelta(days=days - 1)),
        (old, SignupState.WITHDRAWN, timedelta(days=days + 1)),
    ):
        session.add(
            Signup(
                shift_id=shift.id, user_id=person.id, state=state,
                created_at=now - ago, updated_at=now - ago,
            )
        )  # fmt: skip
    session.commit()
    login(admin)
    page = client.get(f"/vereine/{org.id}/termine/{shift.id}").get_data(as_text=True)
    assert "Frieda" in page
    assert "Otto" not in page and old.email not in page
    assert "Name wird nicht mehr angezeigt" in page
    app.config["DECLINED_NAMES_DAYS"] = 60
    page = client.get(f"/vereine/{org.id}/termine/{shift.id}").get_data(as_text=True)
    assert "Otto" in page
