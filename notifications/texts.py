"""Labels for payload facts that are codes (milestones, summary figures), in the current locale."""

from typing import Any

from flask_babel import format_decimal
from flask_babel import gettext as _


def milestone_texts(payload: dict[str, Any]) -> tuple[str, str]:
    """(title, explanation) for a recognition milestone payload."""
    code = str(payload.get("milestone", ""))
    hours = payload.get("hours")
    if code == "first_engagement":
        return _("your first engagement"), _("Welcome to the community of volunteers in your city.")
    if code.startswith("hours_") or (hours is not None and code.startswith("hours")):
        n = hours if hours is not None else code.split("_", 1)[-1]
        return _("%(hours)s confirmed hours", hours=n), _(
            "Every hour counts – and these were all confirmed by the associations you helped."
        )
    if code in ("one_year", "years_1", "anniversary"):
        return _("one year of engagement"), _("You have been volunteering with us for a year.")
    if code in ("ehrenamtskarte", "ehrenamtskarte_nrw"):
        return _("the Ehrenamtskarte NRW threshold"), _(
            "You have volunteered enough hours to apply for the Ehrenamtskarte NRW, with "
            "discounts across North Rhine-Westphalia. Your confirmed hours are in your "
            "engagements overview."
        )
    title = payload.get("title")
    return (str(title) if title else _("a new milestone")), ""


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
