"""The coordinator's pages in a real browser: accessible, with real figures."""

import pytest
from playwright.sync_api import expect

from tests.conftest import FIXED_NOW, TEST_PASSWORD
from volunteer.demo.city import Scale, load_demo_data
from volunteer.models import Role
from volunteer.services.accounts.account import create_user

pytestmark = pytest.mark.browser


def test_coordinator_reviews_the_city_and_runs_a_fair_proposal(
    page, live_session, assert_accessible
):
    load_demo_data(live_session, now=FIXED_NOW, scale=Scale(60, 30, 30), progress=False)
    from volunteer.models import SkillSuggestion

    live_session.add(SkillSuggestion(text="Imkerei", created_at=FIXED_NOW))
    create_user(
        live_session,
        email="koordination@bochum.example",
        password=TEST_PASSWORD,
        now=FIXED_NOW,
        role=Role.COORDINATOR,
        verified=True,
    )
    live_session.commit()
    page.goto("/konto/anmelden")
    page.get_by_label("E-Mail-Adresse").fill("koordination@bochum.example")
    page.get_by_label("Passwort").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.get_by_role("link", name="Koordination der Stadt").first.click()
    expect(page.get_by_role("heading", name="Lücken: Bedarf ohne Angebot")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Organisationen prüfen").click()
    expect(page.get_by_role("heading", name="Organisationen prüfen", level=1)).to_be_visible()
    page.get_by_role("button", name="prüfen und freischalten").first.click()
    expect(page.get_by_text("ist geprüft")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Koordination der Stadt").first.click()
    page.get_by_role("link", name="Vorgeschlagene Fähigkeiten").click()
    expect(page.get_by_role("heading", name="Vorgeschlagene Fähigkeiten", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Koordination der Stadt").first.click()
    page.get_by_role("link", name="Stadtweiter Zuordnungsvorschlag").click()
    page.get_by_label("Fair verteilen").check()
    page.get_by_role("button", name="Vorschlag berechnen").click()
    expect(page.get_by_text("Menschen vermittelt")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="City-wide assignment proposal")).to_be_visible()
    assert_accessible(page)
