"""Rendered pages for anonymous visitors, kept per process: home, search, a need's page and the
district page are the same for every visitor who is not logged in, so the HTML rendered for one is
served to the next instead of reading and rendering it again (about 10-17 ms of CPU at city scale).

What may be shared, and so what is kept: only a GET of one of :data:`PAGES` by a visitor who is
not logged in and has no flashed message waiting, keyed on everything the HTML depends on (the
endpoint, the path with its arguments, the raw query string, the language, the host and mount
point). A rendering is stored only when it is a plain 200 HTML page that set no cookie, changed
nothing in the session and built no form with a CSRF token: the one per-person piece of these
pages, the token of the language switch, is rendered as a placeholder and put in per response
(:func:`_personalise`), so forms keep working and no visitor's token reaches another.

Fresh on this process at once: every commit that touches needs, shifts, sign-ups or
organisations reaches :func:`_note` through the engine's freshness hook
(``services.discovery.freshness.on_commit``) and drops what it may change — every list page, the
changed needs' own pages; a sign-up's shift is resolved to its need on the next read. A page
rendered while such a commit landed is not stored. Other processes (the second gunicorn worker,
other nodes) do not hear of the change: each serves a page at most ``PAGE_CACHE_SECONDS`` old,
by the monotonic clock and by the app's clock (so dates "from now" move on too), and the places a
sign-up relies on are always checked in the database. ``PAGE_CACHE_SECONDS = 0`` turns it off.
"""

import secrets
import threading
import time
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Flask, Response, current_app, g, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlmodel import Session

from volunteer.platform.clock import now
from volunteer.platform.db import get_session
from volunteer.services.discovery import freshness
from volunteer.web.templating import current_locale

# The pages that are the same for every anonymous visitor, by endpoint; the need page is kept
# per need (dropped when that need changes), the others are dropped on any change to needs.
PAGES = frozenset(
    {"pages.home", "opportunities.index", "opportunities.detail", "opportunities.districts"}
)
_NEED_PAGE = "opportunities.detail"
_KEY = "anonymous_page_key"  # on ``g``: this request may be served from, or stored in, the cache
_HIT = "anonymous_page_hit"


@dataclass(frozen=True, slots=True)
class _Page:
    body: bytes
    mimetype: str
    need: int | None  # the need whose page this is, for dropping it when the need changes
    stored: float  # monotonic
    moment: datetime  # the app's clock when rendered


class AnonymousPages:
    """A bounded LRU of rendered pages (by total bytes), dropped by the freshness hook."""

    def __init__(self, max_bytes: int, ttl: float) -> None:
        self.max_bytes, self.ttl = max_bytes, ttl
        self.lock = threading.Lock()
        self.pages: OrderedDict[tuple[Any, ...], _Page] = OrderedDict()
        self.size = 0
        self.generation = 0  # moved by every change that may alter a page
        self.shifts: set[int] = set()  # shifts with changed sign-ups, not yet resolved to needs
        self.hits = self.misses = 0
        # The placeholder standing for the visitor's CSRF token while a page is rendered:
        # random per process, so no query string can put it in a page.
        self.placeholder = f"csrf-{secrets.token_hex(16)}"

    def get(self, key: tuple[Any, ...], moment: datetime) -> _Page | None:
        with self.lock:
            page = self.pages.get(key)
            if page is None:
                self.misses += 1
                return None
            age = moment - page.moment
            if (
                time.monotonic() - page.stored >= self.ttl
                or not 0 <= age.total_seconds() < self.ttl
            ):
                self._drop(key)
                self.misses += 1
                return None
            self.pages.move_to_end(key)
            self.hits += 1
            return page

    def put(self, key: tuple[Any, ...], page: _Page, generation: int) -> None:
        with self.lock:
            if generation != self.generation or self.shifts:
                return  # a change landed while it was rendered: it may show the old rows
            if key in self.pages:
                self._drop(key)
            self.pages[key] = page
            self.size += len(page.body)
            while self.size > self.max_bytes and self.pages:
                self._drop(next(iter(self.pages)))

    def _drop(self, key: tuple[Any, ...]) -> None:
        self.size -= len(self.pages.pop(key).body)

    def note(self, changes: freshness.Changes) -> None:
        """A commit changed needs: drop the pages that may show them."""
        if not changes.needs:
            return
        with self.lock:
            self.generation += 1
            for key, page in list(self.pages.items()):
                if changes.everything or page.need is None or page.need in changes.opportunity_ids:
                    self._drop(key)
            self.shifts |= changes.shift_ids

    def resolve(self, session: Session) -> None:
        """Drop the pages of the needs whose shifts' sign-ups changed (one query, after such a
        change only): the commit hook cannot ask the database which need a shift belongs to."""
        with self.lock:
            if not self.shifts:
                return
            pending = freshness.Changes(shift_ids=set(self.shifts))
        needs = pending.need_ids(session)
        with self.lock:
            self.shifts -= pending.shift_ids
            self.generation += 1
            for key, page in list(self.pages.items()):
                if page.need in needs:
                    self._drop(key)

    def clear(self) -> None:
        with self.lock:
            self.pages.clear()
            self.size = 0
            self.generation += 1
            self.shifts.clear()


_CACHES: "weakref.WeakSet[AnonymousPages]" = weakref.WeakSet()


def _note(changes: freshness.Changes) -> None:
    for cache in list(_CACHES):
        cache.note(changes)


freshness.on_commit(_note)


def _cache() -> AnonymousPages | None:
    found: AnonymousPages | None = current_app.extensions.get("anonymous_pages")
    return found


def _shareable() -> bool:
    """Is this request one whose page is the same for every anonymous visitor?"""
    return (
        request.method == "GET"
        and request.endpoint in PAGES
        and not current_user.is_authenticated
        and "_flashes" not in session
    )


def _lookup() -> Response | None:
    cache = _cache()
    if cache is None or not _shareable():
        return None
    if cache.shifts:
        cache.resolve(get_session())
    key = (
        request.endpoint,
        request.host,
        request.script_root,
        request.path,
        request.query_string,
        current_locale(),
    )
    page = cache.get(key, now())
    if page is None:
        g.setdefault(_KEY, (key, cache.generation))
        return None
    g.setdefault(_HIT, True)
    response = current_app.response_class(page.body, mimetype=page.mimetype)
    return _personalise(response, cache)


def _store(response: Response) -> Response:
    cache = _cache()
    found = g.get(_KEY)
    if cache is None or found is None or g.get(_HIT):
        return response
    key, generation = found
    if (
        response.status_code == 200
        and response.mimetype == "text/html"
        and not response.is_streamed
        and "Set-Cookie" not in response.headers
        and not session.modified
        and "csrf_token" not in g  # a form built its own token: per person
        and not current_user.is_authenticated
    ):
        need = request.view_args.get("opportunity_id") if request.view_args else None
        page = _Page(response.get_data(), response.mimetype, need, time.monotonic(), now())
        cache.put(key, page, generation)
    return _personalise(response, cache)


def _personalise(response: Response, cache: AnonymousPages) -> Response:
    """Put this visitor's CSRF token where the page has the placeholder (the language switch):
    asked for only here, so the token and the session cookie it may set are this visitor's."""
    body = response.get_data()
    marker = cache.placeholder.encode()
    if marker in body:
        response.set_data(body.replace(marker, generate_csrf().encode()))
    return response


def csrf_token() -> str:
    """The templates' ``csrf_token()``: the placeholder while a shareable page renders."""
    cache = _cache()
    if cache is not None and _KEY in g:
        return cache.placeholder
    return str(generate_csrf())


def init_app(app: Flask) -> None:
    """After the CSRF extension (its ``csrf_token`` global is replaced) and after the hooks
    that must run for every request (limits, request ids), so a hit still passes them."""
    ttl = float(app.config["PAGE_CACHE_SECONDS"])
    # Flask-WTF puts its own in the globals and in every template's context: both replaced.
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.context_processor(lambda: {"csrf_token": csrf_token})
    if ttl <= 0:
        return
    cache = AnonymousPages(int(app.config["PAGE_CACHE_BYTES"]), ttl)
    _CACHES.add(cache)
    app.extensions["anonymous_pages"] = cache
    app.before_request(_lookup)
    app.after_request(_store)
