"""CSRF, rate limits, headers, cookies, request size, and 404 for other people's objects."""

import pytest
from flask import Blueprint
from flask_login import current_user, login_required

from tests.factories import TEST_PASSWORD
from volunteer.models import MemberRole, Membership, Organisation, Token
from volunteer.platform.db import get_session
from volunteer.services.permissions import organisation_for, owned_or_404


@pytest.fixture
def app_config(app_config):
    app_config.update(
        WTF_CSRF_ENABLED=True, RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute"
    )
    return app_config


def test_post_without_csrf_token_is_rejected(client, make_user):
    make_user(email="c@example.org")
    response = client.post(
        "/konto/anmelden", data={"email": "c@example.org", "password": TEST_PASSWORD}
    )
    assert response.status_code == 400
    assert "Formular" in response.get_data(as_text=True)


def test_post_with_csrf_token_from_the_form_works(client, make_user):
    import re

    make_user(email="c@example.org")
    page = client.get("/konto/anmelden").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        "/konto/anmelden",
        data={"csrf_token": token, "email": "c@example.org", "password": TEST_PASSWORD},
    )
    assert response.status_code == 302


def test_login_is_rate_limited(app):
    from volunteer.platform.extensions import limiter

    limiter.reset()
    app.config["WTF_CSRF_ENABLED"] = False
    client = app.test_client()
    codes = [
        client.post("/konto/anmelden", data={"email": "x@example.org", "password": "y"}).status_code
        for _ in range(4)
    ]
    assert codes[:3] == [422, 422, 422]
    assert codes[3] == 429


@pytest.mark.parametrize(
    "path",
    ["/api/v1/opportunities", "/api/v1/opportunities/1", "/api/v1/districts", "/api/v1/taxonomy"],
)
def test_every_api_endpoint_is_rate_limited(app, path):
    from volunteer.platform.extensions import limiter

    limiter.reset()
    app.config["API_RATE_LIMIT"] = "2 per minute"
    client = app.test_client()
    codes = [client.get(path).status_code for _ in range(3)]
    assert 429 not in codes[:2] and codes[2] == 429


def test_security_headers_and_cookie_flags(app_config):
    from volunteer.app import create_app

    app_config.update(TESTING=False, COOKIE_SECURE=None, WTF_CSRF_ENABLED=False)
    app = create_app(app_config)
    response = app.test_client().get("/konto/anmelden")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_oversized_request_is_refused(client):
    response = client.post("/konto/anmelden", data={"email": "x" * (3 * 1024 * 1024)})
    assert response.status_code == 413


def test_production_refuses_a_default_secret():
    from volunteer.app import create_app
    from volunteer.config import ConfigError

    with pytest.raises(ConfigError):
        create_app({"ENV": "production", "SECRET_KEY": "change-me", "DATABASE_URL": "sqlite://"})


@pytest.fixture
def guarded_app(app):
    """Two routes that use the permission helpers the real blueprints use."""
    bp = Blueprint("probe", __name__)

    @bp.get("/probe/org/<int:org_id>")
    @login_required
    def org(org_id):
        return organisation_for(get_session(), current_user, org_id).name

    @bp.get("/probe/token/<int:token_id>")
    @login_required
    def token(token_id):
        return str(owned_or_404(get_session().get(Token, token_id), current_user).id)

    app.register_blueprint(bp)
    return app


def test_another_users_object_answers_404(guarded_app, session, make_user, login, now):
    owner, stranger = make_user(), make_user()
    org = Organisation(name="Tafel Bochum e.V.")
    session.add(org)
    session.commit()
    session.add(Membership(organisation_id=org.id, user_id=owner.id, role=MemberRole.ADMIN))
    token = Token(purpose="x", token_hash="h" * 64, user_id=owner.id, expires_at=now)
    session.add(token)
    session.commit()
    client = guarded_app.test_client()
    login(owner, client)
    assert client.get(f"/probe/org/{org.id}").get_data(as_text=True) == "Tafel Bochum e.V."
    assert client.get(f"/probe/token/{token.id}").status_code == 200
    login(stranger, client)
    for url in (f"/probe/org/{org.id}", f"/probe/token/{token.id}", "/probe/org/999999"):
        response = client.get(url)
        assert response.status_code == 404
        assert "Tafel" not in response.get_data(as_text=True)


def test_pages_with_personal_data_are_not_cached(client, make_user, login):
    assert client.get("/").headers["Cache-Control"] == "no-cache"
    login(make_user())
    assert client.get("/konto/").headers["Cache-Control"] == "private, no-store"


def test_an_untrusted_host_header_gets_a_plain_400_not_a_server_error(
    app_config: dict[str, object],
) -> None:
    from volunteer.app import create_app

    app = create_app({**app_config, "TRUSTED_HOSTS": ["mitwirken.bochum.de"]})
    client = app.test_client()
    for path in ("/", "/engagements/", "/api/v1/opportunities", "/does-not-exist"):
        response = client.get(path, headers={"Host": "evil.example"})
        assert response.status_code == 400, path
        assert "evil.example" not in response.get_data(as_text=True)
    assert client.get("/", headers={"Host": "mitwirken.bochum.de"}).status_code == 200
