"""The design system's page and shared components, through the pages that use them."""

import pytest

from volunteer.models import Role
from volunteer.web.templating import initials


def test_style_guide_is_hidden_from_visitors_and_volunteers(client, make_user, login):
    assert client.get("/stil").status_code == 404
    login(make_user())
    assert client.get("/stil").status_code == 404


def test_coordinators_see_every_component_on_the_style_guide(client, make_user, login):
    login(make_user(role=Role.COORDINATOR))
    html = client.get("/stil").get_data(as_text=True)
    for component in (
        'class="button',
        'class="chip"',
        'class="tag',
        'class="badge-match"',
        'class="avatar',
        'class="cause-icon',
        'class="date-chip"',
        'class="card"',
        'class="disclosure',
        'class="notice',
        'class="table-stack"',
        'class="field',
        "filters",
    ):
        assert component in html, component
    assert "Gestaltungsrichtlinie" in html


def test_style_guide_is_open_in_debug_mode(app, client):
    app.debug = True
    assert client.get("/stil").status_code == 200


def test_header_menu_is_a_disclosure_that_works_without_javascript(client):
    html = client.get("/").get_data(as_text=True)
    assert '<details class="menu">' in html
    assert "<summary>" in html and "Menü" in html


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Tafel-Ausgabestelle Grumme", "TG"),
        ("SV Weitmar 1889 e.V.", "SW"),
        ("Förderverein Grundschule Stahlhausen e.V.", "FS"),
        ("nachbarn", "?"),
        ("Kirche", "K"),
    ],
)
def test_initials_for_an_avatar_skip_numbers_and_particles(name, expected):
    assert initials(name) == expected


def test_distance_bands_read_as_rough_ranges_in_german(app):
    from volunteer.web.wording.reasons import distance_band

    with app.test_request_context(headers={"Accept-Language": "de"}):
        assert [distance_band(k) for k in (0.4, 1.5, 3.7, 7.0, 12.3)] == [
            "unter 1 km",
            "1–2 km",
            "2–5 km",
            "5–10 km",
            "über 10 km",
        ]


def test_top_reason_is_the_one_whose_component_adds_most(app):
    from volunteer.web.wording.reasons import top_reason

    reasons = [
        {"code": "skills_matched", "matched": 1, "wanted": 2},
        {"code": "distance", "km": 0.8},
        {"code": "shared_cause", "causes": ["sport"]},
    ]
    with app.test_request_context(headers={"Accept-Language": "de"}):
        assert top_reason(reasons, {"skills": 0.1, "distance": 0.3, "causes": 0.2}) == (
            "0,8 km von deinem Zuhause"
        )
        assert top_reason([], {}) is None


@pytest.mark.parametrize(
    ("lang", "day", "hours"), [("de", "14.03.2027", "1,5 Std."), ("en", "Mar 14, 2027", "1.5 h")]
)
def test_days_and_hours_follow_the_readers_language(app, lang, day, hours):
    from datetime import date

    from flask import render_template_string

    with app.test_request_context(headers={"Accept-Language": lang}):
        assert render_template_string("{{ d|local_date }}", d=date(2027, 3, 14)) == day
        text = render_template_string(
            '{{ _("%(h)s h", h=(90 / 60)|format_decimal(format="#,##0.#")) }}'
        )
        assert text == hours
