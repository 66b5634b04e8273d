"""The base layout's pieces are rendered once per language, role and page (web/templating.py
``layout_part`` / ``layout_nav``): whoever comes next must still see their own navigation, their
own page marked and their own unread count, in their own language."""

import re
from datetime import timedelta

from flask.testing import FlaskClient
from flask_babel import force_locale

from volunteer.models import Role
from volunteer.platform.i18n import time_range


def _nav(html: str) -> str:
    found = re.search(r'<nav class="main-nav".*?</nav>', html, re.S)
    assert found is not None
    return found.group(0)


def test_each_visitor_sees_the_navigation_of_their_own_role(app, client, login, make_user):
    coordinator = make_user(role=Role.COORDINATOR)
    volunteer = make_user()
    for_coordinator = login(coordinator, app.test_client())
    for_volunteer = login(volunteer, app.test_client())

    first = _nav(for_coordinator.get("/").get_data(as_text=True))
    assert "Koordination der Stadt" in first and "Meine Engagements" in first
    guest = _nav(client.get("/").get_data(as_text=True))
    assert "Koordination der Stadt" not in guest and "Meine Engagements" not in guest
    mine = _nav(for_volunteer.get("/").get_data(as_text=True))
    assert "Meine Engagements" in mine and "Koordination der Stadt" not in mine
    page = client.get("/").get_data(as_text=True)
    assert ">Anmelden</a>" in page and "Abmelden" not in page  # a guest's account links


def test_the_current_page_is_marked_and_the_language_follows_the_visitor(client: FlaskClient):
    search = _nav(client.get("/engagements/").get_data(as_text=True))
    assert re.search(r'href="/engagements/" aria-current="page"', search)
    home = _nav(client.get("/").get_data(as_text=True))
    assert "aria-current" not in home

    english = FlaskClient(client.application, use_cookies=True)
    english.post("/sprache", data={"lang": "en"})
    page = english.get("/engagements/").get_data(as_text=True)
    assert "Find opportunities" in _nav(page) and "Accessibility" in page
    german = client.get("/engagements/").get_data(as_text=True)
    assert "Engagement finden" in _nav(german) and "Barrierefreiheit" in german


def test_a_remembered_time_is_worded_in_each_readers_language(app, now):
    """``platform.i18n.per_reader`` keeps formatted times by language and time zone: a shift's
    time asked for in German, then in English, then in German again is each reader's own."""
    start, end = now + timedelta(days=1), now + timedelta(days=1, hours=2)
    with app.test_request_context("/"):
        with force_locale("de"):
            german = time_range(start, end, "medium")
        with force_locale("en"):
            english = time_range(start, end, "medium")
        with force_locale("de"):
            again = time_range(start, end, "medium")
    assert german == again and german != english
    assert german.startswith(f"{(start + timedelta(hours=1)).strftime('%d.%m.%Y')}")
    assert "PM" in english or "AM" in english
