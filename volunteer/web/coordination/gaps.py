"""The gap map and one gap's drill-down: the stored result of the scheduled ``gaps`` rule.

Nothing here asks the engine: the pages read :func:`gaps.latest` / :func:`gaps.detail` and say
how old the figures are, so no request waits for seconds of matching at city scale.
"""

from datetime import datetime
from typing import Any

from flask import abort, render_template
from flask_babel import format_decimal, format_timedelta, ngettext
from flask_babel import gettext as _

from volunteer.platform.clock import now
from volunteer.platform.db import get_session
from volunteer.services.coordination import gaps
from volunteer.services.permissions import coordinator_required
from volunteer.web.coordination import bp
from volunteer.web.templating import current_locale
from volunteer.web.wording.reasons import slot_label


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


def _age(computed_at: datetime | None) -> str:
    """How old the stored figures are, in words ("vor 7 Minuten")."""
    if computed_at is None:
        return ""
    return format_timedelta(computed_at - now(), add_direction=True)


@bp.get("/luecken")
@coordinator_required
def gap_map() -> Any:
    found = gaps.latest(get_session())
    return render_template(
        "coordination/gaps.html", gap_map=found, age=_age(found.computed_at), skill_name=skill_name
    )


@bp.get("/luecken/<int:district>/<skill>")
@coordinator_required
def gap(district: int, skill: str) -> Any:
    found = gaps.detail(get_session(), district, skill[:80])
    if found is None:
        abort(404)
    locale = current_locale()
    return render_template(
        "coordination/gap.html",
        gap=found,
        locale=locale,
        skill=skill_name(found.row.skill, found.row.skill_label, locale),
        age=_age(found.computed_at),
        slot_label=slot_label,
        skill_name=skill_name,
        miss_sentence=miss_sentence,
    )
