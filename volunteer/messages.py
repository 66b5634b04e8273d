"""Translated messages for the stable error codes services raise.

One table, so that the same rule reads the same everywhere (forms, flashes, the API).
"""

from flask_babel import gettext as _

from volunteer.services.errors import ServiceError


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
    }
    return table.get(code, _("This did not work. Please check your input."))
