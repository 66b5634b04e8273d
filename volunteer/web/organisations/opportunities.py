"""An organisation's opportunities (needs): list, create, edit, status, duplicate."""

from collections.abc import Callable
from functools import partial
from typing import Any

from flask import (
    redirect,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import login_required
from sqlmodel import Session, col, select

from volunteer.models import (
    Cause,
    Opportunity,
    OpportunityStatus,
    Organisation,
    Skill,
)
from volunteer.platform.clock import now
from volunteer.platform.db import get_session
from volunteer.services.organisations import opportunities
from volunteer.services.organisations import shifts as shift_service
from volunteer.web.forms import ButtonForm, apply_error, description_preview, form_status
from volunteer.web.helpers import (
    act_and_return,
    acting_user,
    commit_or_report,
    flash_error,
    geocoder,
)
from volunteer.web.organisations import bp
from volunteer.web.organisations.forms import (
    OpportunityForm,
)
from volunteer.web.organisations.loading import (
    cause_choices,
    language_choices,
    need_or_404,
    opportunity_input,
    org_page,
    organisation_or_404,
    skill_groups,
)


@bp.get("/<int:org_id>/einsaetze")
@login_required
def needs_list(org_id: int) -> Any:
    org = organisation_or_404(org_id)
    db = get_session()
    rows = opportunities.opportunities_of(db, org)
    return org_page("organisations/needs_list.html", org, rows=rows)


def _need_form(db: Session, need: Opportunity | None = None) -> OpportunityForm:
    form = OpportunityForm(obj=need if request.method == "GET" else None)
    form.causes.options = cause_choices(db)
    groups = skill_groups(db)
    all_skills = [item for _, items in groups for item in items]
    form.required_skills.options = all_skills
    form.optional_skills.options = all_skills
    form.languages.options = language_choices()
    if request.method == "GET" and need is not None:
        form.causes.data = opportunities.cause_ids(db, need)
        form.required_skills.data, form.optional_skills.data = opportunities.skill_ids(db, need)
        form.languages.data = list(need.languages)
    return form


def _need_page(
    org: Organisation,
    need: Opportunity | None,
    *,
    save: Callable[..., Opportunity],
    success: str,
    target: str,
) -> Any:
    """Writing a need and editing it are one form page: a preview of the description, or the
    service call in the request's unit of work and on to the endpoint ``target`` (with the saved
    need's id), or the form again (422). ``save`` is ``opportunities.create`` or ``update`` with
    the session and the organisation or need already given."""
    db = get_session()
    form = _need_form(db, need)
    preview = description_preview(form)
    if preview is None and form.validate_on_submit():
        done = commit_or_report(
            lambda: save(opportunity_input(form), by=acting_user(), now=now(), geocoder=geocoder()),
            report=partial(apply_error, form),
            success=success,
        )
        if done:
            return redirect(url_for(target, org_id=org.id, need_id=done.value.id))
    return org_page(
        "organisations/need_form.html",
        org,
        form=form,
        need=need,
        groups=skill_groups(db),
        preview=preview,
    ), form_status(form)


@bp.route("/<int:org_id>/einsaetze/neu", methods=["GET", "POST"])
@login_required
def need_new(org_id: int) -> Any:
    org = organisation_or_404(org_id)
    return _need_page(
        org,
        None,
        save=partial(opportunities.create, get_session(), org),
        success=_("The need is saved as a draft. Now add its dates."),
        target="organisations.shift_new",
    )


@bp.route("/<int:org_id>/einsaetze/<int:need_id>/bearbeiten", methods=["GET", "POST"])
@login_required
def need_edit(org_id: int, need_id: int) -> Any:
    org, need = need_or_404(org_id, need_id)
    return _need_page(
        org,
        need,
        save=partial(opportunities.update, get_session(), need),
        success=_("The need is saved."),
        target="organisations.need",
    )


@bp.get("/<int:org_id>/einsaetze/<int:need_id>")
@login_required
def need(org_id: int, need_id: int) -> Any:
    org, need = need_or_404(org_id, need_id)
    db = get_session()
    moment = now()
    upcoming = shift_service.shift_rows(db, shift_service.shifts_of(db, need, now=moment))
    past = shift_service.shift_rows(
        db, shift_service.shifts_of(db, need, now=moment, past=True)[:20]
    )
    required, optional = opportunities.skill_ids(db, need)
    skills = {s.id: s for s in db.exec(select(Skill).where(col(Skill.id).in_(required + optional)))}
    causes = {
        c.id: c
        for c in db.exec(select(Cause).where(col(Cause.id).in_(opportunities.cause_ids(db, need))))
    }
    return org_page(
        "organisations/need.html",
        org,
        need=need,
        upcoming=upcoming,
        past=past,
        required=[skills[i] for i in required if i in skills],
        optional=[skills[i] for i in optional if i in skills],
        causes=list(causes.values()),
        transitions=opportunities.STATUS_TRANSITIONS.get(need.status, frozenset()),
        confirm=ButtonForm(),
        languages=dict(language_choices()),
        now=moment,
    )


@bp.post("/<int:org_id>/einsaetze/<int:need_id>/status")
@login_required
def need_status(org_id: int, need_id: int) -> Any:
    org, need = need_or_404(org_id, need_id)
    status = request.form.get("status", "")
    messages = {
        OpportunityStatus.PUBLISHED: _("The need is published.")
        if org.verified_at
        else _(
            "The need is published. It becomes visible once a coordinator has verified "
            "your organisation."
        ),
        OpportunityStatus.PAUSED: _("The need is paused and hidden from search."),
        OpportunityStatus.CLOSED: _("The need is closed."),
    }
    return act_and_return(
        lambda: opportunities.set_status(get_session(), need, status, by=acting_user(), now=now()),
        # Only after the service accepted it is ``status`` known to be a valid one.
        success=lambda _need: messages.get(OpportunityStatus(status), _("Saved.")),
        back=url_for("organisations.need", org_id=org.id, need_id=need.id),
    )


@bp.post("/<int:org_id>/einsaetze/<int:need_id>/duplizieren")
@login_required
def need_duplicate(org_id: int, need_id: int) -> Any:
    org, need = need_or_404(org_id, need_id)
    db = get_session()
    if not ButtonForm().validate_on_submit():
        return redirect(url_for("organisations.need", org_id=org.id, need_id=need.id))
    done = commit_or_report(
        lambda: opportunities.duplicate(db, need, by=acting_user(), now=now()),
        report=flash_error,
        success=_("This is a draft copy. Check it and add dates."),
    )
    if done is None:
        return redirect(url_for("organisations.need", org_id=org.id, need_id=need.id))
    return redirect(url_for("organisations.need_edit", org_id=org.id, need_id=done.value.id))
