"""Turn the engine's reason codes into sentences in the reader's language.

The engine says ``{"code": "distance", "km": 2.1}``; the page says "2,1 km von deinem Zuhause".
One place for all codes, so recommendations, candidate lists and e-mail digests read the same.
"""

import threading
from collections.abc import Iterable, Mapping
from typing import Any

from flask_babel import format_decimal, get_locale, gettext, ngettext
from flask_babel import lazy_gettext as _l

from volunteer.catalogue.reference import (
    load_causes,
    load_languages,
    load_skill_categories,
    skills_by_slug,
)

DAY_LABELS = {
    "mon": _l("Monday"),
    "tue": _l("Tuesday"),
    "wed": _l("Wednesday"),
    "thu": _l("Thursday"),
    "fri": _l("Friday"),
    "sat": _l("Saturday"),
    "sun": _l("Sunday"),
}
PART_LABELS = {"morning": _l("morning"), "afternoon": _l("afternoon"), "evening": _l("evening")}


def _locale() -> str:
    return str(get_locale() or "de")


def slot_label(slot: str) -> str:
    """``sat-morning`` → "Samstag Vormittag" / "Saturday morning"."""
    day, _, part = slot.partition("-")
    return gettext(
        "%(day)s %(part)s", day=DAY_LABELS.get(day, day), part=PART_LABELS.get(part, part)
    )


def _join(items: Iterable[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return gettext("%(first)s and %(last)s", first=", ".join(items[:-1]), last=items[-1])


def skill_label(slug: str) -> str:
    skill = skills_by_slug().get(slug)
    return skill.label(_locale()) if skill else slug


def cause_label(slug: str) -> str:
    """A cause slug in the reader's language (the slug itself only for an unknown cause)."""
    return _cause_label(slug)


# Distance bands for cards: a rough, honest idea of "how far", upper bounds in km.
DISTANCE_BANDS = (1.0, 2.0, 5.0, 10.0)


def band_of(km: float) -> int:
    """Which of the distance bands ``km`` falls in (0: the nearest; len(DISTANCE_BANDS): over
    the last bound)."""
    return sum(km >= high for high in DISTANCE_BANDS)


def distance_band(km: float) -> str:
    """ "unter 1 km", "1–2 km", ..., "über 10 km": easier to take in than "3,7 km" on a card."""
    band = band_of(km)
    if band == 0:
        return gettext("under %(km)s km", km=format_decimal(DISTANCE_BANDS[0]))
    if band == len(DISTANCE_BANDS):
        return gettext("over %(km)s km", km=format_decimal(DISTANCE_BANDS[-1]))
    low, high = DISTANCE_BANDS[band - 1], DISTANCE_BANDS[band]
    return gettext("%(low)s–%(high)s km", low=format_decimal(low), high=format_decimal(high))


def _cause_label(slug: str) -> str:
    for cause in load_causes():
        if cause.slug == slug:
            return cause.label(_locale())
    return slug


def language_labels(codes: Iterable[str]) -> list[str]:
    """Language codes as names in the reader's language ("uk" → "Ukrainisch")."""
    return [_language_label(c) for c in codes]


def _language_label(code: str) -> str:
    for language in load_languages():
        if language.code == code:
            return language.label(_locale())
    return code


def _category_label(slug: str) -> str:
    for category in load_skill_categories():
        if category.slug == slug:
            return category.label(_locale())
    return slug


def _km(value: Any) -> str:
    return str(format_decimal(float(value), format="#,##0.0"))


def candidate_reason(reason: Mapping[str, Any]) -> str:
    """One reason worded for the association reading its candidate list ("their home")."""
    return reason_text(reason, audience="organisation")


# Worded reasons by language, audience and reason: "Für dich" words about sixty per visit, and
# the same few hundred reasons come up for everyone (bounded: the oldest leave first).
_WORDED: dict[tuple[Any, ...], str] = {}
_WORDED_LOCK = threading.Lock()
WORDED_CACHE_SIZE = 50_000


def _frozen(value: Any) -> Any:
    if isinstance(value, (list, tuple, set, frozenset)):
        return tuple(_frozen(v) for v in value)
    if isinstance(value, Mapping):
        return tuple(sorted((str(k), _frozen(v)) for k, v in value.items()))
    return value


def reason_text(reason: Mapping[str, Any], *, audience: str = "volunteer") -> str:
    """One reason or missing piece as a sentence fragment for a list.

    ``audience`` is who reads it: the volunteer ("2.1 km from your home") or the association
    looking at a candidate ("2.1 km from their home").
    """
    key = (_locale(), audience, _frozen(reason))
    worded = _WORDED.get(key)
    if worded is None:
        worded = _word(reason, audience)
        with _WORDED_LOCK:
            _WORDED[key] = worded
            while len(_WORDED) > WORDED_CACHE_SIZE:
                del _WORDED[next(iter(_WORDED))]
    return worded


def _word(reason: Mapping[str, Any], audience: str) -> str:
    code = reason.get("code")
    if audience == "organisation":
        about = _about_candidate(reason)
        if about is not None:
            return about
    if code == "skills_matched":
        return ngettext(
            "%(matched)s of %(num)s wanted skill",
            "%(matched)s of %(num)s wanted skills",
            int(reason["wanted"]),
            matched=reason["matched"],
        )
    if code == "related_skill":
        return gettext(
            "a related skill for “%(skill)s” (%(category)s)",
            skill=skill_label(reason["skill"]),
            category=_category_label(reason["category"]),
        )
    if code == "distance":
        return gettext("%(km)s km from your home", km=_km(reason["km"]))
    if code == "remote":
        return gettext("possible from home")
    if code == "fits_slot":
        return gettext("fits %(slots)s", slots=_join(slot_label(s) for s in reason["slots"]))
    if code == "shared_cause":
        return gettext(
            "a cause you care about: %(causes)s",
            causes=_join(_cause_label(c) for c in reason["causes"]),
        )
    if code == "language":
        return gettext(
            "you speak %(languages)s",
            languages=_join(_language_label(c) for c in reason["languages"]),
        )
    if code == "urgent":
        hours = int(reason["hours"])
        if hours >= 48:
            return ngettext(
                "soon: starts in %(num)s day", "soon: starts in %(num)s days", round(hours / 24)
            )
        return ngettext(
            "urgent: starts within %(num)s hour",
            "urgent: starts within %(num)s hours",
            hours,
        )
    return missing_text(reason)


# Which score component each positive reason code speaks for (see matching.explain).
REASON_COMPONENT = {
    "skills_matched": "skills",
    "related_skill": "skills",
    "distance": "distance",
    "remote": "distance",
    "fits_slot": "availability",
    "shared_cause": "causes",
    "language": "language",
    "urgent": "urgency",
}


def top_reason(reasons: Iterable[Mapping[str, Any]], components: Mapping[str, float]) -> str | None:
    """The one reason a card leads with: the one whose component adds most to the score.

    Ties keep the engine's order (skills before distance before time ...). ``None`` when the
    engine gave no reason.
    """
    ranked = [
        (-components.get(REASON_COMPONENT.get(str(r.get("code")), ""), 0.0), i, r)
        for i, r in enumerate(reasons)
    ]
    if not ranked:
        return None
    return reason_text(min(ranked, key=lambda t: (t[0], t[1]))[2])


def _about_candidate(reason: Mapping[str, Any]) -> str | None:
    code = reason.get("code")
    if code == "distance":
        # A band, not "2.1 km": before anyone applies, associations learn no more than roughly
        # how far away a person lives.
        return gettext("lives %(band)s away", band=distance_band(float(reason["km"])))
    if code == "remote":
        return gettext("the need can be done from home")
    if code == "fits_slot":
        return gettext("has time %(slots)s", slots=_join(slot_label(s) for s in reason["slots"]))
    if code == "shared_cause":
        return gettext(
            "cares about %(causes)s", causes=_join(_cause_label(c) for c in reason["causes"])
        )
    if code == "language":
        spoken = _join(_language_label(c) for c in reason["languages"])
        return gettext("speaks %(languages)s", languages=spoken)
    return None


def missing_text(reason: Mapping[str, Any]) -> str:
    """What keeps a pair from matching, as the volunteer reads it."""
    code = reason.get("code")
    if code == "missing_skill":
        return gettext("needs the skill “%(skill)s”", skill=skill_label(reason["skill"]))
    if code == "beyond_radius":
        return gettext("%(km)s km beyond your travel radius", km=_km(reason["km_over"]))
    if code == "no_common_slot":
        slots = reason.get("slots") or []
        if slots:
            return gettext(
                "takes place at times you have not marked: %(slots)s",
                slots=_join(slot_label(s) for s in slots),
            )
        return gettext("takes place at times you have not marked")
    if code == "no_common_language":
        return gettext(
            "needs one of these languages: %(languages)s",
            languages=_join(_language_label(c) for c in reason.get("languages", [])),
        )
    if code == "adults_only":
        return gettext("only for adults")
    if code == "no_open_place":
        return gettext("all places are taken at the moment")
    if code == "no_location":
        return gettext("add your postcode so we can tell how far it is")
    return gettext("does not fit yet")
