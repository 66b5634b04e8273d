"""Labels for the coordinator summary's figures, in the current locale (milestones:
``volunteer/web/wording/milestones.py``)."""

from typing import Any

from flask_babel import format_decimal
from flask_babel import gettext as _


def summary_figures(figures: dict[str, Any]) -> list[tuple[str, str]]:
    labels = {
        "new_volunteers": _("New volunteers"),
        "new_organisations": _("New associations"),
        "organisations_waiting": _("Associations waiting for verification"),
        "new_opportunities": _("Newly published opportunities"),
        "signups": _("New sign-ups"),
        "confirmed_hours": _("Confirmed hours"),
        "shifts_unfilled": _("Shifts in the next 7 days with free places"),
        "failed_notices": _("Notices that failed permanently"),
    }
    out = []
    for key, label in labels.items():
        if key in figures:
            value = figures[key]
            out.append(
                (label, format_decimal(value) if isinstance(value, int | float) else str(value))
            )
    return out
