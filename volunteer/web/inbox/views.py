from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from volunteer.platform.clock import now
from volunteer.platform.db import get_session
from volunteer.platform.inputs import parse_int
from volunteer.services.notices import inbox
from volunteer.web.forms import ButtonForm
from volunteer.web.helpers import (
    acting_user,
    commit_or_report,
    commit_work,
    not_found,
    require_button,
)
from volunteer.web.inbox import bp


@bp.app_context_processor
def _unread() -> dict[str, Any]:
    """``inbox_unread()`` for the header badge, computed only when a page asks for it."""

    def inbox_unread() -> int:
        if not current_user.is_authenticated:
            return 0
        return inbox.unread_count(get_session(), acting_user())

    return {"inbox_unread": inbox_unread}


@bp.get("/")
@login_required
def index() -> Any:
    number = parse_int(request.args.get("seite"), 1, 999_999) or 1
    result = inbox.page_of(get_session(), acting_user(), page=number)
    return render_template("inbox/index.html", inbox=result, form=ButtonForm())


@bp.post("/<int:notice_id>/gelesen")
@login_required
def mark_read(notice_id: int) -> Any:
    require_button()
    commit_or_report(
        lambda: inbox.mark_read(get_session(), notice_id, by=acting_user(), now=now()),
        report=not_found,
    )
    return redirect(url_for("inbox.index", seite=request.args.get("seite", "1")))


@bp.post("/alle-gelesen")
@login_required
def mark_all_read() -> Any:
    require_button()
    n = commit_work(lambda: inbox.mark_all_read(get_session(), by=acting_user(), now=now()))
    if n:
        flash(_("All notices are marked as read."), "success")
    return redirect(url_for("inbox.index"))
