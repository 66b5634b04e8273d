"""Joining and leaving a weekly series of a need at once, from the need's page."""

from functools import partial
from typing import Any

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import login_required

from volunteer.models import Opportunity
from volunteer.platform.clock import now
from volunteer.platform.db import get_session
from volunteer.services.engagement import series
from volunteer.web.forms import ButtonForm
from volunteer.web.helpers import (
    acting_user,
    commit_or_report,
    confirmation_page,
    flash_category,
    flash_error,
    is_confirmed,
)
from volunteer.web.opportunities import bp
from volunteer.web.opportunities.views import RESULT_ANCHOR, published_or_404


def _series_or_404(series_id: str) -> tuple[Opportunity, str, str]:
    """The series' need (404 unless it has future dates and is listed), the anchor of the
    series' result box on its page, and the page's URL at that box."""
    shifts = series.series_shifts(get_session(), series_id[:36], now=now())
    if not shifts:
        abort(404)
    opp, _org = published_or_404(shifts[0].opportunity_id)
    anchor = f"{RESULT_ANCHOR}-series"
    return opp, anchor, url_for("opportunities.detail", opportunity_id=opp.id, _anchor=anchor)


@bp.post("/serien/<series_id>/anmelden")
@login_required
def sign_up_series(series_id: str) -> Any:
    """Join every future date of a regular need at once (each date's own places and waiting
    list apply; see ``series.sign_up_series``)."""
    _opp, anchor, target = _series_or_404(series_id)
    if not ButtonForm().validate_on_submit():
        flash(_("Please check your input."), flash_category("error", anchor))
        return redirect(target)
    db = get_session()
    commit_or_report(
        lambda: series.sign_up_series(db, acting_user(), series_id[:36], now=now()),
        report=partial(flash_error, at=anchor),
        success=lambda r: " ".join(
            part
            for part in (
                ngettext(
                    "You are signed up for %(num)d date.",
                    "You are signed up for %(num)d dates.",
                    r.applied,
                )
                if r.applied
                else "",
                ngettext(
                    "For %(num)d full date you are on the waiting list.",
                    "For %(num)d full dates you are on the waiting list.",
                    r.waitlisted,
                )
                if r.waitlisted
                else "",
                ngettext(
                    "%(num)d date you already had was left as it is.",
                    "%(num)d dates you already had were left as they are.",
                    r.skipped,
                )
                if r.skipped
                else "",
            )
            if part
        ),
        at=anchor,
    )
    return redirect(target)


@bp.post("/serien/<series_id>/abmelden")
@login_required
def leave_series(series_id: str) -> Any:
    """Leave a series: every future sign-up of it ends, and freed places go to the waiting list."""
    opp, anchor, target = _series_or_404(series_id)
    if not ButtonForm().validate_on_submit():
        flash(_("Please check your input."), flash_category("error", anchor))
        return redirect(target)
    if not is_confirmed():
        return confirmation_page(
            title=_("Leave this series?"),
            question=_(
                "Do you really want to leave every future date of “%(title)s”? The organisation "
                "is told and your places may go to others.",
                title=opp.title,
            ),
            action=url_for("opportunities.leave_series", series_id=series_id[:36]),
            confirm_label=_("Yes, leave the series"),
            back_url=target,
        )
    db = get_session()
    commit_or_report(
        lambda: series.leave_series(db, acting_user(), series_id[:36], now=now()),
        report=partial(flash_error, at=anchor),
        success=lambda n: ngettext(
            "You left the series: %(num)d date cancelled.",
            "You left the series: %(num)d dates cancelled.",
            n,
        ),
        at=anchor,
    )
    return redirect(target)
