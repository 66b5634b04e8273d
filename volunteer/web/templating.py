"""Template globals: the navigation and the locale.

Every link is built with ``url_for``: an endpoint that is renamed or missing raises while the
page renders, so a test catches it instead of a page silently dropping the link.
"""

from typing import Any

from flask import Flask
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from volunteer.services.permissions import is_coordinator

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


def init_app(app: Flask) -> None:
    from volunteer.models import HourState, SignupState
    from volunteer.services.engagement.signups import ACTIVE_STATES
    from volunteer.web.wording.reasons import (
        cause_label,
        distance_band,
        language_labels,
        reason_text,
        top_reason,
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
    )
    app.jinja_env.filters["initials"] = initials
