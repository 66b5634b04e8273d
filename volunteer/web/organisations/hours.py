"""Hours to confirm or reject, and the Ehrenamtskarte CSV export."""

from functools import partial
from typing import Any

from flask import (
    redirect,
    request,
    url_for,
)
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_login import login_required

from volunteer.models import (
    HourState,
    Signup,
)
from volunteer.platform.clock import BERLIN, now
from volunteer.platform.db import get_session
from volunteer.services.engagement import exports, hours
from volunteer.services.errors import ServiceError
from volunteer.web.forms import ButtonForm, apply_error, form_status
from volunteer.web.helpers import (
    acting_user,
    attachment,
    commit_or_report,
    confirmation_page,
    flash_error,
    is_confirmed,
    reader_locale,
)
from volunteer.web.organisations import bp
from volunteer.web.organisations.forms import (
    BulkHoursForm,
    ExportForm,
    RejectForm,
)
from volunteer.web.organisations.loading import (
    hour_entry_or_404,
    org_page,
    organisation_or_404,
)


@bp.route("/<int:org_id>/stunden", methods=["GET", "POST"])
@login_required
def hours_list(org_id: int) -> Any:
    org = organisation_or_404(org_id)
    db = get_session()
    form = BulkHoursForm()
    failed = False
    if request.method == "POST" and form.validate_on_submit():
        action = request.form.get("action", "")
        to = {"confirm": HourState.CONFIRMED, "reject": HourState.REJECTED}.get(action)
        chosen = set(form.entries.data or [])
        if to is None:
            apply_error(form, ServiceError("bad_choice", field="entries"))
            failed = True
        elif (
            to == HourState.REJECTED
            and not is_confirmed()
            and (rows := [r for r in hours.pending(db, org) if r.entry.id in chosen])
        ):
            # Only what is still pending is listed and re-sent: she confirms what she sees.
            return confirmation_page(
                title=_("Reject these hours?"),
                question=ngettext(
                    "Do you really want to reject %(num)d entry? The person is told; a rejection "
                    "cannot be undone.",
                    "Do you really want to reject %(num)d entries? Each person is told; a "
                    "rejection cannot be undone.",
                    len(rows),
                ),
                items=[
                    _(
                        "%(name)s, %(day)s: %(minutes)s minutes",
                        name=r.user.display_name if r.user else _("Deleted account"),
                        day=format_date(r.entry.worked_on, "medium"),
                        minutes=r.entry.minutes,
                    )
                    for r in rows
                ],
                action=url_for("organisations.hours_list", org_id=org.id),
                confirm_label=_("Yes, reject"),
                back_url=url_for("organisations.hours_list", org_id=org.id),
                hidden=[("action", "reject"), *(("entries", r.entry.id) for r in rows)],
            )
        else:
            done = commit_or_report(
                lambda: hours.decide_many(
                    db, org, form.entries.data or [], to, by=acting_user(), now=now()
                ),
                report=partial(apply_error, form),
                success=lambda count: (
                    ngettext("%(num)s entry confirmed.", "%(num)s entries confirmed.", count)
                    if to == HourState.CONFIRMED
                    else ngettext("%(num)s entry rejected.", "%(num)s entries rejected.", count)
                ),
            )
            if done:
                return redirect(url_for("organisations.hours_list", org_id=org.id))
            failed = True
    year = now().astimezone(BERLIN).year
    return org_page(
        "organisations/hours.html",
        org,
        form=form,
        pending=hours.pending(db, org),
        decided=hours.recent_decided(db, org),
        totals=hours.totals_per_volunteer(db, org, year=year),
        year=year,
        years=list(range(year, year - 3, -1)),
        confirm=ButtonForm(),
        reject_form=RejectForm(),
    ), form_status(form, failed=failed)


@bp.post("/<int:org_id>/stunden/<int:entry_id>/<any(confirm, reject):action>")
@login_required
def hour_decide(org_id: int, entry_id: int, action: str) -> Any:
    org, entry = hour_entry_or_404(org_id, entry_id)
    db = get_session()
    form = RejectForm()
    if form.validate_on_submit():
        commit_or_report(
            lambda: (
                hours.confirm(db, org, entry, by=acting_user(), now=now())
                if action == "confirm"
                else hours.reject(
                    db, org, entry, by=acting_user(), now=now(), reason=form.reason.data or ""
                )
            ),
            report=flash_error,
            success=_("Hours confirmed.") if action == "confirm" else _("Hours rejected."),
        )
    signup = db.get(Signup, entry.signup_id) if entry.signup_id else None
    if request.form.get("back") == "shift" and signup is not None:
        return redirect(url_for("organisations.shift", org_id=org.id, shift_id=signup.shift_id))
    return redirect(url_for("organisations.hours_list", org_id=org.id))


@bp.get("/<int:org_id>/stunden/export.csv")
@login_required
def export_hours(org_id: int) -> Any:
    """Confirmed hours per volunteer for one year, as CSV (Ehrenamtskarte application)."""
    org = organisation_or_404(org_id)
    db = get_session()
    form = ExportForm(request.args)
    this_year = now().astimezone(BERLIN).year
    year = form.year.data if form.validate() and form.year.data else this_year
    totals = hours.totals_per_volunteer(db, org, year=year)
    body = exports.hours_csv(totals, year=year, locale=reader_locale()[:2])
    return attachment(body, f"stunden-{year}-verein-{org.id}.csv", "text/csv", personal=True)
