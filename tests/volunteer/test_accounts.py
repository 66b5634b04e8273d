"""Accounts: registration with bad input, verification, login, reset, changes and revocation."""

import re

import pytest
from sqlmodel import select

from tests.factories import TEST_PASSWORD
from volunteer.models import AuditEntry, Notice, Token, User


def _register(client, **overrides):
    data = {
        "first_name": "Mia",
        "email": "mia@example.org",
        "password": "Zwei Bäume am Kemnader See",
        "accept_terms": "y",
    }
    data.update(overrides)
    return client.post("/konto/registrieren", data=data)


def test_registration_creates_account_and_queues_verification(client, session):
    response = _register(client)
    assert response.status_code == 302
    user = session.exec(select(User).where(User.email_key == "mia@example.org")).one()
    assert user.email_verified_at is None
    notice = session.exec(select(Notice).where(Notice.kind == "verify_email")).one()
    assert notice.user_id == user.id and "/konto/bestaetigen/" in notice.payload["url"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"email": "not-an-address"}, "gültige E-Mail-Adresse"),
        ({"password": "kurz"}, "mindestens 10 Zeichen"),
        ({"password": "passwort123"}, "zu häufig"),
        ({"first_name": ""}, "Bitte fülle dieses Feld aus"),
        ({"accept_terms": ""}, "Datenschutzerklärung gelesen hast"),
    ],
)
def test_bad_registration_rerenders_with_input_and_a_german_message(client, overrides, message):
    response = _register(client, **overrides)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert 'value="Mia"' in html or overrides.get("first_name") == ""
    assert 'aria-invalid="true"' in html


def test_verification_link_confirms_once(app, client, session, make_user, now):
    from volunteer.platform.signing import fill_slots
    from volunteer.services.accounts.account import issue_token

    user = make_user(email_verified_at=None)
    slot = issue_token(session, "verify_email", now=now, hours=1, user=user, email=user.email)
    session.commit()
    assert client.get(f"/konto/bestaetigen/{slot}").status_code == 400  # the slot is no token
    raw = fill_slots(slot, app.config["SECRET_KEY"])
    assert client.get(f"/konto/bestaetigen/{raw}").status_code == 302
    session.refresh(user)
    assert user.email_verified_at is not None
    assert client.get(f"/konto/bestaetigen/{raw}").status_code == 400  # single use
    assert client.get("/konto/bestaetigen/forged").status_code == 400


def test_login_with_right_and_wrong_password(client, make_user):
    make_user(email="jan@example.org")
    bad = client.post("/konto/anmelden", data={"email": "jan@example.org", "password": "falsch"})
    assert bad.status_code == 422
    assert "nicht korrekt" in bad.get_data(as_text=True)
    good = client.post(
        "/konto/anmelden", data={"email": "JAN@example.org", "password": TEST_PASSWORD}
    )
    assert good.status_code == 302
    assert client.get("/konto/").status_code == 200


def test_logout_revokes_a_copied_session_cookie(app, client, make_user):
    make_user(email="eve@example.org")
    client.post("/konto/anmelden", data={"email": "eve@example.org", "password": TEST_PASSWORD})
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie(cookie.key, cookie.value)
    assert thief.get("/konto/").status_code == 200
    client.post("/konto/abmelden")
    assert thief.get("/konto/").status_code == 302  # back to the login page


def test_password_change_logs_out_other_devices(app, client, make_user, login):
    user = make_user()
    login(user)
    other = login(user, app.test_client())
    response = client.post(
        "/konto/passwort",
        data={"current_password": TEST_PASSWORD, "password": "Neues langes Passwort 7"},
    )
    assert response.status_code == 302
    assert client.get("/konto/").status_code == 200  # this browser stays in
    assert other.get("/konto/").status_code == 302


def test_password_change_needs_the_current_password(client, make_user, login):
    login(make_user())
    response = client.post(
        "/konto/passwort", data={"current_password": "nope", "password": "Neues langes Passwort 7"}
    )
    assert response.status_code == 422
    assert "nicht korrekt" in response.get_data(as_text=True)


def test_reset_flow_sets_a_new_password(client, session, make_user, mailed_link):
    user = make_user(email="ole@example.org")
    response = client.post("/konto/passwort-vergessen", data={"email": "ole@example.org"})
    assert response.status_code == 302
    notice = session.exec(select(Notice).where(Notice.kind == "password_reset")).one()
    token = re.search(r"passwort-neu/(.+)$", mailed_link(notice)).group(1)
    weak = client.post(f"/konto/passwort-neu/{token}", data={"password": "123456"})
    assert weak.status_code == 422
    ok = client.post(f"/konto/passwort-neu/{token}", data={"password": "Ruhrgebiet bei Nacht 9"})
    assert ok.status_code == 302
    login = client.post(
        "/konto/anmelden", data={"email": "ole@example.org", "password": "Ruhrgebiet bei Nacht 9"}
    )
    assert login.status_code == 302
    assert session.exec(select(Token).where(Token.user_id == user.id)).first().used_at


def test_reset_request_does_not_reveal_whether_an_account_exists(client, session):
    response = client.post("/konto/passwort-vergessen", data={"email": "nobody@example.org"})
    assert response.status_code == 302
    assert session.exec(select(Notice)).first() is None


def test_email_change_needs_confirmation_from_the_new_address(
    client, session, make_user, login, mailed_link
):
    user = make_user(email="alt@example.org")
    login(user)
    response = client.post(
        "/konto/email", data={"email": "neu@example.org", "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    notice = session.exec(select(Notice).where(Notice.kind == "email_change")).one()
    assert notice.to_email == "neu@example.org"
    token = mailed_link(notice).rsplit("/", 1)[1]
    client.get(f"/konto/email-bestaetigen/{token}")
    session.refresh(user)
    assert user.email == "neu@example.org"


def test_security_events_are_audited(client, session, make_user):
    make_user(email="aud@example.org")
    client.post("/konto/anmelden", data={"email": "aud@example.org", "password": TEST_PASSWORD})
    actions = session.exec(select(AuditEntry.action)).all()
    assert "user.login" in actions


def test_registration_records_the_privacy_consent(client, session):
    from volunteer.models import Consent

    _register(client)
    user = session.exec(select(User).where(User.email_key == "mia@example.org")).one()
    consent = session.exec(select(Consent).where(Consent.user_id == user.id)).one()
    assert consent.kind == "privacy"
