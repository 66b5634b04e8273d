"""The foundation's pages in a real browser: accessible, keyboard-usable, German and English."""

import pytest
from playwright.sync_api import expect

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser

PAGES = [
    "/",
    "/konto/anmelden",
    "/konto/registrieren",
    "/barrierefreiheit",
    "/datenschutz",
    "/impressum",
    "/konto/passwort-vergessen",
]


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("lang", ["de", "en"])
def test_page_has_no_serious_accessibility_violation(page, assert_accessible, path, lang):
    if lang == "en":
        page.goto("/")
        page.get_by_role("button", name="English").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
    page.goto(path)
    assert page.locator("html").get_attribute("lang") == lang
    assert_accessible(page)


def test_registration_errors_are_accessible_and_keep_input(page, assert_accessible):
    page.goto("/konto/registrieren")
    page.get_by_label("Vorname").fill("Mia")
    page.get_by_label("E-Mail-Adresse").fill("kein-at-zeichen")
    page.get_by_label("Passwort").fill("kurz")
    page.get_by_role("button", name="Konto anlegen").click()
    assert page.get_by_label("Vorname").input_value() == "Mia"
    expect(page.get_by_text("gültige E-Mail-Adresse").first).to_be_visible()
    assert page.get_by_label("E-Mail-Adresse").get_attribute("aria-invalid") == "true"
    assert_accessible(page)


def test_register_and_log_in_by_keyboard_only(page, live_server):
    page.goto("/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Zum Inhalt springen"
    page.goto("/konto/registrieren")
    page.get_by_label("Vorname").focus()
    page.keyboard.type("Mia")
    page.keyboard.press("Tab")
    page.keyboard.type("mia@example.org")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # past the hint-less password field's description
    if page.evaluate("document.activeElement.type") != "password":
        page.get_by_label("Passwort").focus()
    page.keyboard.type(TEST_PASSWORD)
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # accept the privacy notice
    page.keyboard.press("Enter")
    # Registering logs nobody in (a taken address gets the same answer): "check your mail".
    page.wait_for_url(f"{live_server.url}/konto/anmelden")
    expect(page.get_by_text("Bitte schau in dein Postfach")).to_be_visible()
    page.get_by_label("E-Mail-Adresse").fill("mia@example.org")
    page.get_by_label("Passwort").fill(TEST_PASSWORD)
    page.get_by_label("Passwort").press("Enter")
    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_text("Du bist angemeldet.")).to_be_visible()


def test_home_page_at_320_pixels_has_no_horizontal_scroll(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.goto("/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    context.close()
