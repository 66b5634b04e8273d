"""Coordinator pages: statistics, gaps, the city-wide proposal and the CSV report."""

import re
from collections import Counter
from dataclasses import replace

import pytest
from sqlmodel import select

from tests.factories import make_organisation, make_profile, seed_reference
from tests.spreadsheets import read_as_english_excel, read_as_german_excel
from volunteer.demo.city import Scale, load_demo_data
from volunteer.models import ProposalPair, ProposalRun, Role, Shift, VolunteerProfile
from volunteer.services.accounts import privacy
from volunteer.services.coordination import proposal, statistics
from volunteer.services.discovery import freshness

SMALL = Scale(volunteers=80, organisations=30, opportunities=40)


@pytest.fixture
def city(session, now):
    load_demo_data(session, now=now, scale=SMALL, progress=False)
    session.commit()


@pytest.fixture
def coordinator(make_user):
    return make_user(role=Role.COORDINATOR, email="koordination@bochum.example")


def test_only_coordinators_see_the_coordination(client, login, make_user, coordinator):
    assert client.get("/koordination/").status_code == 302  # anonymous: log in first
    login(make_user())
    for url in ("/koordination/", "/koordination/vorschlag", "/koordination/bericht.csv"):
        assert client.get(url).status_code == 404
    login(coordinator)
    assert client.get("/koordination/").status_code == 200


def _tile(page: str, label: str) -> str:
    """The figure of the overview tile with ``label``."""
    match = re.search(r'<span class="tile-figure">([^<]+)</span>\s*' + re.escape(label), page)
    assert match, label
    return match.group(1)


def test_the_overview_page_says_when_it_counted_and_counts_verification_live(
    client, login, session, coordinator, city, make_user, now
):
    """The city's counts are kept for two minutes (counting Bochum takes seconds), and the page
    says when they were taken; the organisations waiting for verification are counted per visit,
    so a coordinator's own decision shows at once."""
    login(coordinator)
    first = client.get("/koordination/").get_data(as_text=True)
    assert "Stand: " in first
    waiting = int(_tile(first, "Organisationen warten auf Prüfung"))
    make_organisation(session, now, verified_at=None)
    session.commit()
    assert "coordination_overview" in freshness.index_ages()  # kept: no recount in a request
    second = client.get("/koordination/").get_data(as_text=True)
    assert int(_tile(second, "Organisationen warten auf Prüfung")) == waiting + 1
    volunteers = _tile(second, "Ehrenamtliche mit Profil")
    make_profile(session, make_user(), now=now)
    session.commit()
    again = client.get("/koordination/").get_data(as_text=True)
    assert _tile(again, "Ehrenamtliche mit Profil") == volunteers  # counted at most 2 min ago
    freshness.invalidate()  # as the next count, two minutes on, would
    latest = client.get("/koordination/").get_data(as_text=True)
    assert _tile(latest, "Ehrenamtliche mit Profil") != volunteers


def test_the_overview_of_one_count_is_shown_in_each_reader_s_language(
    client, login, session, coordinator, city
):
    """The body of the page is rendered once per count and language and kept: a reader who
    switches to English gets it in English, with the same figures."""
    login(coordinator)
    german = client.get("/koordination/").get_data(as_text=True)
    assert "Nach Stadtteil" in german and "By district" not in german
    coordinator.locale = "en"
    session.add(coordinator)
    session.commit()
    english = client.get("/koordination/").get_data(as_text=True)
    assert "By district" in english and "Nach Stadtteil" not in english
    assert _tile(english, "volunteers with a profile") == _tile(german, "Ehrenamtliche mit Profil")
    coordinator.locale = "de"
    session.add(coordinator)
    session.commit()
    again = client.get("/koordination/").get_data(as_text=True)
    assert "Nach Stadtteil" in again and "By district" not in again


def test_the_overview_counts_volunteers_skills_and_times_without_deleted_accounts(
    session, make_user, now
):
    """Known people: two profiles in one district, both offering first aid, available at every
    time of the week; one deletes the account and is counted nowhere any more."""
    seed_reference(session)
    stays, leaves = make_user(), make_user()
    for user in (stays, leaves):
        make_profile(session, user, now=now, skills=("first-aid",))
    session.commit()
    district = session.exec(select(VolunteerProfile.district_number)).first()

    def counts():
        data = statistics.overview(session, now=now)
        volunteers = {d.number: d.volunteers for d in data.districts}
        supply = {s.slug: s.supply for s in data.skills}
        return volunteers[district], supply["first-aid"], data.slot_supply

    volunteers, first_aid, slots = counts()
    assert (volunteers, first_aid) == (2, 2) and set(slots.values()) == {2} and len(slots) == 21
    privacy.delete_account(session, leaves, now=now)
    session.commit()
    volunteers, first_aid, slots = counts()
    assert (volunteers, first_aid) == (1, 1) and set(slots.values()) == {1}


def test_overview_counts_every_district(session, city, now):
    data = statistics.overview(session, now=now)
    assert len(data.districts) == 30
    assert sum(d.volunteers for d in data.districts) >= SMALL.volunteers
    assert all(0 <= d.taken <= d.places for d in data.districts)


def _computed(session, coordinator, now, *, fair: bool) -> ProposalRun:
    options = replace(proposal.default_options(now=now), fill_fairly=fair)
    run = proposal.queue(session, options, by=coordinator, now=now)
    session.commit()
    proposal.claim_next(session, worker="test", now=now)
    proposal.compute(session, run, now=now)
    session.commit()
    return run


def test_proposal_respects_capacities_and_beats_the_greedy_baseline(
    session, city, coordinator, now
):
    run = _computed(session, coordinator, now, fair=False)
    pairs = session.exec(select(ProposalPair).where(ProposalPair.run_id == run.id)).all()
    f = run.figures
    assert f["pairs"] == len(pairs) > 0
    assert f["pairs"] <= min(f["volunteers"], f["open_places"])
    per_person = Counter(p.volunteer_id for p in pairs)
    for user_id, n in per_person.items():
        assert n <= session.get(VolunteerProfile, user_id).capacity
    # Once per need: a pair's need is its shift's.
    need = {s.id: s.opportunity_id for s in session.exec(select(Shift)).all()}
    assert len({(p.volunteer_id, need[p.shift_id]) for p in pairs}) == len(pairs)
    per_shift = Counter(p.shift_id for p in pairs)
    for shift_id, n in per_shift.items():
        shift = session.get(Shift, shift_id)
        assert n <= shift.capacity and shift.starts_at > now
    assert f["total_score"] == pytest.approx(sum(p.score for p in pairs), abs=0.01)
    assert f["total_score"] >= f["greedy_total_score"] - 1e-6  # exact beats the rule of thumb
    fair = _computed(session, coordinator, now, fair=True)
    assert fair.figures["needs_filled"] >= f["needs_filled"]
    assert fair.figures["total_score"] <= f["total_score"] + 1e-6


def test_pages_render_with_data_and_export_csv(client, login, session, coordinator, city):
    login(coordinator)
    page = client.get("/koordination/").get_data(as_text=True)
    assert "Lücken" in page and "Grumme" in page
    assert "Vorschlag starten" in client.get("/koordination/vorschlag").get_data(as_text=True)
    report = client.get("/koordination/bericht.csv")
    rows = read_as_german_excel(report.data)
    assert rows[0][:3] == ["Stadtteil-Nr.", "Stadtteil", "Stadtbezirk"] and len(rows) == 31
    assert rows[0][8] == "Besetzungsquote"
    # Fill rates and hours with a decimal comma, as German Excel reads a number.
    rates = [r[8] for r in rows[1:] if r[8] not in ("", ".", "0", "1")]
    assert rates and all("," in rate and "." not in rate for rate in rates)
    coordinator.locale = "en"
    session.add(coordinator)
    session.commit()
    english = read_as_english_excel(client.get("/koordination/bericht.csv").data)
    assert english[0][:3] == ["District number", "District", "Borough"]
    assert [r[8] for r in english[1:] if r[8] not in ("", ".", "0", "1")] == [
        rate.replace(",", ".") for rate in rates
    ]


def test_coordinator_verifies_a_pending_organisation(
    client, login, session, coordinator, make_user
):
    from sqlmodel import select

    from volunteer.models import MemberRole, Membership, Notice, Organisation

    admin = make_user(email="vorstand@kleingarten.example")
    org = Organisation(
        name="Kleingartenverein Am Kemnader See e.V.", contact_email="kgv@example.org"
    )
    session.add(org)
    session.commit()
    session.add(Membership(organisation_id=org.id, user_id=admin.id, role=MemberRole.ADMIN))
    session.commit()
    login(coordinator)
    page = client.get("/koordination/vereine").get_data(as_text=True)
    assert "Kleingartenverein Am Kemnader See" in page and "vorstand@kleingarten.example" in page
    assert "Eingetragener Verein" in page  # the kind's label, not "verein"
    response = client.post(f"/koordination/vereine/{org.id}/pruefen", data={"decision": "approved"})
    assert response.status_code == 302
    session.refresh(org)
    assert org.verified_at is not None and org.verified_by_id == coordinator.id
    assert session.exec(select(Notice).where(Notice.user_id == admin.id)).first() is not None
    assert client.post("/koordination/vereine/999999/pruefen").status_code == 404
    login(admin)
    assert client.post(f"/koordination/vereine/{org.id}/pruefen").status_code == 404


def test_suggested_skills_are_grouped_and_resolved(
    client, login, session, coordinator, make_user, now
):
    from volunteer.models import SkillSuggestion

    for text in ("Imkerei", "imkerei ", "Drohnen fliegen"):
        session.add(SkillSuggestion(user_id=make_user().id, text=text, created_at=now))
    session.commit()
    login(coordinator)
    page = client.get("/koordination/faehigkeiten").get_data(as_text=True)
    assert page.index("Imkerei") < page.index("Drohnen fliegen")  # most asked-for first
    response = client.post(
        "/koordination/faehigkeiten", data={"text": "IMKEREI", "status": "added"}
    )
    assert response.status_code == 302
    statuses = sorted(s.status for s in session.exec(select(SkillSuggestion)).all())
    assert statuses == ["added", "added", "open"]
    assert (
        client.post("/koordination/faehigkeiten", data={"text": "x", "status": "evil"}).status_code
        == 400
    )
    assert "Drohnen fliegen" in client.get("/koordination/faehigkeiten.csv").get_data(as_text=True)


def test_asking_for_information_and_rejecting_tell_the_organisation_and_show_on_both_sides(
    client, login, session, coordinator, make_user
):
    from volunteer.models import (
        MemberRole,
        Membership,
        Notice,
        Organisation,
        OrganisationKind,
        OrganisationReview,
    )

    admin = make_user(email="vorstand@kirche.example")
    org = Organisation(
        name="Gemeinde St. Peter", kind=OrganisationKind.CHURCH, contact_email="sp@example.org"
    )
    session.add(org)
    session.commit()
    session.add(Membership(organisation_id=org.id, user_id=admin.id, role=MemberRole.ADMIN))
    session.commit()
    login(coordinator)
    url = f"/koordination/vereine/{org.id}/pruefen"
    page = client.get("/koordination/vereine").get_data(as_text=True)
    assert (
        "church" not in page and "Kirchen- oder Religionsgemeinde" in page
    )  # a label, not the code

    # Asking without saying what for is refused, clearly, and changes nothing.
    refused = client.post(url, data={"decision": "info_requested"}, follow_redirects=True)
    assert refused.status_code == 200 and "Bitte" in refused.get_data(as_text=True)
    assert session.exec(select(OrganisationReview)).all() == []
    assert client.post(url, data={"decision": "evil", "message": "x"}).status_code == 302
    assert session.exec(select(OrganisationReview)).all() == []

    client.post(url, data={"decision": "info_requested", "message": "Bitte Satzung senden."})
    page = client.get("/koordination/vereine").get_data(as_text=True)
    assert "wartet auf weitere Angaben" in page and "Bitte Satzung senden." in page
    client.post(url, data={"decision": "rejected", "message": "Kein Bezug zu Bochum."})
    kinds = [n.kind for n in session.exec(select(Notice).where(Notice.user_id == admin.id))]
    assert "organisation_info_requested" in kinds and "organisation_rejected" in kinds
    page = client.get("/koordination/vereine").get_data(as_text=True)
    assert "Abgelehnt (1)" in page and "Kein Bezug zu Bochum." in page
    session.refresh(org)
    assert org.verified_at is None

    login(admin)
    dashboard = client.get(f"/vereine/{org.id}/").get_data(as_text=True)
    assert "Prüfung durch die Stadt" in dashboard
    assert "Bitte Satzung senden." in dashboard and "Kein Bezug zu Bochum." in dashboard
    assert dashboard.index("weitere Angaben erbeten") < dashboard.index("abgelehnt")

    # A coordinator may reconsider; once verified, no further decision.
    login(coordinator)
    client.post(url, data={"decision": "approved"})
    session.refresh(org)
    assert org.verified_at is not None
    again = client.post(url, data={"decision": "rejected", "message": "x"}, follow_redirects=True)
    assert "bereits geprüft" in again.get_data(as_text=True)
