# ruff: noqa: F811
"""Anonymous visitors' pages come from the per-process cache of rendered pages
(``volunteer/web/anonymous_pages.py``), without ever sharing anything personal: a logged-in
visitor never gets a cached page and never leaves one, each visitor's forms carry their own CSRF
token, a flashed message is shown, and a change to a need shows at once."""

import re
from datetime import timedelta

import pytest
from sqlmodel import col, select

# The need with two dates of tests/volunteer/test_need_cards.py, used as a fixture here.
from tests.volunteer.test_need_cards import need  # noqa: F401
from volunteer.app import create_app
from volunteer.models import Shift

PAGES = (
    "/",
    "/engagements/",
    "/engagements/?q=hausaufgaben&sort=soonest",
    "/engagements/stadtteile",
)


@pytest.fixture
def shift(session, need):
    """The need's first date (of two, three places each: tests/volunteer/test_need_cards.py)."""
    return session.exec(
        select(Shift).where(Shift.opportunity_id == need.id).order_by(col(Shift.starts_at))
    ).first()


def _cache(app):
    return app.extensions["anonymous_pages"]


def _token(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def test_every_anonymous_page_is_served_from_the_cache_on_the_second_visit(app, client, need):
    for path in (*PAGES, f"/engagements/{need.id}"):
        first = client.get(path)
        hits = _cache(app).hits
        second = client.get(path)
        assert first.status_code == second.status_code == 200
        assert _cache(app).hits == hits + 1, path
        # The same page, but for the visitor's own token in the language switch.
        token = _token(second.get_data(as_text=True))
        assert second.get_data(as_text=True).replace(token, "") == first.get_data(
            as_text=True
        ).replace(_token(first.get_data(as_text=True)), "")
        assert second.headers["Cache-Control"] == "no-cache"


def test_each_visitor_gets_a_working_language_switch_with_their_own_token(app_config, need):
    app = create_app({**app_config, "WTF_CSRF_ENABLED": True})
    first, second = app.test_client(), app.test_client()
    path = f"/engagements/{need.id}"
    mine = _token(first.get(path).get_data(as_text=True))
    page = second.get(path).get_data(as_text=True)  # from the cache
    theirs = _token(page)
    assert _cache(app).hits == 1
    assert theirs != mine and mine not in page and _cache(app).placeholder not in page
    switched = second.post("/sprache", data={"lang": "en", "next": path, "csrf_token": theirs})
    assert switched.status_code == 302
    english = second.get(path).get_data(as_text=True)
    assert "Dates" in english and 'lang="en"' in english  # English is kept apart from German
    # Someone else's token does not work: the cached page never handed one out.
    refused = first.post("/sprache", data={"lang": "en", "next": path, "csrf_token": theirs})
    assert refused.status_code == 400


def test_a_logged_in_visitor_never_gets_or_leaves_a_cached_page(
    app, client, login, make_user, need
):
    path = f"/engagements/{need.id}"
    anonymous = client.get(path).get_data(as_text=True)  # stored
    assert "Melde dich an, um zu sehen, warum das zu dir passt" in anonymous
    volunteer = make_user()
    member = login(volunteer, app.test_client())
    hits = _cache(app).hits
    for page in (path, "/", "/engagements/"):
        html = member.get(page).get_data(as_text=True)
        assert "Abmelden" in html and "Melde dich an, um zu sehen" not in html
    assert _cache(app).hits == hits  # never served from the cache
    member_page = member.get(path)
    assert member_page.headers["Cache-Control"] == "private, no-store"
    # ... and what the volunteer saw was not stored for anyone else.
    _cache(app).clear()
    member.get(path)
    stranger = app.test_client().get(path).get_data(as_text=True)
    assert "Abmelden" not in stranger and volunteer.email not in stranger
    assert _cache(app).hits == hits


def test_a_change_to_a_need_shows_at_once_for_every_visitor(
    app, client, login, make_user, session, need, shift
):
    path = f"/engagements/{need.id}"
    assert client.get(path).get_data(as_text=True).count("3 von 3 Plätzen frei") == 2
    assert "6 Plätze frei" in client.get("/engagements/").get_data(as_text=True)
    # A sign-up through the app: the need page and the list show the place taken.
    member = login(make_user(), app.test_client())
    assert member.post(f"/engagements/schichten/{shift.id}/anmelden", data={}).status_code == 302
    assert "2 von 3 Plätzen frei" in app.test_client().get(path).get_data(as_text=True)
    assert "5 Plätze frei" in client.get("/engagements/").get_data(as_text=True)
    # An edit committed anywhere in this process: the new title at once, on every page.
    need.title = "Hausaufgabenhilfe am Nachmittag"
    session.add(need)
    session.commit()
    for page in (path, "/engagements/", "/engagements/?q=hausaufgaben&sort=soonest"):
        html = client.get(page).get_data(as_text=True)
        assert "Hausaufgabenhilfe am Nachmittag" in html and "Hausaufgaben begleiten" not in html


def test_a_flashed_message_is_shown_not_a_cached_page(app, client, need):
    client.get("/engagements/")  # stored
    answer = client.get("/engagements/?wo=Atlantis")
    assert answer.status_code == 302
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Atlantis" in page
    assert "Atlantis" not in client.get("/engagements/").get_data(as_text=True)


def test_a_page_older_than_the_cache_allows_is_rendered_again(app, client, need, now):
    client.get("/")
    hits = _cache(app).hits
    app.config["CLOCK"] = lambda: now + timedelta(seconds=app.config["PAGE_CACHE_SECONDS"])
    client.get("/")
    assert _cache(app).hits == hits


def test_the_cache_stays_within_its_bytes(app_config, need):
    app = create_app({**app_config, "PAGE_CACHE_BYTES": 60_000})
    client = app.test_client()
    for page in range(1, 30):
        assert client.get(f"/engagements/?q=x{page}").status_code == 200
    cache = _cache(app)
    assert 0 < cache.size <= 60_000 and len(cache.pages) < 29
    assert cache.size == sum(len(p.body) for p in cache.pages.values())


def test_no_cache_when_turned_off(app_config, need):
    app = create_app({**app_config, "PAGE_CACHE_SECONDS": 0})
    assert "anonymous_pages" not in app.extensions
    page = app.test_client().get("/").get_data(as_text=True)
    assert 'name="csrf_token" value="' in page
