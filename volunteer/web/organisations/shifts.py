"""Shifts and the sign-ups on them: create, edit, cancel, decide, attendance."""

from datetime import timedelta
from functools import partial
from typing import Any

from flask import (
    current_app,
    flash,
    redirect,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import login_required

from volunteer.models import Signup
from volunteer.platform.clock import BERLIN, now
from volunteer.platform.db import get_session
from volunteer.platform.i18n import format_moment
from volunteer.services.engagement import applications
from volunteer.services.errors import ServiceError
from volunteer.services.organisations import shifts as shift_service
from volunteer.web.forms import ButtonForm, apply_error, form_status
from volunteer.web.helpers import (
    ReasonField,
    acting_user,
    commit_or_report,
    confirmation_page,
    flash_error,
    is_confirmed,
)
from volunteer.web.organisations import bp
from volunteer.web.organisations.forms import (
    DecisionForm,
    MessageForm,
    ShiftForm,
)
from volunteer.web.organisations.loading import (
    OrgAction,
    act_on,
    need_or_404,
    org_page,
    organisation_or_404,
    shift_input,
    shift_or_404,
    signup_or_404,
)
from volunteer.web.wording.messages import error_message


@bp.route("/<int:org_id>/einsaetze/<int:need_id>/termine/neu", methods=["GET", "POST"])
@login_required
def shift_new(org_id: int, need_id: int) -> Any:
    org, need = need_or_404(org_id, need_id)
    db = get_session()
    form = ShiftForm()
    if form.validate_on_submit():
        done = commit_or_report(
            lambda: shift_service.add_shifts(
                db, need, shift_input(form), by=acting_user(), now=now()
            ),
            report=partial(apply_error, form),
            success=lambda created: _("%(n)s date(s) added.", n=len(created)),
        )
        if done:
            return redirect(url_for("organisations.need", org_id=org.id, need_id=need.id))
    return org_page(
        "organisations/shift_form.html", org, form=form, need=need, shift=None
    ), form_status(form)


@bp.route("/<int:org_id>/termine/<int:shift_id>/bearbeiten", methods=["GET", "POST"])
@login_required
def shift_edit(org_id: int, shift_id: int) -> Any:
    org, shift, need = shift_or_404(org_id, shift_id)
    db = get_session()
    form = ShiftForm()
    if request.method == "GET":
        start = shift.starts_at.astimezone(BERLIN)
        form.day.data = start.date()
        form.start_time.data = start.time().replace(tzinfo=None)
        form.end_time.data = shift.ends_at.astimezone(BERLIN).time().replace(tzinfo=None)
        form.capacity.data = shift.capacity
        form.place.data = shift.place
    if form.validate_on_submit():
        done = commit_or_report(
            lambda: shift_service.edit_shift(
                db, shift, shift_input(form), by=acting_user(), now=now()
            ),
            report=partial(apply_error, form),
            success=lambda notified: (
                ngettext(
                    "Saved. We let %(n)s person know about the change.",
                    "Saved. We let %(n)s people know about the change.",
                    notified,
                    n=notified,
                )
                if notified
                else _("The shift is saved.")
            ),
        )
        if done:
            return redirect(url_for("organisations.need", org_id=org.id, need_id=need.id))
    affected = len(shift_service.affected_signups(db, shift))
    return org_page(
        "organisations/shift_form.html",
        org,
        form=form,
        need=need,
        shift=shift,
        affected=affected,
        confirm=ButtonForm(),
    ), form_status(form)


@bp.post("/<int:org_id>/termine/<int:shift_id>/absagen")
@login_required
def shift_cancel(org_id: int, shift_id: int) -> Any:
    """Cancel a shift (or the rest of its series) after a confirmation step that asks why."""
    org, shift, need = shift_or_404(org_id, shift_id)
    db = get_session()
    back = url_for("organisations.need", org_id=org.id, need_id=need.id)
    if not ButtonForm().validate_on_submit():
        return redirect(back)
    series = request.form.get("series") == "1"
    reason = request.form.get("reason", "")
    refused: list[ServiceError] = []
    when = format_moment(shift.starts_at, "medium")
    if is_confirmed():
        cancel = shift_service.cancel_series_from if series else shift_service.cancel_shift
        done = commit_or_report(
            lambda: cancel(db, shift, reason=reason, by=acting_user(), now=now()),
            report=lambda error: (
                refused.append(error) if error.field == "reason" else flash_error(error)
            ),
            success=lambda notified: ngettext(
                "Cancelled. We let %(n)s person know.",
                "Cancelled. We let %(n)s people know.",
                notified,
                n=notified,
            ),
        )
        if done or not refused:
            return redirect(back)
    return confirmation_page(
        title=_("Cancel this shift?"),
        question=(
            _("Do you really want to cancel %(when)s and all later dates of the series?", when=when)
            if series
            else _("Do you really want to cancel the shift on %(when)s?", when=when)
        )
        + " "
        + _("Everyone signed up or waiting gets a notice with your reason. This cannot be undone."),
        action=url_for("organisations.shift_cancel", org_id=org.id, shift_id=shift.id),
        confirm_label=_("Yes, cancel"),
        back_url=back,
        hidden=[("series", "1" if series else None)],
        reason=ReasonField(
            label=_("Why is it cancelled?"),
            hint=_("This goes to the people affected, e.g. “The hall is closed for repairs.”"),
            required=True,
            value=reason,
            error=error_message(refused[0]) if refused else None,
            max_length=shift_service.CANCEL_REASON_MAX,
        ),
        status=form_status(failed=bool(refused)),
    )


@bp.route("/<int:org_id>/termine/<int:shift_id>", methods=["GET", "POST"])
@login_required
def shift(org_id: int, shift_id: int) -> Any:
    """The people of one shift: decide, wait-list, message, record attendance and hours."""
    org, shift, need = shift_or_404(org_id, shift_id)
    db = get_session()
    message_form = MessageForm()
    if request.method == "POST" and message_form.validate_on_submit():
        done = commit_or_report(
            lambda: applications.message_shift(
                db, org, shift, message_form.message.data or "", by=acting_user(), now=now()
            ),
            report=partial(apply_error, message_form),
            success=lambda count: ngettext(
                "Your message goes to %(n)s person.",
                "Your message goes to %(n)s people.",
                count,
                n=count,
            ),
        )
        if done:
            return redirect(url_for("organisations.shift", org_id=org.id, shift_id=shift.id))
    people = applications.people_of_shift(
        db,
        shift,
        now=now(),
        names_for=timedelta(days=int(current_app.config["DECLINED_NAMES_DAYS"])),
    )
    (row,) = shift_service.shift_rows(db, [shift])
    checks = applications.conduct_checks(
        db, org, [p.user.id for p in people if p.user is not None and p.user.id is not None]
    )
    return org_page(
        "organisations/shift.html",
        org,
        shift=shift,
        need=need,
        row=row,
        people=people,
        checks=checks,
        message_form=message_form,
        decision_form=DecisionForm(),
        confirm=ButtonForm(),
        started=shift.starts_at <= now(),
        today=now().astimezone(BERLIN).date(),
    ), form_status(message_form)


@bp.post("/<int:org_id>/anmeldungen/<int:signup_id>/entscheiden")
@login_required
def decide(org_id: int, signup_id: int) -> Any:
    org, signup, shift = signup_or_404(org_id, signup_id)
    db = get_session()
    form = DecisionForm()
    action = request.form.get("action", "")
    if form.validate_on_submit():
        commit_or_report(
            lambda: applications.decide(
                db,
                org,
                signup,
                action,
                by=acting_user(),
                now=now(),
                message=form.message.data or "",
            ),
            report=flash_error,
            success={
                "accept": _("Accepted. We let the person know."),
                "decline": _("Declined. We let the person know."),
                "waitlist": _("Moved to the waiting list."),
            }.get(action, _("Saved.")),
        )
    else:
        for errors in form.errors.values():
            flash(" ".join(errors), "error")
    if request.form.get("back") == "applications":
        return redirect(url_for("organisations.applications_list", org_id=org.id))
    return redirect(url_for("organisations.shift", org_id=org.id, shift_id=shift.id))


def _act_on_signup(org_id: int, signup_id: int, action: OrgAction[Signup], *, success: str) -> Any:
    """A confirmed one-button action on a person of a shift: the sign-up is looked up within the
    organisation (404 otherwise), and the shift's page shows the outcome."""
    org, signup, shift = signup_or_404(org_id, signup_id)
    back = url_for("organisations.shift", org_id=org.id, shift_id=shift.id)
    return act_on(org, signup, action, success=success, back=back)


@bp.post("/<int:org_id>/anmeldungen/<int:signup_id>/anwesenheit")
@login_required
def attendance(org_id: int, signup_id: int) -> Any:
    action = partial(applications.record_attendance, action=request.form.get("action", ""))
    return _act_on_signup(org_id, signup_id, action, success=_("Attendance recorded."))


@bp.post("/<int:org_id>/anmeldungen/<int:signup_id>/fuehrungszeugnis")
@login_required
def conduct_check(org_id: int, signup_id: int) -> Any:
    return _act_on_signup(
        org_id,
        signup_id,
        partial(applications.record_conduct_check, seen_on=now().astimezone(BERLIN).date()),
        success=_("Recorded that you have seen the certificate of conduct today."),
    )


@bp.get("/<int:org_id>/bewerbungen")
@login_required
def applications_list(org_id: int) -> Any:
    org = organisation_or_404(org_id)
    db = get_session()
    moment = now()
    return org_page(
        "organisations/applications.html",
        org,
        rows=applications.open_applications(db, org, now=moment),
        due=applications.attendance_due(db, org, now=moment),
        decision_form=DecisionForm(),
    )
