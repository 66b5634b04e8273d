"""Views for browsing needs and signing up: anyone may browse, signing up needs an account."""

import math
from collections.abc import Sequence
from functools import cache, partial
from typing import Any

from flask import (
    abort,
    current_app,
    flash,
    get_template_attribute,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date, format_number, get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import BindParameter, bindparam, literal, union_all
from sqlalchemy import select as sa_select
from sqlmodel import col, select

from volunteer.catalogue.geocoding import GeocodeError
from volunteer.catalogue.reference import load_causes, load_skills
from volunteer.models import (
    Cause,
    Opportunity,
    OpportunityCause,
    OpportunitySkill,
    Organisation,
    Role,
    Shift,
    Signup,
    SignupState,
    Skill,
)
from volunteer.platform.clock import BERLIN, now
from volunteer.platform.db import get_session
from volunteer.platform.i18n import format_moment
from volunteer.services.coordination import match_aggregates
from volunteer.services.discovery import cards, engine, profiles, search
from volunteer.services.discovery.listing import listed_opportunity
from volunteer.services.discovery.organisations import public_organisation
from volunteer.services.engagement import calendar, signups
from volunteer.web.charts.map import bands, choropleth, step_of
from volunteer.web.forms import ButtonForm
from volunteer.web.helpers import (
    ReasonField,
    acting_user,
    attachment,
    commit_or_report,
    commit_work,
    confirmation_page,
    flash_category,
    flash_error,
    geocoder,
    is_confirmed,
    public_url,
)
from volunteer.web.opportunities import bp
from volunteer.web.organisations.forms import KIND_LABELS
from volunteer.web.templating import fragment
from volunteer.web.volunteers.forms import SignupForm, WithdrawForm
from volunteer.web.wording.calendar import event_words
from volunteer.web.wording.reasons import reason_text

# Sign-up results are tied to "result-<shift id>", inside that shift's card on the detail page.
RESULT_ANCHOR = "result"


def _locale() -> str:
    return str(get_locale() or "de")


@bp.get("/")
def index() -> Any:
    db = get_session()
    user = acting_user() if current_user.is_authenticated else None
    districts = search.districts(db)
    params = search.parse_params(
        request.args,
        skills={s.slug for s in load_skills()},
        causes={c.slug for c in load_causes()},
        districts={d.number for d in districts},
    )
    where = request.args.get("wo", "").strip()
    if where:
        # "Where?" from the home page: a postcode or place becomes the district filter, so the
        # URL stays canonical; a place we cannot find is said plainly and left out.
        args: dict[str, Any] = params.query_args(page=1)
        try:
            place = geocoder().geocode(where)
        except GeocodeError:
            place = None
        if place is not None and place.district_number in {d.number for d in districts}:
            args["district"] = str(place.district_number)
        else:
            flash(
                _(
                    "We could not find “%(where)s” in %(city)s. Try a postcode or a district.",
                    where=where[:100],
                    city=current_app.config["CITY_NAME"],
                ),
                "warning",
            )
        return redirect(url_for("opportunities.index", **args))
    result = search.search(db, params, user=user, now=now())
    if result.page != params.page and params.page > 1:
        query: dict[str, Any] = result.params.query_args()
        return redirect(url_for("opportunities.index", **query))
    locale = _locale()
    return render_template(
        "opportunities/index.html",
        result=result,
        p=result.params,
        skills=_skill_options(locale),
        causes=[(c.slug, c.label(locale)) for c in load_causes()],
        districts=[(d.number, d.name) for d in districts],
        radii=search.RADII,
        has_profile=user is not None and profiles.is_complete(db, user),
    )


@cache
def _skill_options(locale: str) -> tuple[tuple[str, str], ...]:
    """The skills by label in the reader's language (the reference list is read once)."""
    return tuple(sorted(((s.slug, s.label(locale)) for s in load_skills()), key=lambda x: x[1]))


@bp.get("/vereine/<int:org_id>")
def organisation(org_id: int) -> Any:
    """An organisation's public page: logo, description, district, causes, open needs and the
    contact it allows (``services.discovery.organisations``)."""
    db = get_session()
    moment = now()
    viewer = acting_user() if current_user.is_authenticated else None
    found = public_organisation(db, org_id, viewer=viewer, now=moment)
    if found is None:
        abort(404)
    hits = cards.card_hits(db, found.need_ids, now=moment)
    hits.sort(key=lambda h: (h.next_start is None, h.next_start or moment))
    return render_template(
        "opportunities/organisation.html",
        found=found,
        org=found.organisation,
        hits=hits,
        has_logo=found.organisation.logo_type is not None,
        kind_label=next((v for k, v in KIND_LABELS.items() if k == found.organisation.kind), ""),
    )


@bp.get("/stadtteile")
def districts() -> Any:
    """Listed needs per district: a choropleth drawn from the district polygons, each district a
    link to the search, and the same figures as a table beside it. Both are rendered once per
    language and set of counts (sixty formatted numbers and links, thirty plural phrases)."""
    counts = sorted(search.district_counts(get_session(), now=now()), key=lambda dn: dn[0].name)
    key = tuple((d.number, d.name, n) for d, n in counts)
    return render_template(
        "opportunities/districts.html",
        figures=fragment(("districts", key), lambda: _district_figures(counts)),
    )


def _district_figures(counts: list[tuple[search.Place, int]]) -> Markup:
    values = {d.number: float(n) for d, n in counts}
    maximum = max(values.values(), default=0.0)
    svg = choropleth(
        values,
        title=_("Map of the districts: listed needs per district"),
        label=lambda name, v: ngettext(
            "%(name)s: %(num)d opportunity", "%(name)s: %(num)d opportunities", int(v), name=name
        ),
        show=lambda v: format_number(int(v)),
        link=lambda number: url_for("opportunities.index", district=number),
    )
    html: Markup = get_template_attribute("macros/districts.html", "district_figures")(
        counts,
        svg,
        [(0, 0, 0), *[(i, math.floor(lo) + 1, math.floor(hi)) for i, lo, hi in bands(maximum)]],
        lambda n: step_of(float(n), maximum),
    )
    return html


def published_or_404(opportunity_id: int) -> tuple[Opportunity, Organisation]:
    row = listed_opportunity(get_session(), opportunity_id)
    if row is None:
        abort(404)
    return row


# A need's skills (with "required") and causes, labels in both languages: one statement, built
# once, instead of two built per visit.
_NEED: BindParameter[int] = bindparam("need")
_TAGS = union_all(
    sa_select(
        literal("skill"),
        col(Skill.slug),
        col(Skill.label_de),
        col(Skill.label_en),
        col(OpportunitySkill.required),
    )
    .join(OpportunitySkill, col(OpportunitySkill.skill_id) == col(Skill.id))
    .where(col(OpportunitySkill.opportunity_id) == _NEED),
    sa_select(
        literal("cause"),
        col(Cause.slug),
        col(Cause.label_de),
        col(Cause.label_en),
        literal(False),
    )
    .join(OpportunityCause, col(OpportunityCause.cause_id) == col(Cause.id))
    .where(col(OpportunityCause.opportunity_id) == _NEED),
)


def _detail_context(opp: Opportunity, org: Organisation) -> dict[str, Any]:
    db = get_session()
    moment = now()
    dates = cards.need_dates(db, opp.id or 0, now=moment)
    shifts = [shift for shift, _free in dates]
    places = {shift.id: free for shift, free in dates}
    english = _locale().startswith("en")
    skill_rows, causes = [], []
    for kind, slug, label_de, label_en, required in db.execute(_TAGS, {"need": opp.id}).all():
        label = label_en if english else label_de
        if kind == "skill":
            skill_rows.append((label, required))
        else:
            causes.append((slug, label))
    user = acting_user() if current_user.is_authenticated else None
    mine: dict[int, Signup] = {}
    explanation = None
    clash_ids: dict[int, list[Shift]] = {}
    if user is not None:
        ids = [s.id for s in shifts]
        if ids:
            mine = {
                s.shift_id: s
                for s in db.exec(
                    select(Signup).where(Signup.user_id == user.id, col(Signup.shift_id).in_(ids))
                ).all()
            }
        explanation = engine.explain_for(db, user, opp, now=moment)
    km = next(
        (
            float(r["km"])
            for r in (explanation.reasons if explanation else [])
            if r["code"] == "distance"
        ),
        None,
    )
    next_start, places_left = cards.need_head(db, opp.id or 0, dates, now=moment)
    district = next((d for d in search.districts(db) if d.number == opp.district_number), None)
    return {
        # The head of the page: the next date and the places left, as the need's card shows them.
        "next_start": next_start,
        "places_left": places_left,
        "km": km,
        "has_logo": org.logo_type is not None,
        "cause_pairs": causes,
        "shift_months": by_month(shifts),
        "opp": opp,
        "org": org,
        "shifts": shifts,
        # The shifts' cards show their own results; base.html shows any other at the top.
        "flash_anchors": [f"{RESULT_ANCHOR}-{s.id}" for s in shifts],
        "places": places,
        "required_skills": [label for label, req in skill_rows if req],
        "optional_skills": [label for label, req in skill_rows if not req],
        "causes": [label for _slug, label in causes],
        "district_name": district.name if district else None,
        "mine": mine,
        "series": _series_boxes(shifts, mine, moment),
        "explanation": explanation,
        "reason_text": reason_text,
        # Only a logged-in reader sees the forms: building one makes a CSRF token, which would
        # keep a visitor's page out of the shared cache (web/anonymous_pages.py).
        "signup_form": SignupForm() if user is not None else None,
        "withdraw_form": WithdrawForm() if user is not None else None,
        "button_form": ButtonForm() if user is not None else None,
        "clash_ids": clash_ids,
        "now": moment,
        "has_profile": user is not None and profiles.is_complete(db, user),
        "SignupState": SignupState,
    }


def _series_boxes(
    shifts: Sequence[Shift], mine: dict[int, Signup], moment: Any
) -> list[dict[str, Any]]:
    """One box per weekly series among the shown dates: how many dates are ahead and how many
    of them the reader has joined (for "join all" / "leave the series")."""
    active = (SignupState.APPLIED, SignupState.ACCEPTED, SignupState.WAITLISTED)
    boxes: dict[str, dict[str, Any]] = {}
    for shift in shifts:
        if not shift.series_id or shift.cancelled_at or shift.starts_at <= moment:
            continue
        box = boxes.setdefault(
            shift.series_id, {"id": shift.series_id, "first": shift, "count": 0, "joined": 0}
        )
        box["count"] += 1
        signup = mine.get(shift.id or 0)
        if signup is not None and signup.state in active:
            box["joined"] += 1
    return [b for b in boxes.values() if b["count"] > 1]


def by_month(shifts: Sequence[Shift]) -> list[tuple[str, list[Shift]]]:
    """Shifts grouped under "Dezember 2026" headings (Berlin calendar, reader's language): each
    heading formatted once, not once per date."""
    groups: list[tuple[tuple[int, int], list[Shift]]] = []
    for shift in shifts:
        day = shift.starts_at.astimezone(BERLIN)
        month = (day.year, day.month)
        if not groups or groups[-1][0] != month:
            groups.append((month, []))
        groups[-1][1].append(shift)
    return [(format_date(dated[0].starts_at, "LLLL yyyy"), dated) for _month, dated in groups]


@bp.get("/<int:opportunity_id>")
def detail(opportunity_id: int) -> Any:
    opp, org = published_or_404(opportunity_id)
    context = _detail_context(opp, org)
    if current_user.is_authenticated and acting_user().role == Role.VOLUNTEER:
        # Counted per day, district, skill and cause only: never who opened which need.
        commit_work(
            lambda: match_aggregates.count_shown(
                get_session(), [opportunity_id], what="opened", now=context["now"]
            )
        )
    return render_template("opportunities/detail.html", **context)


def _shift_or_404(shift_id: int) -> tuple[Shift, Opportunity, Organisation]:
    shift = get_session().get(Shift, shift_id)
    if shift is None:
        abort(404)
    opp, org = published_or_404(shift.opportunity_id)
    return shift, opp, org


@bp.post("/schichten/<int:shift_id>/anmelden")
@login_required
def sign_up(shift_id: int) -> Any:
    shift, opp, org = _shift_or_404(shift_id)
    form = SignupForm()
    db = get_session()
    user = acting_user()
    # The result is shown inside the shift's card and the page opens there (RESULT_ANCHOR),
    # not at the top of a page that has scrolled to the shift.
    anchor = f"{RESULT_ANCHOR}-{shift.id}"
    target = url_for("opportunities.detail", opportunity_id=opp.id, _anchor=anchor)
    if not form.validate_on_submit():
        flash(_("Please check your input."), flash_category("error", anchor))
        return redirect(target)
    clashing = signups.clashes(db, user, shift)
    if clashing and not form.confirm_clash.data:
        context = _detail_context(opp, org)
        context["clash_ids"] = {shift.id: clashing}
        context["signup_form"] = form
        return render_template("opportunities/detail.html", **context), 409
    commit_or_report(
        lambda: signups.sign_up(
            db,
            user,
            shift,
            now=now(),
            message=form.message.data or "",
            join_waitlist=bool(form.join_waitlist.data),
        ),
        report=partial(flash_error, at=anchor),
        success=lambda signup: (
            _(
                "You are on the waiting list, place %(place)s. We will tell you when a place "
                "frees up.",
                place=signups.waitlist_place(db, signup),
            )
            if signup.state == SignupState.WAITLISTED
            else _("You are signed up! The organisation will confirm your place.")
        ),
        at=anchor,
    )
    return redirect(target)


@bp.post("/anmeldungen/<int:signup_id>/abmelden")
@login_required
def withdraw(signup_id: int) -> Any:
    db = get_session()
    user = acting_user()
    signup = db.get(Signup, signup_id)
    if signup is None or signup.user_id != user.id:
        abort(404)
    shift = db.get(Shift, signup.shift_id)
    form = WithdrawForm()
    target = (
        url_for("opportunities.detail", opportunity_id=shift.opportunity_id)
        if shift
        else url_for("volunteers.engagements")
    )
    if request.form.get("next") == "engagements":
        target = url_for("volunteers.engagements")
    if not form.validate_on_submit():
        flash(_("Please check your input."), "error")
        return redirect(target)
    if not is_confirmed():
        opp = db.get(Opportunity, shift.opportunity_id) if shift else None
        return confirmation_page(
            title=_("Withdraw from this shift?"),
            question=_(
                "Do you really want to withdraw from “%(title)s” on %(when)s? The organisation is "
                "told and your place may go to someone else.",
                title=opp.title if opp else "",
                when=format_moment(shift.starts_at, "medium") if shift else "",
            ),
            action=url_for("opportunities.withdraw", signup_id=signup.id),
            confirm_label=_("Yes, withdraw"),
            back_url=target,
            hidden=[("next", request.form.get("next"))],
            reason=ReasonField(
                label=_("Reason for the organisation (optional)"),
                required=False,
                value=form.reason.data or "",
                max_length=2000,
            ),
        )
    commit_or_report(
        lambda: signups.withdraw(db, signup, by=user, now=now(), reason=form.reason.data or ""),
        report=flash_error,
        success=_("You have withdrawn from this shift. The organisation has been told."),
    )
    return redirect(target)


@bp.get("/schichten/<int:shift_id>.ics")
def shift_ics(shift_id: int) -> Any:
    shift, opp, _org = _shift_or_404(shift_id)
    body = calendar.shift_ics(
        get_session(),
        shift,
        base_url=current_app.config["BASE_URL"],
        url=public_url("opportunities.detail", opportunity_id=opp.id),
        now=now(),
        words=event_words,
    )
    return attachment(body, f"mitwirken-{shift.id}.ics", "text/calendar")
