"""The audit-log page for coordinators, with filters and a CSV of what it shows."""

from datetime import date
from typing import Any

from flask import render_template, request
from flask_babel import lazy_gettext as _l

from volunteer.platform.db import get_session
from volunteer.services.coordination import audit_log
from volunteer.services.errors import ServiceError
from volunteer.services.permissions import coordinator_required
from volunteer.web.coordination import bp
from volunteer.web.coordination.downloads import csv_response
from volunteer.web.wording import columns
from volunteer.web.wording.messages import error_message

GROUP_LABELS = {
    "verification": _l("Verification"),
    "exports": _l("Downloads"),
    "proposals": _l("Proposals"),
    "invitations": _l("Invitations"),
    "roles": _l("Roles in organisations"),
    "notices": _l("Undeliverable notices"),
}
ACTION_LABELS = {
    "organisation.verified": _l("verified an organisation"),
    "organisation.info_requested": _l("asked an organisation for more information"),
    "organisation.rejected": _l("rejected an organisation"),
    "organisation.registered": _l("registered an organisation"),
    "export.downloaded": _l("downloaded a file"),
    "proposal.requested": _l("started a city-wide proposal"),
    "proposal.invited": _l("sent invitations from a proposal"),
    "candidate.invited": _l("invited a candidate to a need"),
    "organisation.invited": _l("invited someone to an organisation"),
    "organisation.role": _l("changed someone's role in an organisation"),
    "organisation.transfer_admin": _l("handed over the admin role"),
    "organisation.joined": _l("joined an organisation"),
    "organisation.left": _l("left an organisation"),
    "organisation.removed": _l("removed someone from an organisation"),
    "notice.address_corrected": _l("corrected the address of an undeliverable notice"),
    "notice.resent": _l("sent an undeliverable notice again"),
    "notice.unreachable": _l("marked a notice's recipient unreachable"),
}


def _filters() -> audit_log.Filters:
    def day(name: str) -> date | None:
        value = request.args.get(name, "")
        if not value:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ServiceError("bad_date", field=name) from None

    actor = request.args.get("person", "")
    return audit_log.Filters(
        group=request.args.get("gruppe", ""),
        actor_id=int(actor) if actor.isdigit() else None,
        since=day("von"),
        until=day("bis"),
    )


def _detail(row: audit_log.Row) -> str:
    """The facts of an entry in one line: the object and the details, as stored."""
    entry = row.entry
    parts = [f"{entry.object_type} {entry.object_id}"] if entry.object_type else []
    parts += [f"{k}: {v}" for k, v in sorted(entry.details.items()) if v not in ("", None, [])]
    return "; ".join(parts)


@bp.get("/protokoll")
@coordinator_required
def audit_view() -> Any:
    db = get_session()
    error = ""
    try:
        filters = _filters()
        found = audit_log.rows(db, filters)
    except ServiceError as problem:
        error, filters, found = error_message(problem), audit_log.Filters(), []
    return (
        render_template(
            "coordination/audit.html",
            rows=found,
            filters=filters,
            error=error,
            groups=GROUP_LABELS,
            labels=ACTION_LABELS,
            actors=audit_log.actors(db),
            detail=_detail,
            args=request.args,
        ),
        400 if error else 200,
    )


@bp.get("/protokoll.csv")
@coordinator_required
def audit_csv() -> Any:
    try:
        found = audit_log.rows(get_session(), _filters(), limit=100_000)
    except ServiceError:
        found = []
    return csv_response(
        "mitwirken-protokoll.csv",
        columns.audit_log(),
        [
            (
                r.entry.at,
                r.actor,
                r.entry.action,
                r.entry.object_type,
                r.entry.object_id or "",
                _detail(r),
            )
            for r in found
        ],
    )
