"""An organisation's dashboard, its public profile and its logo."""

from functools import partial
from typing import Any

from flask import (
    Response,
    abort,
    redirect,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from volunteer.models import (
    Organisation,
)
from volunteer.platform.clock import now
from volunteer.platform.db import get_session
from volunteer.services.coordination import verification
from volunteer.services.engagement import applications
from volunteer.services.organisations import organisation as organisations
from volunteer.services.permissions import membership_of
from volunteer.web.forms import apply_error, description_preview, form_status
from volunteer.web.helpers import (
    act_and_return,
    acting_user,
    commit_or_report,
    geocoder,
)
from volunteer.web.organisations import bp
from volunteer.web.organisations.forms import (
    LogoForm,
    OrganisationForm,
)
from volunteer.web.organisations.loading import (
    cause_choices,
    org_page,
    organisation_input,
    organisation_or_404,
)


@bp.get("/<int:org_id>/")
@login_required
def dashboard(org_id: int) -> Any:
    org = organisation_or_404(org_id)
    db = get_session()
    data = applications.dashboard(db, org, now=now())
    reviews = verification.history(db, [org.id or 0]).get(org.id or 0, [])
    return org_page("organisations/dashboard.html", org, data=data, reviews=reviews)


@bp.route("/<int:org_id>/profil", methods=["GET", "POST"])
@login_required
def profile(org_id: int) -> Any:
    org = organisation_or_404(org_id, admin=True)
    db = get_session()
    form = OrganisationForm(obj=org if request.method == "GET" else None)
    form.causes.options = cause_choices(db)
    if request.method == "GET":
        form.causes.data = organisations.cause_ids(db, org)
        form.register_number.data = org.register_number or ""
    preview = description_preview(form)
    if preview is None and form.validate_on_submit():
        done = commit_or_report(
            lambda: organisations.update(
                db, org, organisation_input(form), by=acting_user(), now=now(), geocoder=geocoder()
            ),
            report=partial(apply_error, form),
            success=_("The profile is saved."),
        )
        if done:
            return redirect(url_for("organisations.profile", org_id=org.id))
    return org_page(
        "organisations/profile.html", org, form=form, logo_form=LogoForm(), preview=preview
    ), form_status(form)


@bp.post("/<int:org_id>/logo")
@login_required
def upload_logo(org_id: int) -> Any:
    org = organisation_or_404(org_id, admin=True)
    db = get_session()
    form = OrganisationForm(obj=org, formdata=None)
    form.causes.options = cause_choices(db)
    form.causes.data = organisations.cause_ids(db, org)
    logo_form = LogoForm()
    try:
        valid = logo_form.validate_on_submit()
        upload = logo_form.logo.data
        data = upload.read(organisations.MAX_LOGO_BYTES + 1) if upload else b""
        if upload:
            upload.close()  # large uploads are spooled to a temporary file
    except RequestEntityTooLarge:
        valid, data = True, b"x" * (organisations.MAX_LOGO_BYTES + 1)
    if valid:
        done = commit_or_report(
            lambda: organisations.set_logo(db, org, data, by=acting_user(), now=now()),
            report=partial(apply_error, logo_form),
            success=_("The logo is saved."),
        )
        if done:
            return redirect(url_for("organisations.profile", org_id=org.id))
    return org_page("organisations/profile.html", org, form=form, logo_form=logo_form), 422


@bp.post("/<int:org_id>/logo/entfernen")
@login_required
def remove_logo(org_id: int) -> Any:
    org = organisation_or_404(org_id, admin=True)
    return act_and_return(
        lambda: organisations.remove_logo(get_session(), org, by=acting_user(), now=now()),
        success=_("The logo is removed."),
        back=url_for("organisations.profile", org_id=org.id),
    )


@bp.get("/<int:org_id>/logo")
def logo(org_id: int) -> Any:
    """The logo: public for verified organisations (needs show it), else for members only."""
    db = get_session()
    org = db.get(Organisation, org_id)
    if org is None or org.logo is None:
        abort(404)
    member = current_user.is_authenticated and membership_of(db, acting_user(), org_id)
    if org.verified_at is None and not member:
        abort(404)
    response = Response(org.logo, mimetype=org.logo_type or "image/png")
    response.headers["Cache-Control"] = "private, max-age=300"
    response.headers["Content-Disposition"] = "inline"
    return response
