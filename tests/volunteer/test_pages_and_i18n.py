"""Public pages, German by default, English switchable and remembered."""

import pytest

from notifications.channels.inbox import InboxChannel
from notifications.channels.recording import RecordingChannel
from notifications.dispatcher import Dispatcher, Policy
from volunteer.models import User
from volunteer.platform.db import get_bind
from volunteer.services.notices import outbox


@pytest.mark.parametrize(
    ("path", "german"),
    [
        ("/", "Mitwirken"),
        ("/barrierefreiheit", "Erklärung zur Barrierefreiheit"),
        ("/datenschutz", "Datenschutzerklärung"),
        ("/impressum", "Impressum"),
        ("/konto/anmelden", "Anmelden"),
        ("/konto/registrieren", "Registrieren"),
    ],
)
def test_public_pages_are_german_by_default(client, path, german):
    response = client.get(path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="de">' in html
    assert german in html


def test_accept_language_english_gets_english(client):
    html = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="en">' in html and "Skip to content" in html


def test_switch_is_remembered_for_visitors_by_cookie(client):
    response = client.post("/sprache?next=/impressum", data={"lang": "en"})
    assert response.status_code == 302 and response.headers["Location"] == "/impressum"
    assert '<html lang="en">' in client.get("/impressum").get_data(as_text=True)
    client.post("/sprache", data={"lang": "de"})
    assert "Zum Inhalt springen" in client.get("/").get_data(as_text=True)


def test_switch_is_remembered_on_the_account(client, session, make_user, login, app):
    user = make_user()
    login(user)
    client.post("/sprache", data={"lang": "en"})
    session.refresh(user)
    assert user.locale == "en"
    fresh = login(session.get(User, user.id), app.test_client())  # another device, no cookie
    assert '<html lang="en">' in fresh.get("/").get_data(as_text=True)


def test_unknown_language_and_foreign_next_are_ignored(client):
    response = client.post("/sprache?next=https://evil.example/", data={"lang": "xx"})
    assert response.headers["Location"] == "/"


def test_health_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json["database"] == "ok"


def test_unknown_page_is_a_friendly_404_and_api_gets_problem_json(client):
    response = client.get("/gibt-es-nicht")
    assert response.status_code == 404 and "Seite nicht gefunden" in response.get_data(as_text=True)
    api = client.get("/api/gibt-es-nicht")
    assert api.status_code == 404
    assert api.mimetype == "application/problem+json" and api.json["status"] == 404


def test_a_switch_also_changes_the_language_of_notices_not_yet_sent(
    client, session, make_user, login, app, now
):
    user = make_user(locale="de")
    outbox.enqueue(
        session, "password_changed", dedupe_key="before-switch", now=now, user=user,
        channels=["email"],
    )  # fmt: skip
    session.commit()
    login(user)
    client.post("/sprache", data={"lang": "en"})
    recording = RecordingChannel()
    Dispatcher(
        app, get_bind(app), {"email": recording, "inapp": InboxChannel()},
        policy=Policy(batch_size=10), worker="test", clock=lambda: now,
    ).run_until_idle()  # fmt: skip
    ((notice, message),) = recording.sent
    assert notice.locale == "en" and message.subject == "Your password was changed"
