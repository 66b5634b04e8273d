"""The Engagementnachweis: the PDF a volunteer downloads and the public page that checks it."""

import io
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from pypdf import PdfReader
from sqlmodel import select

from notifications.render import render
from notifications.rules.volunteers import schedule_recognition
from tests.factories import add_shift, create_need, make_signup, register_org, seed_reference
from volunteer.models import Notice, Role, SignupState
from volunteer.services.discovery import engine
from volunteer.services.engagement import hours

PDF = "/ich/engagementnachweis.pdf"


@pytest.fixture
def world(app, session, make_user, now):
    """Mia with hours confirmed by two associations (Anna for one, Ömer for the other), one
    report still waiting, and a clock three days on, when the hours were decided."""
    seed_reference(session)
    engine.invalidate()
    coordinator = make_user(role=Role.COORDINATOR, first_name="Cora")
    anna = make_user(first_name="Anna", last_name="Admin")
    omer = make_user(first_name="Ömer", last_name="Vorstand")
    tafel = register_org(session, anna, now=now, coordinator=coordinator, name="Tafel Bochum e.V.")
    lesen = register_org(session, omer, now=now, coordinator=coordinator, name="Lesepaten Weitmar")
    mia = make_user(first_name="Mia", last_name="Müller-Lüdenscheidt")
    later = now + timedelta(days=3)
    plan = ((tafel, anna, 90, True), (tafel, anna, 60, True), (lesen, omer, 45, True))
    for org, admin, minutes, confirm in (*plan, (lesen, omer, 120, False)):
        need = create_need(session, org, admin, now=now, title=f"Hilfe bei {org.name}")
        shift = add_shift(session, need, admin, now=now, days=1, start=shift_start(minutes))
        signup = make_signup(session, mia, shift, now=now, state=SignupState.ACCEPTED)
        entry = hours.submit_hours(
            session, mia, signup, minutes=minutes, margin_minutes=0, now=later
        )
        if confirm:
            hours.confirm(session, org, entry, by=admin, now=later)
        session.commit()
    app.config["CLOCK"] = lambda: later
    return {"mia": mia, "anna": anna, "later": later}


def shift_start(minutes):
    """A start that leaves the shift long enough for the minutes reported."""
    from datetime import time

    return time(17 - (minutes + 59) // 60)


def _pdf(response):
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    reader = PdfReader(io.BytesIO(response.data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    links = [
        a.get_object()["/A"]["/URI"]
        for page in reader.pages
        for a in page.get("/Annots", [])
        if "/A" in a.get_object()
    ]
    return reader, text, sorted(set(links))


def test_the_pdf_lists_confirmed_hours_per_organisation_with_who_confirmed_them(
    client, login, world
):
    login(world["mia"])
    reader, text, links = _pdf(client.get(PDF))
    assert "Engagementnachweis" in text and "Mia Müller-Lüdenscheidt" in text
    flat = " ".join(text.split())
    # Tafel: 90 + 60 minutes; Lesepaten: 45; the unconfirmed 120 minutes count nowhere.
    assert "Tafel Bochum e.V." in flat and "Lesepaten Weitmar" in flat
    assert "2,5" in flat and "0,75" in flat and "Gesamt 3,25" in flat
    assert "2 Einträge" in flat and "1 Eintrag" in flat
    assert "Anna, zuletzt am" in flat and "Ömer, zuletzt am" in flat
    assert "Admin" not in flat and "Vorstand" not in flat  # confirmers by first name only
    assert "2 Organisationen haben diese Stunden bestätigt" in flat
    assert reader.metadata.title == "Engagementnachweis: Mia Müller-Lüdenscheidt"
    (verify_url,) = links
    assert verify_url.startswith("http://localhost/nachweis/")
    assert "Prüfcode:" in flat


def test_the_printed_code_is_confirmed_publicly_with_nothing_but_name_hours_and_date(
    app, client, login, world
):
    login(world["mia"])
    *_, (verify_url,) = _pdf(client.get(PDF))
    path = urlsplit(verify_url).path
    anonymous = app.test_client()
    page = anonymous.get(path)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Dieser Nachweis ist echt" in html and "Mia Müller-Lüdenscheidt" in html
    assert "3,25" in html and world["later"].strftime("%Y") in html
    assert "Tafel" not in html and "Anna" not in html and "noindex" in html
    # Pasting the whole printed address into the form finds it too.
    found = anonymous.get("/nachweis/pruefen", query_string={"code": verify_url})
    assert found.status_code == 302 and found.headers["Location"] == path


@pytest.mark.parametrize(
    ("change"),
    [
        lambda code: code[:-1] + ("A" if code[-1] != "A" else "B"),  # signature altered
        lambda code: code.replace(code.split(".")[0], code.split(".")[0][::-1]),  # payload
        lambda code: "x" * 2000,  # far too long
        lambda code: "nichts",
    ],
)
def test_a_tampered_or_made_up_code_is_refused_in_words_not_with_an_error(
    app, client, login, world, change
):
    login(world["mia"])
    *_, (verify_url,) = _pdf(client.get(PDF))
    code = verify_url.rsplit("/", 1)[1]
    page = app.test_client().get(f"/nachweis/{change(code)}")
    assert page.status_code == 404
    html = page.get_data(as_text=True)
    assert "Wir können diesen Nachweis nicht bestätigen" in html
    assert "Mia" not in html and 'name="code"' in html  # nothing revealed; try again


def test_the_check_form_asks_for_a_code_and_explains_a_missing_one(client):
    assert "Prüfcode" in client.get("/nachweis/pruefen").get_data(as_text=True)
    empty = client.get("/nachweis/pruefen", query_string={"code": "  "})
    assert empty.status_code == 422
    assert "Bitte gib den Prüfcode vom Nachweis ein." in empty.get_data(as_text=True)


def test_the_certificate_is_in_english_for_someone_who_reads_english(
    app, client, login, session, world
):
    mia = world["mia"]
    mia.locale = "en"
    session.add(mia)
    session.commit()
    login(mia)
    _, text, (verify_url,) = _pdf(client.get(PDF, headers={"Accept-Language": "de"}))
    flat = " ".join(text.split())
    assert "Certificate of volunteering" in flat and "Total 3.25" in flat
    assert "2.5" in flat and "0.75" in flat and "Anna, last on" in flat
    page = app.test_client().get(urlsplit(verify_url).path, headers={"Accept-Language": "en"})
    assert "This certificate is genuine" in page.get_data(as_text=True)
    assert "3.25" in page.get_data(as_text=True)


def test_someone_without_confirmed_hours_gets_a_clear_page_not_an_empty_pdf(
    client, login, make_user
):
    login(make_user())
    response = client.get(PDF)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "Noch keine bestätigten Stunden" in response.get_data(as_text=True)


def test_the_download_needs_a_login(client):
    response = client.get(PDF)
    assert response.status_code == 302 and "/anmelden" in response.headers["Location"]


def test_my_engagements_and_the_hours_notice_link_to_the_certificate(
    app, client, login, session, world
):
    login(world["mia"])
    page = client.get("/ich/engagements").get_data(as_text=True)
    assert f'href="{PDF}"' in page and "Nachweis herunterladen (PDF)" in page
    # The recognition job writes the milestone notice (a first engagement, here) as it runs.
    assert schedule_recognition(session, now=world["later"]) >= 1
    session.commit()
    for kind in ("hours_confirmed", "recognition"):
        notice = session.exec(
            select(Notice).where(Notice.kind == kind, Notice.user_id == world["mia"].id)
        ).first()
        with app.app_context():
            rendered = render(session, notice, app=app, now=world["later"])
        assert f"http://localhost{PDF}" in rendered.text, kind
        assert f'href="http://localhost{PDF}"' in rendered.html, kind
