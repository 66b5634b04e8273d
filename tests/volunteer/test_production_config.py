"""Production refuses unsafe settings; the Host header never reaches the API's links."""

import secrets

import pytest

from volunteer.app import create_app
from volunteer.config import LEGAL_KEYS, ConfigError, secret_bits

GOOD = {
    **{key: f"Echter Wert für {key}" for key in LEGAL_KEYS},
    "ENV": "production",
    "DATABASE_URL": "sqlite://",
    "SECRET_KEY": secrets.token_urlsafe(48),
    "BASE_URL": "https://mitwirken.bochum.de",
    "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
    "MAIL_FROM": "Mitwirken Bochum <noreply@mitwirken.bochum.de>",
    "OPERATOR_EMAIL": "mitwirken@bochum.de",
}


def test_a_sound_production_configuration_starts():
    app = create_app(GOOD)
    assert app.config["TRUSTED_HOSTS"] == ["mitwirken.bochum.de"]
    assert app.config["SESSION_COOKIE_SECURE"] is True


@pytest.mark.parametrize(
    ("key", "value", "says"),
    [
        ("SECRET_KEY", "change-me", "SECRET_KEY must be set"),
        ("SECRET_KEY", "a" * 32, "not random enough"),
        ("SECRET_KEY", "ab" * 24, "not random enough"),
        ("DEBUG", True, "DEBUG"),
        ("TESTING", True, "TESTING"),
        ("COOKIE_SECURE", False, "COOKIE_SECURE"),
        ("BASE_URL", "http://mitwirken.bochum.de", "https://"),
        ("BASE_URL", "https://127.0.0.1:8000", "loopback"),
        ("BASE_URL", "https://localhost", "loopback"),
        ("BASE_URL", "https://mitwirken.bochum.example", "example"),
        ("RATELIMIT_ENABLED", False, "rate limits"),
        ("RATELIMIT_STORAGE_URI", "memory://", "memory://"),
        ("OPERATOR_EMAIL", "mitwirken@bochum.example", "OPERATOR_EMAIL"),
        ("MAIL_FROM", "Mitwirken <noreply@example.org>", "MAIL_FROM"),
        ("OPERATOR_ADDRESS", "", "OPERATOR_ADDRESS"),
        ("DPO_EMAIL", "datenschutz@localhost", "DPO_EMAIL"),
    ],
)
def test_production_refuses_an_unsafe_setting(key, value, says):
    with pytest.raises(ConfigError, match=says):
        create_app({**GOOD, key: value})


def test_memory_limits_are_allowed_for_a_single_declared_worker():
    app = create_app({**GOOD, "RATELIMIT_STORAGE_URI": "memory://", "WORKERS": 1})
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"
    with pytest.raises(ConfigError, match="memory://"):
        create_app({**GOOD, "RATELIMIT_STORAGE_URI": "memory://", "WORKERS": 2})


def test_random_secrets_score_high_and_patterns_low():
    assert secret_bits(secrets.token_urlsafe(32)) > 150
    assert secret_bits(secrets.token_hex(16)) > 96
    assert secret_bits("a" * 64) == 0
    assert secret_bits("abc" * 20) < 5


def test_production_answers_only_its_own_host():
    app = create_app(
        {**GOOD, "RATELIMIT_ENABLED": True, "WORKERS": 1, "RATELIMIT_STORAGE_URI": "memory://"}
    )
    client = app.test_client()
    forged = client.get("/api/v1/taxonomy", headers={"Host": "evil.example"})
    assert forged.status_code == 400
    assert forged.mimetype == "application/problem+json"
    assert client.get("/healthz", headers={"Host": "mitwirken.bochum.de"}).status_code != 400


def test_api_links_use_the_base_url_whatever_the_host_header(client, app, session, now):
    from volunteer.demo.city import Scale, load_demo_data

    load_demo_data(session, now=now, scale=Scale(10, 10, 10), progress=False)
    session.commit()
    app.config["BASE_URL"] = "https://mitwirken.bochum.de"
    response = client.get("/api/v1/opportunities", headers={"Host": "evil.example"})
    item = response.json["items"][0]
    assert item["url"].startswith("https://mitwirken.bochum.de/")
    assert item["api_url"].startswith("https://mitwirken.bochum.de/api/v1/")
    detail = client.get(f"/api/v1/opportunities/{item['id']}", headers={"Host": "evil.example"})
    assert detail.json["url"].startswith("https://mitwirken.bochum.de/")


def test_cached_api_answers_vary_on_language_and_refusals_are_not_cached(client):
    ok = client.get("/api/v1/taxonomy")
    assert ok.headers["Cache-Control"] == "public, max-age=60"
    assert {"Accept-Language", "Cookie"} <= set(ok.vary)
    refused = client.get("/api/v1/opportunities?colour=blue")
    assert refused.status_code == 400
    assert refused.headers["Cache-Control"] == "no-store"
