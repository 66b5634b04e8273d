"""A new resident's journey by keyboard only, with axe on every page in German and English."""

import io
import json
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
from playwright.sync_api import expect
from sqlmodel import select

from tests.factories import (
    TEST_PASSWORD,
    ask_for_skills,
    make_opportunity,
    make_organisation,
    make_shift,
    seed_reference,
)
from volunteer.models import (
    District,
    Notice,
    Opportunity,
    Signup,
    SignupState,
    User,
)
from volunteer.platform.signing import fill_slots

pytestmark = pytest.mark.browser
BERLIN = ZoneInfo("Europe/Berlin")


def _next_saturday_10() -> datetime:
    today = datetime.now(BERLIN).date()
    day = today + timedelta(days=(5 - today.weekday()) % 7 or 7)
    return datetime(day.year, day.month, day.day, 10, 0, tzinfo=BERLIN).astimezone(UTC)


def _arrange(session) -> Opportunity:
    """A reading-aloud need in the Innenstadt, open to minors, with two Saturday shifts."""
    now = datetime.now(UTC)
    seed_reference(session)
    district = session.exec(select(District).where(District.name.like("%Innenstadt%"))).first()
    district = district or session.exec(select(District)).first()
    org = make_organisation(
        session,
        now,
        name="Lesefreunde Bochum",
        contact_email="lesen@example.org",
        verified_at=now,
        district_number=district.number,
    )
    opp = make_opportunity(
        session,
        now,
        org,
        title="Vorlesen in der Stadtbücherei",
        description="Du liest Kindern am Samstagvormittag Geschichten vor.",
        published_at=now,
        district_number=district.number,
        lat=district.lat,
        lon=district.lon,
        address="Gustav-Heinemann-Platz 2",
        minors_ok=True,
    )
    ask_for_skills(session, opp, "homework-help", required=False)
    start = _next_saturday_10()
    for week in range(2):
        begins = start + timedelta(weeks=week)
        make_shift(
            session, now, opp, starts_in=begins - now, hours=2, capacity=3, place="Kinderbibliothek"
        )
    return opp


def _activate(page, role: str, name: str) -> None:
    """Move the keyboard focus to a control and press Enter (no mouse anywhere)."""
    page.get_by_role(role, name=name).first.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_new_resident_finds_signs_up_withdraws_and_downloads_data_by_keyboard(
    page, live_app, live_server, live_session, assert_accessible
):
    opp_id = _arrange(live_session).id

    # Anonymous browsing: search, districts map, the need's page.
    page.goto("/engagements/")
    expect(page.get_by_role("heading", name="Engagement finden")).to_be_visible()
    assert_accessible(page)
    _activate(page, "link", "Nach Stadtteil stöbern (Liste und Karte)")
    assert page.locator("svg.district-choropleth a").count() >= 30
    assert_accessible(page)

    # Register by keyboard.
    page.goto("/konto/registrieren")
    page.get_by_label("Vorname").focus()
    page.keyboard.type("Lena")
    page.get_by_label("E-Mail-Adresse").focus()
    page.keyboard.type("lena@example.org")
    page.get_by_label("Passwort").focus()
    page.keyboard.type(TEST_PASSWORD)
    page.get_by_role("checkbox").focus()
    page.keyboard.press("Space")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # The verification e-mail's link (the outbox holds it).
    user = live_session.exec(select(User).where(User.email_key == "lena@example.org")).one()
    notice = live_session.exec(
        select(Notice).where(Notice.kind == "verify_email", Notice.user_id == user.id)
    ).first()
    page.goto(fill_slots(notice.payload["url"], live_app.config["SECRET_KEY"]))
    # Registering logs nobody in (a taken address must get the same answer): log in now.
    expect(page.get_by_text("Danke, deine E-Mail-Adresse ist bestätigt.")).to_be_visible()
    page.get_by_label("E-Mail-Adresse").fill("lena@example.org")
    page.get_by_label("Passwort").fill(TEST_PASSWORD)
    with page.expect_navigation():
        page.get_by_label("Passwort").press("Enter")

    # "Für dich" sends a newcomer to the short guided profile first.
    _activate(page, "link", "Für dich")
    expect(page.get_by_role("heading", name="Mein Ehrenamtsprofil")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Postleitzahl oder Adresse").focus()
    page.keyboard.type("4478")  # a typo first: the field explains and keeps the input
    page.get_by_label("Samstag Vormittag").focus()
    page.keyboard.press("Space")
    assert page.get_by_label("Hausaufgabenhilfe").count() == 0  # skills are step two
    _activate(page, "button", "Speichern und zeigen, was zu mir passt")
    expect(page.get_by_text("Diese Postleitzahl kennen wir nicht").first).to_be_visible()
    assert page.get_by_label("Samstag Vormittag").is_checked()
    assert_accessible(page)
    page.get_by_label("Postleitzahl oder Adresse").fill("")
    page.get_by_label("Postleitzahl oder Adresse").focus()
    page.keyboard.type("44787")
    _activate(page, "button", "Speichern und zeigen, was zu mir passt")

    # Step one is enough for recommendations; step two (skills) is signposted from them.
    expect(page.get_by_role("heading", name="Für dich", exact=True)).to_be_visible()
    expect(page.get_by_text("Vorlesen in der Stadtbücherei").first).to_be_visible()
    _activate(page, "link", "Fähigkeiten und Sprachen ergänzen")
    assert_accessible(page)
    page.get_by_label("Fähigkeiten filtern").focus()
    page.keyboard.type("hausaufg")  # the script filters the chips as you type
    expect(page.get_by_label("Hausaufgabenhilfe")).to_be_visible()
    expect(page.get_by_label("Erste Hilfe", exact=True)).to_be_hidden()
    page.get_by_label("Hausaufgabenhilfe").focus()
    page.keyboard.press("Space")
    page.get_by_label("Fähigkeiten filtern").fill("")
    page.get_by_label("Fähigkeiten filtern").focus()
    page.keyboard.type("lingo")  # matches nothing: said in words, ticked chips stay
    expect(page.get_by_text("Keine Fähigkeit passt.")).to_be_visible()
    assert page.get_by_label("Hausaufgabenhilfe").is_checked()
    _activate(page, "button", "Speichern und zeigen, was zu mir passt")

    # Recommendations with reasons; open the need and read why it fits.
    expect(page.get_by_role("heading", name="Für dich", exact=True)).to_be_visible()
    expect(page.get_by_text("Warum das zu dir passt").first).to_be_visible()
    assert_accessible(page)
    _activate(page, "link", "Vorlesen in der Stadtbücherei")
    expect(page.get_by_role("heading", name="Warum das zu dir passt")).to_be_visible()
    assert page.locator(".reasons-ok li").count() >= 1
    assert_accessible(page)

    # Sign up for the first shift.
    page.locator(".signup-form button").first.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_text("Du bist angemeldet!")).to_be_visible()
    signup = live_session.exec(select(Signup).where(Signup.user_id == user.id)).one()
    assert signup.state == SignupState.APPLIED
    assert_accessible(page)

    # The .ics of that shift: parsed, 10:00 in Berlin with the VTIMEZONE.
    with page.expect_download() as info:
        page.get_by_role("link", name="In den Kalender (.ics)").first.focus()
        page.keyboard.press("Enter")
    cal = icalendar.Calendar.from_ical(Path(info.value.path()).read_bytes())
    event = next(iter(cal.walk("VEVENT")))
    assert "Vorlesen in der Stadtbücherei" in str(event["summary"])
    start = event.decoded("dtstart")
    assert (start.hour, start.minute, str(start.tzinfo)) == (10, 0, "Europe/Berlin")
    assert start.astimezone(UTC) == _next_saturday_10()
    assert cal.walk("VTIMEZONE")

    # Withdraw, with a reason.
    page.locator("details.withdraw summary").first.focus()
    page.keyboard.press("Enter")
    page.get_by_label("Grund (freiwillig)").first.focus()
    page.keyboard.type("Ich bin krank.")
    _activate(page, "button", "Von diesem Termin abmelden")
    # An irreversible step asks first; the reason she typed is carried over.
    expect(page.get_by_role("heading", name="Von diesem Termin abmelden?")).to_be_visible()
    expect(page.get_by_label("Grund für die Organisation (optional)")).to_have_value(
        "Ich bin krank."
    )
    assert_accessible(page)
    _activate(page, "button", "Ja, abmelden")
    expect(page.get_by_text("Du hast dich von diesem Termin abgemeldet.")).to_be_visible()
    live_session.expire_all()
    assert live_session.get(Signup, signup.id).state == SignupState.WITHDRAWN

    # My engagements, then my data (fresh password first), downloaded as a zip.
    _activate(page, "link", "Meine Engagements")
    assert_accessible(page)
    _activate(page, "link", "Mein Konto")
    _activate(page, "link", "Meine Daten: herunterladen oder löschen")
    page.get_by_label("Dein Passwort").focus()
    page.keyboard.type(TEST_PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert_accessible(page)
    with page.expect_download() as info:
        page.get_by_role("button", name="Meine Daten herunterladen (Zip)").focus()
        page.keyboard.press("Enter")
    archive = zipfile.ZipFile(io.BytesIO(Path(info.value.path()).read_bytes()))
    data = json.loads(archive.read("mitwirken.json"))
    assert data["account"][0]["email"] == "lena@example.org"
    assert data["signups"][0]["state"] == "withdrawn"
    assert data["signups"][0]["reason"] == "Ich bin krank."
    assert "signups.csv" in archive.namelist()

    # The same pages in English pass axe too.
    page.get_by_role("button", name="English").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    for path in (
        "/engagements/",
        "/engagements/stadtteile",
        f"/engagements/{opp_id}",
        "/ich/profil",
        "/ich/profil/mehr",
        "/ich/fuer-dich",
        "/ich/engagements",
        "/ich/meine-daten",
    ):
        page.goto(path)
        assert page.locator("html").get_attribute("lang") == "en"
        assert_accessible(page)
    expect(page.get_by_role("heading", name="My data", exact=True)).to_be_visible()
