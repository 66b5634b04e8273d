"""Limits per account and per address: more source addresses buy no more guesses or mails."""

import pytest

from tests.factories import TEST_PASSWORD
from volunteer.platform.extensions import limiter


@pytest.fixture
def app_config(app_config):
    app_config.update(
        RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute", RESET_RATE_LIMIT="2 per minute"
    )
    return app_config


def _from(n):
    return {"REMOTE_ADDR": f"198.51.100.{n}"}


def test_login_guesses_at_one_account_are_limited_across_source_addresses(app, client, make_user):
    limiter.reset()
    make_user(email="ziel@example.org")
    codes = [
        client.post(
            "/konto/anmelden",
            data={"email": "Ziel@example.org", "password": f"falsch {n}"},
            environ_base=_from(n),
        ).status_code
        for n in range(4)
    ]
    assert codes == [422, 422, 422, 429]
    other = client.post(
        "/konto/anmelden",
        data={"email": "other@example.org", "password": "x"},
        environ_base=_from(9),
    )
    assert other.status_code == 422  # another account is not locked out


def test_reset_mails_to_one_address_are_limited_across_source_addresses(app, client, make_user):
    limiter.reset()
    make_user(email="ziel@example.org")
    codes = [
        client.post(
            "/konto/passwort-vergessen", data={"email": "ziel@example.org"}, environ_base=_from(n)
        ).status_code
        for n in range(3)
    ]
    assert codes == [302, 302, 429]


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/konto/passwort", "current_password"),
        ("/konto/email", "password"),
        ("/ich/meine-daten/bestaetigen", "password"),
    ],
)
def test_password_rechecks_behind_a_session_are_limited_per_account(
    app, client, make_user, login, url, field
):
    limiter.reset()
    login(make_user())
    data = {field: "falsch", "password": "falsch"}
    codes = [
        # a new address each time: the per-address mail limit is another test's subject
        client.post(
            url, data={**data, "email": f"neu{n}@example.org"}, environ_base=_from(n)
        ).status_code
        for n in range(4)
    ]
    assert all(c != 429 for c in codes[:3]) and codes[3] == 429


def test_registrations_naming_one_address_are_limited_across_source_addresses(app, client):
    limiter.reset()
    form = {"first_name": "X", "password": "Ein langer Satz zum Testen", "accept_terms": "y"}
    codes = [
        app.test_client()
        .post(
            "/konto/registrieren", data={**form, "email": "Ziel@example.org"}, environ_base=_from(n)
        )
        .status_code
        for n in range(3)
    ]
    assert codes == [302, 302, 429]


def test_e_mail_changes_to_one_address_are_limited_across_accounts(app, client, make_user, login):
    limiter.reset()
    codes = []
    for n in range(3):
        login(make_user())
        codes.append(
            client.post(
                "/konto/email",
                data={"email": "fremd@example.org", "password": TEST_PASSWORD},
                environ_base=_from(n),
            ).status_code
        )
    assert codes == [302, 302, 429]
