"""Field messages for the error codes of the association services (this area's table).

Falls back to the shared table in :mod:`volunteer.web.wording.messages` for codes it does not know.
"""

from flask import flash
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from volunteer.services.errors import ServiceError
from volunteer.web.wording.messages import error_message


def message_for(error: ServiceError) -> str:
    p = error.params
    table = {
        "required": lambda: _("Please fill in this field."),
        "too_long": lambda: _(
            "Please keep this shorter (at most %(n)s characters).", n=p.get("max")
        ),
        "bad_choice": lambda: _("Please choose one of the offered options."),
        "markup": lambda: _(
            "Please write plain text without HTML or script. For formatting use a blank line "
            "between paragraphs, - at the start of a line for a list and **text** for bold."
        ),
        "bad_website": lambda: _("Please enter a web address, e.g. https://www.verein-bochum.de."),
        "unknown_postcode": lambda: _(
            "We do not know this postcode. Please check it or enter the district instead."
        ),
        "outside_service_area": lambda: _(
            "This place is outside Bochum. Mitwirken arranges volunteering in Bochum only."
        ),
        "not_understood": lambda: _(
            "We could not find this place. Please enter a postcode (e.g. 44787) or a district "
            "(e.g. Langendreer)."
        ),
        "place_required": lambda: _(
            "Please enter where the engagement takes place, or tick remote."
        ),
        "logo_too_large": lambda: _(
            "This file is too large. Please upload an image of at most %(n)s KB.",
            n=p.get("max_kib"),
        ),
        "logo_not_image": lambda: _(
            "This file is not an image we can use. Please upload PNG, JPEG, WebP or GIF."
        ),
        "logo_dimensions": lambda: _(
            "The image must be between 16 and %(n)s pixels wide and high.", n=p.get("max")
        ),
        "file_too_large": lambda: _("This file is too large. Please upload at most 1 MB."),
        "not_allowed": lambda: _("Only admins of the organisation may do this."),
        "last_admin": lambda: _(
            "The organisation needs at least one admin. Make someone else admin first."
        ),
        "already_member": lambda: _("This person is already a member."),
        "invite_other_email": lambda: _(
            "This invitation was sent to %(email)s. Please log in with that address to accept it.",
            email=p.get("email"),
        ),
        "bad_status": lambda: _("This is not possible in the need's current state."),
        "bad_capacity": lambda: _("Please enter between 1 and %(n)s places.", n=p.get("max")),
        "capacity_below_taken": lambda: _(
            "%(n)s people already hold a place. Please decline someone first or keep at least "
            "%(n)s places.",
            n=p.get("taken"),
        ),
        "in_the_past": lambda: _("This date and time is in the past. Please choose a future one."),
        "in_the_future": lambda: _("This date is in the future."),
        "too_old": lambda: _("Hours can be submitted for the last two years only."),
        "end_before_start": lambda: _("The end must be after the start (on the same day)."),
        "repeat_needs_end": lambda: _(
            "A weekly shift needs an end date. Please choose until when it repeats."
        ),
        "until_before_start": lambda: _("The end date must be on or after the first date."),
        "horizon_too_far": lambda: _("Please choose an end date at most one year ahead."),
        "too_many": lambda: _(
            "That would create more than %(n)s shifts. Please choose an earlier end date.",
            n=p.get("max"),
        ),
        "no_weekday": lambda: _("Please choose at least one weekday."),
        "no_occurrence": lambda: _("No date falls on the chosen weekdays in this period."),
        "bad_interval": lambda: _("Please choose how often it repeats."),
        "need_closed": lambda: _("This need is closed. Duplicate it to post it again."),
        "need_not_public": lambda: _(
            "Candidates can be invited once the need is published and your organisation is "
            "verified."
        ),
        "shift_cancelled": lambda: _("This shift is cancelled."),
        "shift_started": lambda: _("This shift has already started."),
        "shift_not_started": lambda: _("Attendance can be recorded once the shift has started."),
        "shift_full": lambda: _("The shift is full. Decline someone or add places first."),
        "invalid_transition": lambda: _(
            "This is not possible in the current state of the application."
        ),
        "bad_minutes": lambda: _("Please enter between 1 minute and %(n)s hours.", n=p.get("max")),
        "hours_already_submitted": lambda: _("Hours for this shift were already submitted."),
        "hours_already_decided": lambda: _("These hours were already confirmed or rejected."),
        "nothing_selected": lambda: _("Please select at least one entry."),
    }
    make = table.get(error.code)
    return make() if make else error_message(error)


def apply_error(form: FlaskForm, error: ServiceError, default_field: str | None = None) -> None:
    """Show a service error under its field, or as an error flash when it concerns no field."""
    name = error.field or default_field
    field = getattr(form, name, None) if name else None
    message = message_for(error)
    if field is not None and hasattr(field, "errors"):
        field.errors = [*list(field.errors), message]
    else:
        flash(message, "error")
