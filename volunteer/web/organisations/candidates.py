"""Ranked candidates for an opportunity, with reasons, and inviting one."""

from typing import Any

from flask import abort, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlmodel import select

from volunteer.models import (
    District,
    User,
)
from volunteer.platform.clock import now
from volunteer.platform.db import get_session
from volunteer.services.discovery.listing import is_listed
from volunteer.services.engagement import applications
from volunteer.services.errors import ServiceError
from volunteer.web.forms import ButtonForm
from volunteer.web.helpers import act_and_return, acting_user, flash_error, row_or_404
from volunteer.web.organisations import bp
from volunteer.web.organisations.loading import need_or_404, org_page
from volunteer.web.wording.reasons import candidate_reason


def _not_found_or_flash(error: ServiceError) -> None:
    """A candidate who is not (or no longer) findable is a 404, as for any other foreign id."""
    if error.code == "not_found":
        abort(404)
    flash_error(error)


@bp.get("/<int:org_id>/einsaetze/<int:need_id>/kandidaten")
@login_required
def candidates(org_id: int, need_id: int) -> Any:
    org, need = need_or_404(org_id, need_id)
    db = get_session()
    found = applications.candidates(db, need, now=now())
    districts = {d.number: d.name for d in db.exec(select(District)).all()}  # 30 rows
    return org_page(
        "organisations/candidates.html",
        org,
        need=need,
        found=found,
        districts=districts,
        reason_text=candidate_reason,
        invited=applications.invited_ids(db, need),
        confirm=ButtonForm(),
        can_invite=is_listed(need, org),  # invite_candidate's rule
    )


@bp.post("/<int:org_id>/einsaetze/<int:need_id>/kandidaten/<int:user_id>/einladen")
@login_required
def invite_candidate(org_id: int, need_id: int, user_id: int) -> Any:
    org, need = need_or_404(org_id, need_id)
    person = row_or_404(User, user_id)
    return act_and_return(
        lambda: applications.invite_candidate(
            get_session(), org, need, person, by=acting_user(), now=now()
        ),
        report=_not_found_or_flash,
        success=lambda fresh: (
            _("Invitation sent to %(name)s.", name=person.first_name)
            if fresh
            else _("%(name)s was already invited.", name=person.first_name)
        ),
        back=url_for("organisations.candidates", org_id=org.id, need_id=need.id),
    )
