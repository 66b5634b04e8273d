"""An association's whole journey in a real browser, with axe on every page in German and English.

Registers the organisation, is verified by a coordinator (fixture), posts a weekly need, sees
ranked candidates with reasons, accepts an applicant, records attendance, confirms the hours she
reported and exports the CSV for the Ehrenamtskarte.
"""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from tests.factories import TEST_PASSWORD, make_profile, make_user
from volunteer.catalogue.sync import sync_reference_data
from volunteer.models import (
    Opportunity,
    Organisation,
    Role,
    Shift,
    Signup,
)
from volunteer.services.engagement import hours, signups
from volunteer.services.organisations import organisation as organisations

pytestmark = pytest.mark.browser


def _volunteer_with_profile(session, email, first_name, last_name, postcode):
    now = datetime.now(UTC)
    user = make_user(session, now=now, email=email, first_name=first_name, last_name=last_name)
    make_profile(session, user, now=now, postcode=postcode, radius_km=15)
    return user


def test_an_association_posts_a_need_and_confirms_hours(
    page, live_app, live_session, live_server, assert_accessible
):
    sync_reference_data(live_session)
    live_session.commit()
    coordinator = make_user(
        live_session,
        now=datetime.now(UTC),
        email="stadt@bochum.example",
        first_name="Cora",
        role=Role.COORDINATOR,
    )
    make_user(
        live_session, now=datetime.now(UTC), email="anna@lesepaten.example", first_name="Anna"
    )
    mia = _volunteer_with_profile(live_session, "mia@example.org", "Mia", "Muster", "44787")
    _volunteer_with_profile(live_session, "jo@example.org", "Jo", "Geheim", "44866")
    visited: list[str] = []

    def check() -> None:
        assert_accessible(page)
        visited.append(page.url)

    page.goto("/konto/anmelden")
    page.get_by_label("E-Mail-Adresse").fill("anna@lesepaten.example")
    page.get_by_label("Passwort").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()

    # 1. Register the organisation.
    page.get_by_role("link", name="Für Vereine").first.click()
    check()
    page.get_by_role("link", name="Organisation registrieren").click()
    check()
    page.get_by_label("Name der Organisation").fill("Lesepaten Bochum")
    page.get_by_label("Art der Organisation").select_option("verein")
    page.get_by_label("Adresse oder Postleitzahl").fill("Hallo 12345")
    page.get_by_role("button", name="Organisation registrieren").click()
    expect(page.get_by_text("außerhalb unseres Gebiets").first).to_be_visible()
    assert page.get_by_label("Adresse oder Postleitzahl").get_attribute("aria-invalid") == "true"
    check()
    page.get_by_label("Adresse oder Postleitzahl").fill("Kortumstraße 5, 44787 Bochum")
    page.get_by_label("Über die Organisation").fill("Wir lesen vor.\n\n- in Schulen\n- in Kitas")
    page.get_by_label("Kinder & Jugend").check()
    page.get_by_role("button", name="Organisation registrieren").click()
    expect(page.get_by_text("Wartet auf Prüfung").first).to_be_visible()
    check()

    # 2. A city coordinator verifies it (fixture).
    org = live_session.exec(select(Organisation)).one()
    organisations.verify(live_session, org, by=coordinator, now=datetime.now(UTC))
    live_session.commit()

    # 3. Post a weekly need.
    page.get_by_role("link", name="Einsatz ausschreiben").first.click()
    check()
    page.get_by_label("Titel").fill("Vorlesen in der Grundschule")
    page.get_by_label("Beschreibung").fill("Du liest **einmal die Woche** vor.")
    page.get_by_label("Ort: Adresse, Postleitzahl oder Stadtteil").fill("44787")
    required = page.locator("#required_skills")
    required.get_by_text("Bildung & Lernen").click()
    required.get_by_label("Vorlesen").check()
    page.get_by_label("Offen für junge Menschen unter 18").check()
    page.get_by_role("button", name="Speichern und Termine hinzufügen").click()
    check()
    first = (datetime.now(UTC) + timedelta(days=2)).date()
    page.get_by_label("Datum").fill(first.isoformat())
    page.get_by_label("Beginn").fill("15:00")
    page.get_by_label("Ende").fill("17:00")
    page.get_by_label("Plätze").fill("0")
    page.get_by_label("Wöchentlich").check()
    page.get_by_role("button", name="Termine hinzufügen").click()
    expect(page.get_by_text("zwischen 1 und 500 Plätze an").first).to_be_visible()
    expect(page.get_by_text("braucht ein Enddatum").first).to_be_visible()
    check()
    page.get_by_label("Plätze").fill("2")
    page.get_by_label("Wiederholen bis").fill((first + timedelta(weeks=7)).isoformat())
    page.get_by_role("button", name="Termine hinzufügen").click()
    expect(page.get_by_text("8 Termin(e) hinzugefügt")).to_be_visible()
    page.get_by_role("button", name="Veröffentlichen").click()
    expect(page.get_by_text("Der Einsatz ist veröffentlicht.")).to_be_visible()
    expect(page.locator("strong", has_text="einmal die Woche")).to_be_visible()
    check()

    # 4. Ranked candidates with reasons; first name and district only.
    page.get_by_role("link", name="Passende Menschen finden").click()
    candidates = page.locator("ol.candidates > li")
    assert candidates.count() == 2
    first_candidate = candidates.first.inner_text()
    assert first_candidate.startswith("Mia, Gleisdreieck")  # nearer, so ranked first
    assert "1 von 1 gewünschten Fähigkeit" in first_candidate or "Fähigkeit" in first_candidate
    assert "entfernt" in first_candidate  # a distance band, never the exact distance
    assert "km von ihrem Zuhause" not in first_candidate
    assert "Geheim" not in page.content() and "mia@example.org" not in page.content()
    check()
    page.get_by_role("button", name="Mia einladen").click()
    expect(page.get_by_text("Eingeladen").first).to_be_visible()

    # 5. Mia applies (as the volunteer pages would do) and the association accepts her.
    need = live_session.exec(select(Opportunity)).one()
    shift = live_session.exec(
        select(Shift).where(Shift.opportunity_id == need.id).order_by(Shift.starts_at)
    ).first()
    live_session.expire_all()
    signups.sign_up(live_session, mia, shift, now=datetime.now(UTC), message="Ich freue mich!")
    live_session.commit()
    page.get_by_role("link", name="Bewerbungen").click()
    check()
    page.get_by_role("link", name="Vorlesen in der Grundschule").first.click()
    expect(page.get_by_text("mia@example.org")).to_be_visible()  # she applied: contact details
    check()
    page.get_by_label("Nachricht an Mia (freiwillig)").fill("Willkommen im Team!")
    page.get_by_role("button", name="Zusagen Mia").click()
    expect(page.get_by_text("Zugesagt. Wir geben der Person Bescheid.")).to_be_visible()

    # 6. After the shift: attendance; Mia reports her hours (as her page does), they are confirmed.
    later = shift.ends_at + timedelta(hours=1)
    live_app.config["CLOCK"] = lambda: later
    page.reload()
    page.get_by_role("button", name="Teilgenommen Mia").click()
    expect(page.get_by_text("Anwesenheit eingetragen.")).to_be_visible()
    check()
    live_session.expire_all()
    signup = live_session.exec(select(Signup).where(Signup.user_id == mia.id)).one()
    hours.submit_hours(live_session, mia, signup, minutes=120, margin_minutes=60, now=later)
    live_session.commit()
    page.get_by_role("link", name="Stunden", exact=True).click()
    expect(page.get_by_role("row", name="Mia").first).to_be_visible()
    check()
    box = page.get_by_role("checkbox", name="Mia", exact=False).first
    expect(box).not_to_be_checked()  # nothing is pre-ticked
    box.check()
    page.get_by_role("button", name="Ausgewählte bestätigen").click()
    expect(page.get_by_text("1 Eintrag bestätigt.")).to_be_visible()
    check()

    # 7. Export the CSV for the Ehrenamtskarte.
    with page.expect_download() as info:
        page.get_by_role("button", name="Als CSV exportieren (Ehrenamtskarte)").click()
    with open(info.value.path(), encoding="utf-8-sig") as f:
        text = f.read()
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    # Hours as a German number (decimal comma when there are decimals; 2 hours is "2").
    assert rows[1][:5] == ["Mia", "Muster", "mia@example.org", str(later.year), "2"]

    # Invite a colleague: the members page lists the pending invitation, with a way to withdraw it.
    page.goto(f"/vereine/{org.id}/mitglieder")
    page.get_by_label("E-Mail-Adresse").fill("kollegin@example.org")
    page.get_by_role("button", name="Einladung senden").click()
    withdraw = page.get_by_role("button", name="Einladung an kollegin@example.org zurückziehen")
    expect(withdraw).to_be_visible()
    check()

    # The other pages in German, then every page of the journey once more in English.
    for path in ("profil", "mitglieder", "einsaetze", f"einsaetze/{need.id}/bearbeiten"):
        page.goto(f"/vereine/{org.id}/{path}")
        check()
    page.get_by_role("button", name="English").click()
    for url in dict.fromkeys(visited):
        page.goto(url)
        assert page.locator("html").get_attribute("lang") == "en"
        assert_accessible(page)
