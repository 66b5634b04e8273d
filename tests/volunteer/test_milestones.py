"""Milestones are declared once (``volunteer/data/recognition.json``); the engagements page and the
recognition notice take their words from ``web/wording/milestones.py`` by the declared kind, and a
code the file does not declare raises instead of being shown as something vague."""

from datetime import date

import pytest
from flask import Flask
from flask_babel import force_locale

from tests.factories import make_hours, make_organisation
from volunteer.services.engagement.recognition import UnknownMilestone, default_rules, parse_rules
from volunteer.web.wording.milestones import milestone_texts


def test_every_declared_milestone_has_words_in_german_and_english(app: Flask) -> None:
    codes = [m["code"] for m in default_rules().milestones]
    assert {"first_engagement", "hours_10", "one_year", "ehrenamtskarte"} <= set(codes)
    with app.test_request_context():
        for locale in ("de", "en"):
            with force_locale(locale):
                titles = [milestone_texts(code) for code in codes]
            assert all(title and text for title, text in titles), (locale, titles)
            assert len({title for title, _ in titles}) == len(codes)
        with force_locale("de"):
            assert milestone_texts("hours_500")[0] == "500 bestätigte Stunden"
            assert milestone_texts("one_year")[0] == "ein Jahr Engagement"


def test_an_undeclared_code_raises(app: Flask) -> None:
    with app.test_request_context(), pytest.raises(UnknownMilestone):
        milestone_texts("hours_12")


def test_rules_naming_an_unknown_kind_are_refused_on_load() -> None:
    text = default_rules()
    data = {
        "ehrenamtskarte_nrw": {
            "rules": [{"valid_from": "2026-02-01", "hours_per_week": 4, "hours_per_year": 200}],
            "municipality": text.municipality.slug,
            "municipalities": {
                text.municipality.slug: {
                    "name": text.municipality.name,
                    "prior_years": 1,
                    "minimum_age_group": text.municipality.minimum_age_group,
                }
            },
        },
        "milestones": [{"code": "streak_7", "kind": "streak", "days": 7}],
    }
    with pytest.raises(UnknownMilestone, match="streak"):
        parse_rules(data)


def test_the_engagements_page_lists_milestones_in_the_same_words(
    client, session, make_user, login, now
) -> None:
    user = make_user(first_name="Lena")
    org = make_organisation(session, now)
    make_hours(session, user, org, worked_on=date(2026, 10, 3), minutes=11 * 60)
    login(user)
    page = client.get("/ich/engagements").get_data(as_text=True)
    assert "Dein erstes Engagement" in page
    assert "10 bestätigte Stunden" in page
