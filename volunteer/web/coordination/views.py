from typing import Any

from flask import abort, flash, get_template_attribute, redirect, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup
from sqlmodel import select

from matching.model import SLOTS
from volunteer.models import District, Organisation, ReviewDecision
from volunteer.platform.clock import now
from volunteer.platform.db import get_session
from volunteer.services.coordination import disclosure, statistics, verification
from volunteer.services.permissions import coordinator_required
from volunteer.web.coordination import bp
from volunteer.web.coordination.downloads import csv_response
from volunteer.web.helpers import (
    acting_user,
    commit_or_report,
    commit_work,
    flash_error,
    row_or_404,
)
from volunteer.web.organisations.forms import KIND_LABELS
from volunteer.web.templating import fragment
from volunteer.web.wording import columns
from volunteer.web.wording.gaps import skill_name
from volunteer.web.wording.reasons import slot_label


@bp.get("/")
@coordinator_required
def index() -> Any:
    data = statistics.current_overview(get_session(), now=now())
    # A count of the city is kept for two minutes and read by every coordinator's visit: the
    # page's body (a table row per district, skill and slot, a dozen translated labels each) is
    # rendered once per count, waiting organisations and language, not on every visit.
    body = fragment(
        ("coordination_overview", data.version, data.pending_organisations),
        lambda: _body(data),
    )
    return render_template("coordination/index.html", body=body)


def _body(data: statistics.Overview) -> Markup:
    slots = [
        (slot, slot_label(slot), data.slot_demand.get(slot, 0), data.slot_supply.get(slot, 0))
        for slot in SLOTS
    ]
    html: Markup = get_template_attribute("coordination/overview_body.html", "body")(
        data, slots, [s for s in data.skills if s.demand][:15], skill_name
    )
    return html


@bp.get("/bericht.csv")
@coordinator_required
def report_csv() -> Any:
    data = statistics.current_overview(get_session(), now=now())
    # Counts of people leave the service only under the disclosure rule; a fill rate would give
    # a hidden "places taken" away, so it is hidden with it.
    volunteers = disclosure.protect([d.volunteers for d in data.districts])
    taken = disclosure.protect([d.taken for d in data.districts])
    rows = [
        (
            d.number,
            d.name,
            d.borough,
            volunteers[i],
            d.organisations,
            d.needs,
            d.places,
            taken[i],
            ""
            if d.fill_rate is None
            else disclosure.SUPPRESSED
            if taken[i] == disclosure.SUPPRESSED
            else round(d.fill_rate, 3),
            d.hours,
        )
        for i, d in enumerate(data.districts)
    ]
    return csv_response("mitwirken-bezirke.csv", columns.district_report(), rows)


@bp.get("/vereine")
@coordinator_required
def organisations() -> Any:
    db = get_session()
    return render_template(
        "coordination/organisations.html",
        pending=verification.pending(db),
        rejected=verification.rejected(db),
        recent=verification.recently_verified(db, limit=10),
        districts=dict(db.exec(select(District.number, District.name)).all()),
        kind_labels=KIND_LABELS,
    )


@bp.post("/vereine/<int:org_id>/pruefen")
@coordinator_required
def verify_organisation(org_id: int) -> Any:
    org = row_or_404(Organisation, org_id)
    decision = request.form.get("decision", "")
    commit_or_report(
        lambda: verification.decide(
            get_session(),
            org,
            decision,
            by=acting_user(),
            now=now(),
            message=request.form.get("message", "")[:4000],
        ),
        report=flash_error,
        success={
            ReviewDecision.APPROVED: _(
                "%(name)s is verified; its published needs are now public.", name=org.name
            ),
            ReviewDecision.INFO_REQUESTED: _(
                "%(name)s has been asked for more information.", name=org.name
            ),
            ReviewDecision.REJECTED: _("%(name)s has been told it is not verified.", name=org.name),
        }.get(ReviewDecision(decision))
        if decision in set(ReviewDecision)
        else None,
    )
    return redirect(url_for("coordination.organisations") + f"#org-{org.id}")


@bp.get("/faehigkeiten")
@coordinator_required
def skill_suggestions() -> Any:
    return render_template(
        "coordination/skill_suggestions.html",
        groups=verification.skill_suggestions(get_session()),
    )


@bp.post("/faehigkeiten")
@coordinator_required
def resolve_skill_suggestion() -> Any:
    status = request.form.get("status", "")
    text = request.form.get("text", "")[:160]
    if status not in ("added", "dismissed") or not text.strip():
        abort(400)
    n = commit_work(
        lambda: verification.resolve_suggestions(
            get_session(), text, status=status, by=acting_user(), now=now()
        )
    )
    flash(_("%(n)s suggestion(s) for “%(text)s” done.", n=n, text=text), "success")
    return redirect(url_for("coordination.skill_suggestions"))


@bp.get("/faehigkeiten.csv")
@coordinator_required
def skill_suggestions_csv() -> Any:
    groups = verification.skill_suggestions(get_session())
    return csv_response(
        "mitwirken-faehigkeiten-vorschlaege.csv",
        columns.skill_suggestions(),
        list(
            zip(
                [g.text for g in groups], disclosure.protect([g.count for g in groups]), strict=True
            )
        ),
    )
