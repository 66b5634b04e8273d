"""A sign-up's states in words, for both audiences: the one place templates read them from.

The state machine lives in :mod:`volunteer.models.engagement` (``SignupState``,
``SIGNUP_TRANSITIONS``); templates compare against ``SignupState`` members and show these labels
instead of repeating the state strings, so renaming or adding a state breaks here, not silently
in three templates.
"""

from dataclasses import dataclass

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from volunteer.models import SignupState


@dataclass(frozen=True, slots=True)
class StateLabel:
    text: LazyString
    css: str  # the tag's tone: tag-ok, tag-warn, tag-error or none
    icon: str  # shown next to the text, hidden from screen readers (the text says it)


# The volunteer reads about her own sign-up.
VOLUNTEER_LABELS: dict[SignupState, StateLabel] = {
    SignupState.APPLIED: StateLabel(_l("Signed up, awaiting confirmation"), "tag-warn", "…"),
    SignupState.ACCEPTED: StateLabel(_l("Confirmed"), "tag-ok", "✓"),
    SignupState.WAITLISTED: StateLabel(_l("On the waiting list"), "tag-warn", "…"),
    SignupState.DECLINED: StateLabel(_l("Declined"), "tag-error", "✗"),
    SignupState.WITHDRAWN: StateLabel(_l("Withdrawn"), "", "–"),
    SignupState.ATTENDED: StateLabel(_l("Attended"), "tag-ok", "✓"),
    SignupState.NO_SHOW: StateLabel(_l("Not attended"), "tag-error", "✗"),
}

# The association reads about a person on its shift.
ASSOCIATION_LABELS: dict[SignupState, StateLabel] = {
    SignupState.APPLIED: StateLabel(_l("Applied"), "tag-warn", ""),
    SignupState.ACCEPTED: StateLabel(_l("Accepted"), "tag-ok", ""),
    SignupState.WAITLISTED: StateLabel(_l("Waiting list"), "", ""),
    SignupState.DECLINED: StateLabel(_l("Declined"), "", ""),
    SignupState.WITHDRAWN: StateLabel(_l("Withdrawn"), "", ""),
    SignupState.ATTENDED: StateLabel(_l("Attended"), "tag-ok", ""),
    SignupState.NO_SHOW: StateLabel(_l("Did not come"), "tag-error", ""),
}


def volunteer_label(state: str) -> StateLabel:
    return VOLUNTEER_LABELS[SignupState(state)]


def association_label(state: str) -> StateLabel:
    return ASSOCIATION_LABELS[SignupState(state)]
