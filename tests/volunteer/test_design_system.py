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
