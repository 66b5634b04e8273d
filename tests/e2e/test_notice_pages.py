"""The inbox, the notice preferences and the unsubscribe page in a real browser, in German and
English, checked with axe; and one rendered HTML e-mail, checked the same way."""

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from notifications.render import render
from tests.conftest import FIXED_NOW
from tests.factories import TEST_PASSWORD, make_user
from volunteer.models import Notice, VolunteerProfile
from volunteer.services.notices.unsubscribe import make_token

pytestmark = pytest.mark.browser
# Set to a directory to keep screenshots for a human look (e.g. VOLUNTEER_TEST_SCREENSHOTS=/tmp).
SHOTS = os.environ.get("VOLUNTEER_TEST_SCREENSHOTS")


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def test_inbox_preferences_and_unsubscribe_are_accessible_in_both_languages(
    page, live_app, live_session, assert_accessible
):
    user = make_user(live_session, now=FIXED_NOW, email="aylin@example.org", first_name="Aylin")
    live_session.add(VolunteerProfile(user_id=user.id, updated_at=FIXED_NOW))
    for i, (subject, body) in enumerate(
        [
            ("Du bist dabei: Lebensmittel sortieren", "Tafel Bochum e.V. hat dich angenommen."),
            ("Erinnerung: Lebensmittel sortieren", "Morgen, 10:00–13:00, Lager, Eingang B."),
            ("Glückwunsch: 10 bestätigte Stunden", "Jede Stunde zählt."),
        ]
    ):
        live_session.add(
            Notice(
                kind="recognition",
                channel="inapp",
                dedupe_key=f"e2e:{i}:inapp",
                user_id=user.id,
                status="sent",
                due_at=FIXED_NOW - timedelta(hours=i),
                created_at=FIXED_NOW - timedelta(hours=i),
                sent_at=FIXED_NOW - timedelta(hours=i),
                subject=subject,
                body=body,
                link="/ich/engagements",
                read_at=FIXED_NOW if i == 2 else None,
            )
        )
    live_session.commit()

    page.goto("/konto/anmelden")
    page.get_by_label("E-Mail-Adresse").fill("aylin@example.org")
    page.get_by_label("Passwort").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    expect(page).not_to_have_url(re.compile("anmelden"))

    page.goto("/postfach/")
    expect(page.get_by_role("heading", name="Postfach", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Erinnerung: Lebensmittel sortieren")).to_be_visible()
    assert_accessible(page)
    shot(page, "inbox-de")
    page.get_by_role("button", name="Alle als gelesen markieren").click()
    expect(page.get_by_role("button", name="Alle als gelesen markieren")).to_have_count(0)

    page.goto("/benachrichtigungen")
    expect(page.get_by_role("heading", name="Benachrichtigungen", level=1)).to_be_visible()
    assert_accessible(page)
    digest_email = page.get_by_role(
        "checkbox", name="Wöchentliche Übersicht neuer Angebote für dich E-Mail"
    )
    expect(digest_email).to_be_checked()
    digest_email.uncheck()
    page.get_by_role("button", name="Einstellungen speichern").click()
    expect(
        page.get_by_role("checkbox", name="Wöchentliche Übersicht neuer Angebote für dich E-Mail")
    ).not_to_be_checked()
    shot(page, "preferences-de")

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Notice settings", level=1)).to_be_visible()
    assert_accessible(page)
    shot(page, "preferences-en")
    page.goto("/postfach/")
    expect(page.get_by_role("heading", name="Inbox", level=1)).to_be_visible()
    assert_accessible(page)
    shot(page, "inbox-en")

    token = make_token(str(live_app.config["SECRET_KEY"]), user.id, "reminder_24h")
    page.goto(f"/benachrichtigungen/abbestellen/{token}")
    expect(page.get_by_role("heading", name="Unsubscribe", level=1)).to_be_visible()
    assert_accessible(page)
    shot(page, "unsubscribe-en")
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("heading", name="Unsubscribe", level=1)).to_be_visible()
    assert_accessible(page)
    shot(page, "unsubscribed-en")

    # One rendered e-mail, as a mail client would show it.
    notice = Notice(
        id=999,
        kind="recognition",
        channel="email",
        dedupe_key="e2e:mail:email",
        user_id=user.id,
        locale="de",
        payload={"milestone": "hours_10", "hours": 10},
        due_at=FIXED_NOW,
        created_at=FIXED_NOW,
    )
    with live_app.app_context():
        message = render(live_session, notice, app=live_app, now=FIXED_NOW)
    page.goto("about:blank")  # not on one of our pages: their CSP would block the mail's <style>
    page.set_content(message.html)
    expect(page).to_have_title("Glückwunsch: 10 bestätigte Stunden")
    expect(page.get_by_role("link", name="Meine Engagements")).to_be_visible()
    assert_accessible(page)
    shot(page, "email-recognition-de")
