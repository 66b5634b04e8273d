"""Landing page, registering an organisation, accepting a member invitation."""

from functools import partial
from typing import Any

from flask import (
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from volunteer.platform.clock import now
from volunteer.platform.db import get_session
from volunteer.services.organisations import invitations
from volunteer.services.organisations import organisation as organisations
from volunteer.services.permissions import organisations_of
from volunteer.web.forms import ButtonForm, apply_error, form_status
from volunteer.web.helpers import acting_user, commit_or_report, flash_error, geocoder
from volunteer.web.organisations import bp
from volunteer.web.organisations.forms import (
    OrganisationForm,
)
from volunteer.web.organisations.loading import (
    cause_choices,
    organisation_input,
)


@bp.get("/")
def index() -> Any:
    """For associations: my organisations, or why and how to register one."""
    mine = organisations_of(get_session(), acting_user()) if current_user.is_authenticated else []
    return render_template("organisations/index.html", mine=mine)


@bp.route("/registrieren", methods=["GET", "POST"])
@login_required
def register() -> Any:
    db = get_session()
    form = OrganisationForm()
    form.causes.options = cause_choices(db)
    if request.method == "GET":
        form.contact_email.data = current_user.email
    if form.validate_on_submit():
        done = commit_or_report(
            lambda: organisations.register(
                db, organisation_input(form), by=acting_user(), now=now(), geocoder=geocoder()
            ),
            report=partial(apply_error, form),
            success=_(
                "Your organisation is registered. A city coordinator will verify it soon; "
                "until then you can prepare needs, which become public once verified."
            ),
        )
        if done:
            return redirect(url_for("organisations.dashboard", org_id=done.value.id))
    return render_template("organisations/register.html", form=form), form_status(form)


@bp.route("/einladung/<token>", methods=["GET", "POST"])
@login_required
def accept_invite(token: str) -> Any:
    form = ButtonForm()
    if form.validate_on_submit():
        db = get_session()
        done = commit_or_report(
            lambda: invitations.accept_invite(db, token, user=acting_user(), now=now()),
            report=flash_error,
            success=lambda org: _("Welcome to %(name)s!", name=org.name),
        )
        if not done:
            return render_template("organisations/accept_invite.html", form=form, token=token), 400
        return redirect(url_for("organisations.dashboard", org_id=done.value.id))
    return render_template("organisations/accept_invite.html", form=form, token=token)
