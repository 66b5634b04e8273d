"""Translated sentences for the stable error codes services raise: the one table.

Every page, flash and API answer words a refusal through :func:`error_message`, so the same rule
reads the same everywhere. A code means one thing: where volunteers and associations need different
advice, the service raises different codes (``shift_full`` when signing up, ``no_place_free`` when
an association takes someone from the waiting list).
"""

from collections.abc import Callable

from flask_babel import get_locale
from flask_babel import gettext as _

from volunteer.catalogue.gazetteer import default_gazetteer
from volunteer.services.errors import ServiceError


def _service_area() -> str:
    """The city's own sentence about where the service works, in the reader's language."""
    return default_gazetteer().city.service_area(str(get_locale() or "de"))


def _table(p: dict[str, object]) -> dict[str, Callable[[], str]]:
    return {
        # Accounts and notice settings.
        "email_taken": lambda: _("An account with this e-mail address already exists."),
        "too_short": lambda: _(
            "Please choose a password with at least %(n)s characters.", n=p.get("min_length", 10)
        ),
        "too_common": lambda: _(
            "This password is too common or too easy to guess. Please choose another."
        ),
        "wrong_password": lambda: _("The password is not correct."),
        "invalid_token": lambda: _(
            "This link is invalid or has expired. Please request a new one."
        ),
        "not_found": lambda: _("We could not find this."),
        "quiet_hours_incomplete": lambda: _(
            "Please choose both when quiet hours start and when they end."
        ),
        "quiet_hours_empty": lambda: _("Quiet hours must end at a different hour than they start."),
        # Form input in general.
        "required": lambda: _("Please fill in this field."),
        "too_long": lambda: _(
            "Please keep this shorter (at most %(n)s characters).", n=p.get("max")
        ),
        "bad_choice": lambda: _("Please choose one of the offered options."),
        "invalid_choice": lambda: _("Please choose one of the options."),
        "markup": lambda: _(
            "Please write plain text without HTML or script. For formatting use a blank line "
            "between paragraphs, - at the start of a line for a list and **text** for bold."
        ),
        "in_the_past": lambda: _("This date and time is in the past. Please choose a future one."),
        "in_the_future": lambda: _("This date is in the future."),
        # Places (profiles, organisations, opportunities).
        "unknown_postcode": lambda: _(
            "We do not know this postcode. Please check it, or enter your district or street."
        ),
        "outside_service_area": lambda: _(
            "This place is outside the area we serve. %(area)s", area=_service_area()
        ),
        "not_understood": lambda: _(
            "We could not find this place. Please enter a postcode like 44787 or a district name."
        ),
        "location_required": lambda: _("Please enter your postcode or address."),
        "place_required": lambda: _(
            "Please enter where the engagement takes place, or tick remote."
        ),
        # Sign-ups (volunteer/services/engagement/signups.py).
        "not_open": lambda: _("This opportunity is not open for sign-ups at the moment."),
        "shift_cancelled": lambda: _("This shift has been cancelled."),
        "shift_past": lambda: _("This shift has already started or is over."),
        "email_not_verified": lambda: _("Please confirm your e-mail address before signing up."),
        "adults_only": lambda: _("This opportunity is only open to people aged 18 or over."),
        "guardian_consent_missing": lambda: _(
            "Under 16, a parent or guardian must agree first. We have sent them an e-mail."
        ),
        "already_signed_up": lambda: _("You are already signed up for this shift."),
        "already_declined": lambda: _("The organisation has declined your sign-up for this shift."),
        "shift_full": lambda: _("This shift is full. You can join the waiting list."),
        "no_place_free": lambda: _("The shift is full. Decline someone or add places first."),
        "invalid_transition": lambda: _("This change is not possible in the current state."),
        # Volunteer profile (volunteer/services/discovery/profiles.py).
        "radius_out_of_range": lambda: _("Please choose a distance between 1 and 50 km."),
        "no_availability": lambda: _("Please choose at least one time when you could help."),
        "guardian_email_required": lambda: _(
            "Under 16, we need the e-mail address of a parent or guardian."
        ),
        "profile_first": lambda: _(
            "Please answer the first questions of your profile (where and when) first."
        ),
        # Consents and names (services/accounts/guardians.py, consents.py, account.py).
        "guardian_request_expired": lambda: _(
            "This request has expired. A new one can be sent from the young person's account."
        ),
        "guardian_request_answered": lambda: _("This request has already been answered."),
        "first_name_required": lambda: _("Please enter your first name."),
        "name_too_long": lambda: _("Please use at most %(n)s characters.", n=p.get("n", 80)),
        # Hours (volunteer/services/engagement/hours.py).
        "hours_not_possible": lambda: _("You can only report hours for a shift you were part of."),
        "hours_in_future": lambda: _("You can report hours once the shift has started."),
        "minutes_implausible": lambda: _(
            "This shift lasted %(length)s minutes. Please enter between 1 and %(n)s minutes.",
            length=p.get("length"),
            n=p.get("max"),
        ),
        "too_old": lambda: _("Hours can be submitted for the last two years only."),
        "hours_already_submitted": lambda: _("You have already reported hours for this shift."),
        "hours_already_decided": lambda: _("These hours were already confirmed or rejected."),
        "nothing_selected": lambda: _("Please select at least one entry."),
        # Associations (volunteer/services/organisations/).
        "bad_website": lambda: _("Please enter a web address, e.g. https://www.verein-bochum.de."),
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
        "invite_unverified": lambda: _(
            "Please confirm your e-mail address %(email)s first (use the link we sent you), "
            "then open the invitation again.",
            email=p.get("email"),
        ),
        "invite_void": lambda: _(
            "This invitation is no longer valid: whoever sent it is no longer an admin of the "
            "organisation. Please ask an admin for a new one."
        ),
        "bad_status": lambda: _("This is not possible in the need's current state."),
        "bad_capacity": lambda: _("Please enter between 1 and %(n)s places.", n=p.get("max")),
        "capacity_below_taken": lambda: _(
            "%(n)s people already hold a place. Please decline someone first or keep at least "
            "%(n)s places.",
            n=p.get("taken"),
        ),
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
        "shift_started": lambda: _("This shift has already started."),
        "shift_not_started": lambda: _("Attendance can be recorded once the shift has started."),
        # City-wide proposals and their invitations (services/coordination/proposal/).
        "bad_date": lambda: _("Please enter the dates as day, month and year."),
        "period_order": lambda: _("The period must end on or after the day it starts."),
        "period_past": lambda: _("The period is over. Please choose days from today on."),
        "period_too_long": lambda: _(
            "Please choose at most %(days)s days: needs are planned that far ahead.",
            days=p.get("days", 84),
        ),
        # Match statistics (services/coordination/match_statistics.py).
        "period_future": lambda: _("The period can end today at the latest."),
        "statistics_period_too_long": lambda: _(
            "Please choose a period of at most %(days)s days.", days=p.get("days")
        ),
        "proposal_not_done": lambda: _("This proposal is not finished yet."),
        "already_answered": lambda: _("You have already answered this invitation."),
        "already_verified": lambda: _("This organisation is verified already."),
    }


def error_message(error: ServiceError) -> str:
    make = _table(error.params).get(error.code)
    return make() if make else _("This did not work. Please check your input.")
