"""An invitation from the city-wide proposal, as its volunteer answers it.

Accepting is the normal sign-up for the proposed shift (capacity, waitlist, age and consent
rules apply, and the association decides as for any application); saying no is recorded so the
coordinator sees it. Doing nothing is fine too: nothing happens.
"""

from typing import Any

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from volunteer.models import SignupState
from volunteer.platform.clock import now
from volunteer.platform.db import get_session
from volunteer.services.coordination import proposal
from volunteer.services.errors import ServiceError
from volunteer.web.forms import ButtonForm
from volunteer.web.helpers import acting_user, commit_or_report, flash_error
from volunteer.web.volunteers import bp


def _invitation_or_404(pair_id: int) -> proposal.Invitation:
    try:
        return proposal.invitation_for(get_session(), pair_id, acting_user())
    except ServiceError:
        abort(404)


@bp.get("/einladungen/<int:pair_id>")
@login_required
def invitation(pair_id: int) -> Any:
    found = _invitation_or_404(pair_id)
    shift = found.shift
    return render_template(
        "volunteers/invitation.html",
        invitation=found,
        still_open=shift.cancelled_at is None and shift.starts_at > now(),
        form=ButtonForm(),
    )


@bp.post("/einladungen/<int:pair_id>/annehmen")
@login_required
def accept_invitation(pair_id: int) -> Any:
    _invitation_or_404(pair_id)
    if ButtonForm().validate_on_submit():
        commit_or_report(  # the engine's index follows the commit (discovery/freshness.py)
            lambda: proposal.accept_invitation(
                get_session(),
                pair_id,
                user=acting_user(),
                now=now(),
                join_waitlist=request.form.get("join_waitlist") == "1",
            ),
            report=flash_error,
            success=lambda signup: (
                _("You are on the waiting list. We will tell you when a place frees up.")
                if signup.state == SignupState.WAITLISTED
                else _("You are signed up! The organisation will confirm your place.")
            ),
        )
    return redirect(url_for("volunteers.invitation", pair_id=pair_id))


@bp.post("/einladungen/<int:pair_id>/ablehnen")
@login_required
def decline_invitation(pair_id: int) -> Any:
    _invitation_or_404(pair_id)
    if ButtonForm().validate_on_submit():
        commit_or_report(
            lambda: proposal.decline_invitation(
                get_session(), pair_id, user=acting_user(), now=now()
            ),
            report=flash_error,
            success=_("Thank you for letting us know. You will not hear about this shift again."),
        )
    return redirect(url_for("volunteers.invitation", pair_id=pair_id))
