"""Template globals: the navigation and the locale.

Every link is built with ``url_for``: an endpoint that is renamed or missing raises while the
page renders, so a test catches it instead of a page silently dropping the link.
"""

import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app, get_template_attribute, request
from flask_babel import get_locale, get_translations, ngettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from volunteer.platform.i18n import per_reader
from volunteer.services.permissions import is_coordinator
from volunteer.web.wording.reasons import band_of, top_reason

if TYPE_CHECKING:
    from volunteer.services.discovery.cards import Hit

# (endpoint, label, who sees it).
NAV: list[tuple[str, Any, str]] = [
    ("opportunities.index", _l("Find opportunities"), "all"),
    ("volunteers.recommendations", _l("For you"), "user"),
    ("volunteers.engagements", _l("My engagements"), "user"),
    ("organisations.index", _l("For associations"), "all"),
    ("coordination.index", _l("City coordination"), "coordinator"),
    ("inbox.index", _l("Inbox"), "user"),
]


def main_nav() -> list[tuple[str, Any]]:
    entries = []
    for endpoint, label, audience in NAV:
        if audience == "user" and not current_user.is_authenticated:
            continue
        if audience == "coordinator" and not is_coordinator(current_user):
            continue
        entries.append((endpoint, label))
    return entries


def current_locale() -> str:
    return str(get_locale() or "de")


def initials(name: str) -> str:
    """Up to two initials for an avatar: "Tafel-Ausgabestelle Grumme" -> "TG".

    Words such as "e.V." or "der" carry no identity, so only words that start with a letter and
    are not lower-case particles count.
    """
    words = [w for w in name.replace("-", " ").split() if w[:1].isalpha() and not w[:1].islower()]
    picked = (words[:1] + words[-1:]) if len(words) > 1 else words
    return "".join(w[0].upper() for w in picked) or "?"


def avatar_colour(key: int) -> str:
    """One of six AA-contrast backgrounds, stable per organisation."""
    return f"avatar-c{key % 6}"


# Rendered card insides kept per app; enough for every listed need of a city in two languages.
CARD_CACHE_SIZE = 20_000
# Rendered layout pieces: a few per language, and a navigation per page, role and unread count.
LAYOUT_CACHE_SIZE = 2_000


class _Rendered:
    """Rendered HTML by everything it shows (a bounded, insertion-ordered dict): the key holds
    every value the fragment depends on, so a change simply makes a new key and nothing is ever
    stale; the oldest keys fall out when the cache is full."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.lock = threading.Lock()
        self.html: dict[tuple[Any, ...], Markup] = {}

    def fetch(self, key: tuple[Any, ...], render: Callable[[], Markup]) -> Markup:
        found = self.html.get(key)
        if found is None:
            found = render()
            with self.lock:
                self.html[key] = found
                while len(self.html) > self.size:
                    del self.html[next(iter(self.html))]
        return found


def layout_part(name: str) -> Markup:
    """A piece of the base layout (a macro of macros/layout.html) that depends only on the
    language and the app's configuration: the head's links, the brand, the footer ... Rendered
    once per language instead of a dozen gettext and url_for calls on every page."""
    return _layout(("part", name), lambda: get_template_attribute("macros/layout.html", name)())


def layout_nav(entries: Sequence[tuple[str, Any]], unread: Callable[[], int] | None) -> Markup:
    """The main navigation: rendered once per set of entries (the visitor's role), current page
    and unread count. The count is asked for only when the inbox is among the entries; the key
    holds everything the HTML shows, so one person's navigation is never anyone else's."""
    endpoints = tuple(endpoint for endpoint, _label in entries)
    count = unread() if unread is not None and "inbox.index" in endpoints else 0
    current = request.endpoint

    def render() -> Markup:
        html: Markup = get_template_attribute("macros/layout.html", "main_nav")(
            entries, current, count
        )
        return html

    return _layout(("nav", endpoints, current, count), render)


def fragment(key: tuple[Any, ...], render: Callable[[], Markup]) -> Markup:
    """HTML that ``key`` fully determines, rendered once per language (the district page's
    map and table by its counts): ``key`` must hold every value the HTML shows."""
    return _layout(("fragment", *key), render)


def select_options(items: Sequence[tuple[Any, str]], selected: Any) -> Markup:
    """A select's ``<option>`` list with ``selected`` marked, rendered once per list, choice and
    language: the search form's hundred skills and thirty districts on every search."""

    def render() -> Markup:
        return Markup("").join(
            Markup('<option value="{}"{}>{}</option>').format(
                value, Markup(" selected") if value == selected else "", label
            )
            for value, label in items
        )

    return fragment(("options", tuple(items), selected), render)


def _layout(key: tuple[Any, ...], render: Callable[[], Markup]) -> Markup:
    cache: _Rendered = current_app.extensions["layout_parts"]
    return cache.fetch((current_locale(), request.script_root, *key), render)


def card_body(hit: "Hit", heading: str = "h3", show_match: bool = True) -> Markup:
    """The inside of a need's card (``need_card_body`` in macros/ui.html), rendered once per
    need, language and figures shown: a search page shows twenty cards, each with a dozen
    translated labels and formatted dates, and the same cards come up again and again.

    The key holds every value the card shows (title, places left, next date, distance band,
    the top reason in words ...), so a sign-up or an edit simply makes a new key: a cached card
    is never stale, old keys fall out when the cache is full."""
    o = hit.opportunity
    matched = show_match and hit.score is not None
    why = top_reason(hit.reasons, hit.components) if matched else None
    key = (
        current_locale(),
        request.script_root,
        heading,
        matched,
        why,
        o.id,
        o.title,
        o.organisation_id,
        o.is_remote,
        o.regular,
        o.minors_ok,
        o.step_free,
        hit.organisation_name,
        hit.has_logo,
        hit.district_name,
        hit.cause,
        hit.next_start,
        hit.places_left,
        None if hit.km is None else band_of(hit.km),
    )
    cards: _Rendered = current_app.extensions["need_cards"]

    def render() -> Markup:
        macro = get_template_attribute("macros/ui.html", "need_card_body")
        html: Markup = macro(hit, heading, show_match, why)  # an autoescaped macro: Markup
        return html

    return cards.fetch(key, render)


@per_reader
def places_of(left: int, capacity: int) -> str:
    """The places left of a date on a need's page ("3 of 5 places left"): kept per language and
    figures, as a plain function (a template's ``ngettext`` inside the loop over sixty dates
    derives a new template context on every call)."""
    return str(
        ngettext(
            "%(num)d of %(cap)d places left", "%(num)d of %(cap)d places left", left, cap=capacity
        )
    )


def _install_gettext(app: Flask) -> None:
    """Templates' ``_``/``ngettext``/``pgettext``/``npgettext`` with the catalogue looked up once
    per language. Flask-Babel's own callables resolve the domain, the locale and the catalogue
    again on every call (nine context lookups, about 30 µs: a search page makes fifty such
    calls); this asks only for the locale, which ``force_locale`` (mails in the recipient's
    language) still switches."""
    catalogues: dict[tuple[str | None, ...], Any] = {}

    def catalogue() -> Any:
        locale = get_locale()
        if locale is None:  # outside a request: the null catalogue
            return get_translations()
        # By its parts: comparing two babel Locales formats both identifiers.
        key = (locale.language, locale.territory, locale.script, locale.variant)
        found = catalogues.get(key)
        if found is None:
            found = catalogues[key] = get_translations()
        return found

    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: catalogue().ugettext(s),
        ngettext=lambda s, p, n: catalogue().ungettext(s, p, n),
        pgettext=lambda c, s: catalogue().upgettext(c, s),
        npgettext=lambda c, s, p, n: catalogue().unpgettext(c, s, p, n),
        newstyle=True,
    )


def init_app(app: Flask) -> None:
    from volunteer.models import HourState, SignupState
    from volunteer.services.engagement.signups import ACTIVE_STATES
    from volunteer.web.wording.reasons import (
        cause_label,
        distance_band,
        language_labels,
        reason_text,
    )
    from volunteer.web.wording.signups import association_label, volunteer_label

    app.jinja_env.globals.update(
        # Sign-up states: templates compare with the enum and read labels from one table.
        SignupState=SignupState,
        HourState=HourState,
        SIGNUP_ACTIVE_STATES=ACTIVE_STATES,
        signup_volunteer_label=volunteer_label,
        signup_association_label=association_label,
        main_nav=main_nav,
        current_locale=current_locale,
        language_labels=language_labels,
        avatar_colour=avatar_colour,
        cause_label=cause_label,
        distance_band=distance_band,
        reason_text=reason_text,
        top_reason=top_reason,
        card_body=card_body,
        layout_part=layout_part,
        layout_nav=layout_nav,
        select_options=select_options,
        places_of=places_of,
    )
    _install_gettext(app)
    app.extensions["need_cards"] = _Rendered(CARD_CACHE_SIZE)
    app.extensions["layout_parts"] = _Rendered(LAYOUT_CACHE_SIZE)
    app.jinja_env.filters["initials"] = initials
