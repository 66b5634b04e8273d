"""The gap map and one gap's drill-down: the stored result of the scheduled ``gaps`` rule.

Nothing here asks the engine: the pages read :func:`gaps.latest` / :func:`gaps.detail` and say
how old the figures are, so no request waits for seconds of matching at city scale.
"""

from datetime import datetime, timedelta
from typing import Any

from flask import abort, render_template
from flask_babel import format_timedelta
from flask_babel import gettext as _

from volunteer.platform.clock import now
from volunteer.platform.db import get_session
from volunteer.services.coordination import gaps
from volunteer.services.permissions import coordinator_required
from volunteer.web.coordination import bp
from volunteer.web.templating import current_locale
from volunteer.web.wording.gaps import miss_sentence, skill_name
from volunteer.web.wording.reasons import slot_label


def _age(computed_at: datetime | None) -> str:
    """How old the stored figures are, in words ("vor 7 Minuten")."""
    if computed_at is None:
        return ""
    age = now() - computed_at
    if age < timedelta(minutes=1):  # also a clock a little behind the scheduler's
        return str(_("just now"))
    return str(format_timedelta(-age, add_direction=True))


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
