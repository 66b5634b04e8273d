"""A gap's skill and its near misses in words (``services/coordination/gaps.py``).

The engine's near-miss rules (``matching/shortfall.py``) become "38 people lack only the skill
“First aid”."; a count the disclosure rule hides is not given ("Some people (number not shown)").
"""

from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _

from volunteer.services.coordination import gaps


def skill_name(skill: str, labels: tuple[str, str], locale: str) -> str:
    """The skill's label in the page's language ("no particular skill" for needs without one)."""
    if skill == gaps.NO_SKILL:
        return _("no particular skill")
    return labels[1] if locale == "en" else labels[0]


def miss_sentence(rule: str, label: str, count: int | str) -> str:
    """What would close the gap, in words, by the one rule its near misses fail
    (``matching/shortfall.py``): "38 people lack only the skill “First aid”." A suppressed
    count (see ``disclosure``) is not given: "Some people (number not shown) ..."."""
    km = format_decimal(gaps.EXTRA_KM)
    if isinstance(count, str):
        few = {
            "skill": _(
                "Some people (number not shown) lack only the skill “%(skill)s”.", skill=label
            ),
            "distance": _(
                "Some people (number not shown) are at most %(km)s km too far away.", km=km
            ),
            "availability": _("Some people (number not shown) are only not free at these times."),
            "language": _("Some people (number not shown) only do not speak a language asked for."),
            "age": _(
                "Some people (number not shown) are only too young (these needs are for adults)."
            ),
        }
        return few[rule]
    if rule == "skill":
        return ngettext(
            "%(num)d person lacks only the skill “%(skill)s”.",
            "%(num)d people lack only the skill “%(skill)s”.",
            count,
            skill=label,
        )
    if rule == "distance":
        return ngettext(
            "%(num)d person is at most %(km)s km too far away.",
            "%(num)d people are at most %(km)s km too far away.",
            count,
            km=km,
        )
    if rule == "availability":
        return ngettext(
            "%(num)d person is only not free at these times.",
            "%(num)d people are only not free at these times.",
            count,
        )
    if rule == "language":
        return ngettext(
            "%(num)d person only does not speak a language asked for.",
            "%(num)d people only do not speak a language asked for.",
            count,
        )
    return ngettext(
        "%(num)d person is only too young (these needs are for adults).",
        "%(num)d people are only too young (these needs are for adults).",
        count,
    )
