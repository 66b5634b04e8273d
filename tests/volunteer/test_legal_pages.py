"""Legal pages a city can publish: written from configuration, formal ("Sie"), complete."""

import re
from typing import Any

import pytest

from tests.factories import seed_reference
from volunteer.app import create_app
from volunteer.config import LEGAL_KEYS, ConfigError

INFORMAL = {"du", "dich", "dir", "dein", "deine", "deinen", "deiner", "Du", "Dein", "Deine"}


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {
        **app_config,
        "OPERATOR_NAME": "Stadt Musterhausen",
        "OPERATOR_REPRESENTATIVE": "Oberbürgermeisterin Erika Muster",
        "OPERATOR_PHONE": "+49 234 910-0",
        "OPERATOR_LEGAL_FORM": "Kreisfreie Stadt, Körperschaft des öffentlichen Rechts",
        "DPO_NAME": "Dr. Dana Schutz",
        "DPO_EMAIL": "datenschutz@musterhausen.de",
        "RETENTION_TOKEN_DAYS": 5,
        "RETENTION_AUDIT_DAYS": 400,
        "RETENTION_INACTIVE_DAYS": 1000,
        "ACCESSIBILITY_STATEMENT_ON": "2026-11-15",
        "ACCESSIBILITY_EVALUATED_ON": "2026-11-10",
    }


def _article(client, path: str) -> str:
    html = client.get(path).get_data(as_text=True)
    body = html.split("<article", 1)[1].split("</article>", 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


def _formal(text: str) -> None:
    assert {"Sie", "Ihre"} & set(re.findall(r"\w+", text))
    assert not set(re.findall(r"\w+", text)) & INFORMAL


def test_privacy_notice_names_everyone_and_quotes_the_configured_periods(client):
    text = _article(client, "/datenschutz")
    for needed in (
        "Stadt Musterhausen",
        "Oberbürgermeisterin Erika Muster",
        "Dr. Dana Schutz",
        "datenschutz@musterhausen.de",
        "Art. 6 Abs. 1 lit. e DSGVO",
        "DSG NRW",
        "Art. 6 Abs. 1 lit. a",  # discoverability is consent
        "Art. 8 DSGVO",  # minors
        "Art. 22 DSGVO",  # profiling explained
        "Auftragsverarbeiter",  # recipients incl. mail provider
        "widerrufen",
        "Aufsichtsbehörde",
        "keine IP-Adresse",  # server logs
        "Anschrift",  # street address is stored
        "Fassung vom 1. Dezember 2026",
    ):
        assert needed in text, needed
    # The periods the retention rule enforces, from the same configuration.
    assert "5 Tage nach Benutzung oder Ablauf" in text
    assert "nach 400 Tagen gelöscht" in text
    assert "1000 Tage lang nicht" in text
    _formal(text)


def test_imprint_follows_ddg_and_mstv(client):
    text = _article(client, "/impressum")
    for needed in (
        "§ 5 Digitale-Dienste-Gesetz",
        "§ 18 Medienstaatsvertrag",
        "Vertreten durch Oberbürgermeisterin Erika Muster",
        "Rechtsform Kreisfreie Stadt",
        "Telefon +49 234 910-0",
        "Inhaltlich verantwortlich",
    ):
        assert needed in text, needed


def test_accessibility_statement_follows_the_eu_model_with_date_and_method_from_data(client):
    text = _article(client, "/barrierefreiheit")
    for needed in (
        "teilweise mit WCAG 2.1 Stufe AA",
        "Nicht barrierefreie Inhalte",
        "Begründung",
        "aus den echten Umrissen der Stadtteile",  # the map is described as it is drawn
        "am 15. November 2026 erstellt",
        "Selbstbewertung vom 10. November 2026",
        "Ombudsstelle für barrierefreie Informationstechnik des Landes Nordrhein-Westfalen",
        "Durchsetzungsstelle",
    ):
        assert needed in text, needed
    _formal(text)


def test_the_accessibility_statement_describes_the_map_the_page_draws(app, client, session):
    from flask import url_for

    seed_reference(session)
    with app.test_request_context():
        path = url_for("opportunities.districts")
    page = client.get(path).get_data(as_text=True)
    # Outlines shaded by count, as the statement says; the same figures in the table beside it.
    assert "district-choropleth" in page and "<path" in page and "<table" in page


def test_production_refuses_to_start_while_legal_contacts_are_placeholders(tmp_path):
    base = {
        "ENV": "production",
        "SECRET_KEY": "a-real-secret-that-is-long-enough-0123456789",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        # What production needs besides the legal contacts (test_production_config.py).
        "BASE_URL": "https://mitwirken.bochum.de",
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
        "MAIL_FROM": "Mitwirken Bochum <noreply@mitwirken.bochum.de>",
    }
    with pytest.raises(ConfigError, match="VOLUNTEER_DPO_EMAIL"):
        create_app(base)
    filled = {key: f"Echter Wert für {key}" for key in LEGAL_KEYS}
    with pytest.raises(ConfigError, match="VOLUNTEER_OPERATOR_EMAIL"):
        create_app({**base, **filled, "OPERATOR_EMAIL": "mitwirken@bochum.example"})
    app = create_app({**base, **filled})
    assert app.config["DPO_NAME"] == "Echter Wert für DPO_NAME"
