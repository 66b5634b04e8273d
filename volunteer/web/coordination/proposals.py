"""The city-wide proposal pages: queue a run, follow it, read the stored result, invite people.

Nothing here computes a proposal: the POST queues a run and redirects to its status page, which
refreshes itself (no JavaScript) until the worker has stored the result.
"""

from datetime import date
from typing import Any

from flask import (
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlmodel import select

from volunteer.models import Cause, District, ProposalRun, ProposalStatus, User
from volunteer.platform.clock import now
from volunteer.platform.db import get_session
from volunteer.services.coordination import proposal
from volunteer.services.errors import ServiceError
from volunteer.services.permissions import coordinator_required
from volunteer.web.coordination import bp
from volunteer.web.coordination.downloads import csv_response
from volunteer.web.helpers import acting_user, commit_or_report, flash_error, row_or_404
from volunteer.web.wording import columns
from volunteer.web.wording.messages import error_message

REFRESH_SECONDS = 3


def _form_page(options: proposal.ProposalOptions, error: str = "", status: int = 200) -> Any:
    db = get_session()
    return (
        render_template(
            "coordination/proposal.html",
            options=options,
            error=error,
            districts=db.exec(select(District).order_by(District.name)).all(),
            causes=db.exec(select(Cause).order_by(Cause.slug)).all(),
            runs=proposal.recent_runs(db),
        ),
        status,
    )


def _options_from_form() -> proposal.ProposalOptions:
    """The form's choices; a date or number that does not parse is a clear error, not a 500."""
    try:
        start = date.fromisoformat(request.form.get("period_start", ""))
        end = date.fromisoformat(request.form.get("period_end", ""))
        districts = tuple(int(v) for v in request.form.getlist("district"))
    except ValueError:
        raise ServiceError("bad_date", field="period_start") from None
    return proposal.ProposalOptions(
        period_start=start,
        period_end=end,
        district_numbers=districts,
        cause_slugs=tuple(v[:80] for v in request.form.getlist("cause")),
        fill_fairly=request.form.get("fair") == "1",
    )


@bp.get("/vorschlag")
@coordinator_required
def proposal_view() -> Any:
    return _form_page(proposal.default_options(now=now()))


@bp.post("/vorschlag")
@coordinator_required
def proposal_queue() -> Any:
    refusals: list[ServiceError] = []
    done = commit_or_report(
        lambda: proposal.queue(get_session(), _options_from_form(), by=acting_user(), now=now()),
        report=refusals.append,
    )
    if done is None:
        return _form_page(proposal.default_options(now=now()), error_message(refusals[0]), 400)
    return redirect(url_for("coordination.proposal_run", run_id=done.value.id))


@bp.get("/vorschlag/<int:run_id>")
@coordinator_required
def proposal_run(run_id: int) -> Any:
    db = get_session()
    run = row_or_404(ProposalRun, run_id)
    requester = db.get(User, run.requested_by_id) if run.requested_by_id else None
    result = None
    if run.status == ProposalStatus.DONE:
        result = proposal.result_page(db, run, page=request.args.get("seite", 1, type=int) or 1)
    waiting = run.status in (ProposalStatus.QUEUED, ProposalStatus.RUNNING)
    auto = request.args.get("auto") != "0"
    response = make_response(
        render_template(
            "coordination/proposal_run.html",
            run=run,
            requester=requester,
            result=result,
            waiting=waiting,
            auto=auto,
            per_week=current_app.config["PROPOSAL_INVITATIONS_PER_WEEK"],
        )
    )
    if waiting and auto:
        # The page reloads itself without JavaScript until the worker is done. As an HTTP
        # header rather than <meta>, with a link on the page that turns it off (WCAG 2.2.1).
        response.headers["Refresh"] = str(REFRESH_SECONDS)
    return response


@bp.post("/vorschlag/<int:run_id>/einladen")
@coordinator_required
def proposal_invite(run_id: int) -> Any:
    db = get_session()
    run = row_or_404(ProposalRun, run_id)
    try:
        pair_ids = [int(v) for v in request.form.getlist("pair")]
    except ValueError:
        abort(400)
    done = commit_or_report(
        lambda: proposal.invite(
            db,
            run,
            pair_ids,
            by=acting_user(),
            now=now(),
            per_week=int(current_app.config["PROPOSAL_INVITATIONS_PER_WEEK"]),
        ),
        report=flash_error,
    )
    if done is not None:
        outcome = done.value
        if outcome.sent:
            flash(
                ngettext("%(num)s invitation sent.", "%(num)s invitations sent.", outcome.sent),
                "success",
            )
        if outcome.over_limit:
            flash(
                _(
                    "Not invited, because they already had %(n)s invitations this week: %(names)s.",
                    n=current_app.config["PROPOSAL_INVITATIONS_PER_WEEK"],
                    names=", ".join(outcome.over_limit),
                ),
                "error",
            )
        if outcome.already:
            flash(
                ngettext(
                    "%(num)s person was already invited.",
                    "%(num)s people were already invited.",
                    outcome.already,
                ),
                "info",
            )
        if outcome.unavailable:
            flash(
                ngettext(
                    "%(num)s pair is no longer possible (the shift has begun or was cancelled, "
                    "or the person can no longer be found).",
                    "%(num)s pairs are no longer possible (the shift has begun or was "
                    "cancelled, or the person can no longer be found).",
                    outcome.unavailable,
                ),
                "info",
            )
    page = request.form.get("seite", 1, type=int) or 1
    return redirect(url_for("coordination.proposal_run", run_id=run.id, seite=page))


@bp.get("/vorschlag/<int:run_id>.csv")
@coordinator_required
def proposal_csv(run_id: int) -> Any:
    run = row_or_404(ProposalRun, run_id)
    if run.status != ProposalStatus.DONE:
        abort(404)
    return csv_response(
        f"mitwirken-vorschlag-{run.id}.csv",
        columns.proposal(),
        proposal.csv_rows(get_session(), run),
    )
