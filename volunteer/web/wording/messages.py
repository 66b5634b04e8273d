"""Translated messages for the stable error codes services raise.

One table, so that the same rule reads the same everywhere (forms, flashes, the API).
"""

from flask_babel import gettext as _

from volunteer.services.errors import ServiceError


def _service_area() -> str:
    """The city's own sentence about where the service works, in the reader's language."""
    from flask_babel import get_locale

    from volunteer.catalogue.gazetteer import default_gazetteer

    return default_gazetteer().city.service_area(str(get_locale() or "de"))


def error_message(error: ServiceError) -> str:
    code, p = error.code, error.params
    table = {
        "email_taken": _("An account with this e-mail address already exists."),
        "too_short": _(
            "Please choose a password with at least %(n)s characters.", n=p.get("min_length", 10)
        ),
        "too_common": _("This password is too common or too easy to guess. Please choose another."),
        "wrong_password": _("The password is not correct."),
        "invalid_token": _("This link is invalid or has expired. Please request a new one."),
        "not_found": _("We could not find this."),
        "quiet_hours_incomplete": _("Please choose both when quiet hours start and when they end."),
        "quiet_hours_empty": _("Quiet hours must end at a different hour than they start."),
        # Sign-ups (volunteer/services/signups.py), shared by volunteers and associations.
        "not_open": _("This opportunity is not open for sign-ups at the moment."),
        "shift_cancelled": _("This shift has been cancelled."),
        "shift_past": _("This shift has already started or is over."),
        "email_not_verified": _("Please confirm your e-mail address before signing up."),
        "adults_only": _("This opportunity is only open to people aged 18 or over."),
        "guardian_consent_missing": _(
            "Under 16, a parent or guardian must agree first. We have sent them an e-mail."
        ),
        "already_signed_up": _("You are already signed up for this shift."),
        "already_declined": _("The organisation has declined your sign-up for this shift."),
        "shift_full": _("This shift is full. You can join the waiting list."),
        "invalid_transition": _("This change is not possible in the current state."),
        # Volunteer profile and hours (volunteer/services/profiles.py, recognition.py).
        "unknown_postcode": _(
            "We do not know this postcode. Please check it, or enter your district or street."
        ),
        "outside_service_area": _(
            "This place is outside the area we serve. %(area)s", area=_service_area()
        ),
        "not_understood": _(
            "We could not find this place. Please enter a postcode like 44787 or a district name."
        ),
        "location_required": _("Please enter your postcode or address."),
        "radius_out_of_range": _("Please choose a distance between 1 and 50 km."),
        "no_availability": _("Please choose at least one time when you could help."),
        "invalid_choice": _("Please choose one of the options."),
        "guardian_email_required": _(
            "Under 16, we need the e-mail address of a parent or guardian."
        ),
        "hours_not_possible": _("You can only report hours for a shift you were part of."),
        "hours_in_future": _("You can report hours once the shift has started."),
        "minutes_out_of_range": _("Please enter between 1 and 1440 minutes."),
        "hours_already_submitted": _("You have already reported hours for this shift."),
        # City-wide proposals and their invitations (services/coordination/proposal.py).
        "bad_date": _("Please enter the dates as day, month and year."),
        "period_order": _("The period must end on or after the day it starts."),
        "period_past": _("The period is over. Please choose days from today on."),
        "period_too_long": _(
            "Please choose at most %(days)s days: needs are planned that far ahead.",
            days=p.get("days", 84),
        ),
        "proposal_not_done": _("This proposal is not finished yet."),
        "nothing_selected": _("Please select at least one pair to invite."),
        "already_answered": _("You have already answered this invitation."),
        "not_allowed": _("You are not allowed to do this."),
    }
    return table.get(code, _("This did not work. Please check your input."))
