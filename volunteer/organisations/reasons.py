"""Match reasons from the association's side ("2.1 km from their home", not "your home").

:func:`volunteer.reasons.reason_text` words reasons for the volunteer reading about a need. On the
candidate list the reader is the association, so the codes that talk about "you" are phrased
about the candidate here; every other code is delegated unchanged.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _

from volunteer.reasons import reason_text, slot_label
from volunteer.reference import load_causes, load_languages


def _locale() -> str:
    return str(get_locale() or "de")


def _join(items: Iterable[str]) -> str:
    return ", ".join(items)


def _cause(slug: str) -> str:
    for cause in load_causes():
        if cause.slug == slug:
            return cause.label(_locale())
    return slug


def _language(code: str) -> str:
    for language in load_languages():
        if language.code == code:
            return language.label(_locale())
    return code


def candidate_reason(reason: Mapping[str, Any]) -> str:
    """One reason why a volunteer fits the need, worded for the association."""
    code = reason.get("code")
    if code == "distance":
        return _("%(km)s km from their home", km=format_decimal(float(reason["km"]), "0.0"))
    if code == "remote":
        return _("the need can be done from home")
    if code == "fits_slot":
        return _("has time %(slots)s", slots=_join(slot_label(s) for s in reason.get("slots", [])))
    if code == "shared_cause":
        return _(
            "cares about %(causes)s", causes=_join(_cause(c) for c in reason.get("causes", []))
        )
    if code == "language":
        return _(
            "speaks %(languages)s",
            languages=_join(_language(c) for c in reason.get("languages", [])),
        )
    return reason_text(reason)
