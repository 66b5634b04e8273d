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
    }
    return table.get(code, _("This did not work. Please check your input."))
