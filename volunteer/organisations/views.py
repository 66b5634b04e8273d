"""Views of the association journey. Each one: check membership, parse, call one service, commit.

Everything under ``/vereine/<org_id>/`` answers 404 to anyone who is not a member of that
organisation (``organisation_for``), and every object id in a URL is looked up *within* that
organisation, so another organisation's need, shift, sign-up or hour entry looks like none.
"""

from functools import partial
from typing import Any

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlmodel import Session, col, select
from werkzeug.exceptions import RequestEntityTooLarge

from volunteer.clock import now
from volunteer.db import get_session
from volunteer.geocoding import Geocoder, make_geocoder
from volunteer.models import (
    Cause,
    District,
    HourEntry,
    HourState,
    MemberRole,
    Membership,
    Opportunity,
    OpportunityStatus,
    Organisation,
    Signup,
    Skill,
    SkillCategory,
    User,
)
from volunteer.organisations import bp
from volunteer.organisations.forms import (
    KIND_LABELS,
    ROLE_LABELS,
    BulkHoursForm,
    ConfirmForm,
    DecisionForm,
    ExportForm,
    InviteForm,
    LogoForm,
    MessageForm,
    NeedForm,
    OrganisationForm,
    RejectForm,
    RoleForm,
    ShiftForm,
)
from volunteer.organisations.messages import apply_error, message_for
from volunteer.permissions import membership_of, organisation_for, organisations_of
from volunteer.reasons import candidate_reason
from volunteer.reference import load_languages
from volunteer.services import applications, engine, exports, hours, needs, organisations
from volunteer.services.errors import ServiceError
from volunteer.services.recurrence import BERLIN
from volunteer.web import acting_user, commit_or_report

STATUS_LABELS = {
    OpportunityStatus.DRAFT: ("tag", _l("Draft")),
    OpportunityStatus.PUBLISHED: ("tag tag-ok", _l("Published")),
    OpportunityStatus.PAUSED: ("tag tag-warn", _l("Paused")),
    OpportunityStatus.CLOSED: ("tag", _l("Closed")),
}


# --- helpers -------------------------------------------------------------------------------------
def _locale() -> str:
    return str(get_locale() or "de")


def _geocoder() -> Geocoder:
    """One geocoder per app, built from the configuration (offline gazetteer by default)."""
    ext = current_app.extensions
    if "geocoder" not in ext:
        ext["geocoder"] = make_geocoder(current_app.config)
    geocoder: Geocoder = ext["geocoder"]
    return geocoder


def _org(org_id: int, *, admin: bool = False) -> Organisation:
    return organisation_for(get_session(), acting_user(), org_id, admin=admin)


def _need(db: Session, org: Organisation, need_id: int) -> Opportunity:
    need = db.get(Opportunity, need_id)
    if need is None or need.organisation_id != org.id:
        abort(404)
    return need


def _found(call: Any, *args: Any) -> Any:
    """Run a service lookup that raises ``not_found`` for other organisations' objects."""
    try:
        return call(*args)
    except ServiceError:
        abort(404)


def _status(code: str | None) -> int:
    return 422 if code else 200


def _cause_choices(db: Session) -> list[tuple[int, str]]:
    en = _locale().startswith("en")
    rows = db.exec(select(Cause).order_by(col(Cause.id))).all()
    return [(c.id or 0, c.label_en if en else c.label_de) for c in rows]


def _skill_groups(db: Session) -> list[tuple[str, list[tuple[int, str]]]]:
    """Skills grouped by category, labelled in the reader's language (for fieldsets)."""
    en = _locale().startswith("en")
    categories = db.exec(select(SkillCategory)).all()
    groups: dict[str, list[tuple[int, str]]] = {c.slug: [] for c in categories}
    for skill in db.exec(select(Skill).order_by(col(Skill.id))).all():
        groups.setdefault(skill.category_slug, []).append(
            (skill.id or 0, skill.label_en if en else skill.label_de)
        )
    names = {c.slug: (c.label_en if en else c.label_de) for c in categories}
    return [(names.get(slug, slug), items) for slug, items in groups.items() if items]


def _language_choices() -> list[tuple[str, str]]:
    return [(lang.code, lang.label(_locale())) for lang in load_languages()]


def _org_input(form: OrganisationForm) -> organisations.OrganisationInput:
    return organisations.OrganisationInput(
        name=form.name.data or "",
        kind=form.kind.data or "",
        address=form.address.data or "",
        register_number=form.register_number.data or "",
        contact_email=form.contact_email.data or "",
        phone=form.phone.data or "",
        website=form.website.data or "",
        description=form.description.data or "",
        cause_ids=list(form.causes.data or []),
    )


def _need_input(form: NeedForm) -> needs.NeedInput:
    return needs.NeedInput(
        title=form.title.data or "",
        description=form.description.data or "",
        cause_ids=list(form.causes.data or []),
        required_skill_ids=list(form.required_skills.data or []),
        optional_skill_ids=list(form.optional_skills.data or []),
        is_remote=bool(form.is_remote.data),
        address=form.address.data or "",
        minors_ok=bool(form.minors_ok.data),
        needs_conduct_certificate=bool(form.needs_conduct_certificate.data),
        languages=list(form.languages.data or []),
        step_free=bool(form.step_free.data),
        regular=bool(form.regular.data),
    )


def _shift_input(form: ShiftForm) -> needs.ShiftInput:
    assert form.day.data and form.start_time.data and form.end_time.data
    return needs.ShiftInput(
        day=form.day.data,
        start=form.start_time.data,
        end=form.end_time.data,
        capacity=int(form.capacity.data or 0),
        place=form.place.data or "",
        repeat=form.repeat.data or "once",
        repeat_until=form.repeat_until.data,
        weekdays=list(form.weekdays.data or []),
        every_weeks=int(form.every_weeks.data or 1),
    )


def _context(org: Organisation, **extra: Any) -> dict[str, Any]:
    """What every page under an organisation needs: the organisation and the member's role."""
    db = get_session()
    member = membership_of(db, acting_user(), org.id or 0)
    return {
        "org": org,
        "is_admin": bool(member and member.role == MemberRole.ADMIN),
        "status_labels": STATUS_LABELS,
        "kind_labels": KIND_LABELS,
        **extra,
    }


def _flash_error(error: ServiceError) -> None:
    flash(message_for(error), "error")


# --- landing, registration, invitations ----------------------------------------------------------
@bp.get("/")
def index() -> Any:
    """For associations: my organisations, or why and how to register one."""
    mine = organisations_of(get_session(), acting_user()) if current_user.is_authenticated else []
    return render_template("organisations/index.html", mine=mine)


@bp.route("/registrieren", methods=["GET", "POST"])
@login_required
def register() -> Any:
    db = get_session()
    form = OrganisationForm()
    form.causes.options = _cause_choices(db)
    if request.method == "GET":
        form.contact_email.data = current_user.email
    if form.validate_on_submit():
        done = commit_or_report(
            lambda: organisations.register(
                db, _org_input(form), by=acting_user(), now=now(), geocoder=_geocoder()
            ),
            report=partial(apply_error, form),
            success=_(
                "Your organisation is registered. A city coordinator will verify it soon; "
                "until then you can prepare needs, which become public once verified."
            ),
        )
        if done:
            return redirect(url_for("organisations.dashboard", org_id=done.value.id))
    return render_template("organisations/register.html", form=form), _status(
        "x" if form.errors else None
    )


@bp.route("/einladung/<token>", methods=["GET", "POST"])
@login_required
def accept_invite(token: str) -> Any:
    form = ConfirmForm()
    if form.validate_on_submit():
        db = get_session()
        done = commit_or_report(
            lambda: organisations.accept_invite(db, token, user=acting_user(), now=now()),
            report=_flash_error,
            success=lambda org: _("Welcome to %(name)s!", name=org.name),
        )
        if not done:
            return render_template("organisations/accept_invite.html", form=form, token=token), 400
        return redirect(url_for("organisations.dashboard", org_id=done.value.id))
    return render_template("organisations/accept_invite.html", form=form, token=token)


# --- dashboard, profile, logo --------------------------------------------------------------------
@bp.get("/<int:org_id>/")
@login_required
def dashboard(org_id: int) -> Any:
    org = _org(org_id)
    data = applications.dashboard(get_session(), org, now=now())
    return render_template("organisations/dashboard.html", **_context(org, data=data))


@bp.route("/<int:org_id>/profil", methods=["GET", "POST"])
@login_required
def profile(org_id: int) -> Any:
    org = _org(org_id, admin=True)
    db = get_session()
    form = OrganisationForm(obj=org if request.method == "GET" else None)
    form.causes.options = _cause_choices(db)
    if request.method == "GET":
        form.causes.data = organisations.cause_ids(db, org)
        form.register_number.data = org.register_number or ""
    if form.validate_on_submit():
        done = commit_or_report(
            lambda: organisations.update(
                db, org, _org_input(form), by=acting_user(), now=now(), geocoder=_geocoder()
            ),
            report=partial(apply_error, form),
            success=_("The profile is saved."),
        )
        if done:
            return redirect(url_for("organisations.profile", org_id=org.id))
    status = 422 if form.errors else 200
    return render_template(
        "organisations/profile.html", **_context(org, form=form, logo_form=LogoForm())
    ), status


@bp.post("/<int:org_id>/logo")
@login_required
def upload_logo(org_id: int) -> Any:
    org = _org(org_id, admin=True)
    db = get_session()
    form = OrganisationForm(obj=org, formdata=None)
    form.causes.options = _cause_choices(db)
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
    return render_template(
        "organisations/profile.html", **_context(org, form=form, logo_form=logo_form)
    ), 422


@bp.post("/<int:org_id>/logo/entfernen")
@login_required
def remove_logo(org_id: int) -> Any:
    org = _org(org_id, admin=True)
    if ConfirmForm().validate_on_submit():
        db = get_session()
        organisations.remove_logo(db, org, by=acting_user(), now=now())
        db.commit()
        flash(_("The logo is removed."), "success")
    return redirect(url_for("organisations.profile", org_id=org.id))


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


# --- members -------------------------------------------------------------------------------------
@bp.route("/<int:org_id>/mitglieder", methods=["GET", "POST"])
@login_required
def members(org_id: int) -> Any:
    org = _org(org_id)
    db = get_session()
    form = InviteForm()
    ctx = _context(org)
    if request.method == "POST":
        if not ctx["is_admin"]:
            abort(404)
        if form.validate_on_submit():
            done = commit_or_report(
                lambda: organisations.invite(
                    db,
                    org,
                    email=form.email.data or "",
                    role=form.role.data or MemberRole.MEMBER,
                    by=acting_user(),
                    now=now(),
                    base_url=current_app.config["BASE_URL"],
                ),
                report=partial(apply_error, form),
                success=_("We have sent an invitation to %(email)s.", email=form.email.data),
            )
            if done:
                return redirect(url_for("organisations.members", org_id=org.id))
    rows = organisations.members(db, org)
    return render_template(
        "organisations/members.html",
        **ctx,
        form=form,
        rows=rows,
        role_labels=ROLE_LABELS,
        role_form=RoleForm(),
        confirm=ConfirmForm(),
        me=acting_user(),
    ), (422 if form.errors else 200)


def _member(db: Session, org: Organisation, member_id: int) -> Membership:
    member = db.get(Membership, member_id)
    if member is None or member.organisation_id != org.id:
        abort(404)
    return member


@bp.post("/<int:org_id>/mitglieder/<int:member_id>/rolle")
@login_required
def set_role(org_id: int, member_id: int) -> Any:
    org = _org(org_id, admin=True)
    db = get_session()
    member = _member(db, org, member_id)
    form = RoleForm()
    if form.validate_on_submit():
        commit_or_report(
            lambda: organisations.set_role(
                db, org, member, form.role.data or "", by=acting_user(), now=now()
            ),
            report=_flash_error,
            success=_("The role is changed."),
        )
    return redirect(url_for("organisations.members", org_id=org.id))


@bp.post("/<int:org_id>/mitglieder/<int:member_id>/entfernen")
@login_required
def remove_member(org_id: int, member_id: int) -> Any:
    org = _org(org_id, admin=True)
    db = get_session()
    member = _member(db, org, member_id)
    if ConfirmForm().validate_on_submit():
        commit_or_report(
            lambda: organisations.remove_member(db, org, member, by=acting_user(), now=now()),
            report=_flash_error,
            success=_("The member is removed."),
        )
    return redirect(url_for("organisations.members", org_id=org.id))


@bp.post("/<int:org_id>/mitglieder/<int:member_id>/admin-uebergeben")
@login_required
def transfer_admin(org_id: int, member_id: int) -> Any:
    org = _org(org_id, admin=True)
    db = get_session()
    member = _member(db, org, member_id)
    if ConfirmForm().validate_on_submit():
        commit_or_report(
            lambda: organisations.transfer_admin(db, org, member, by=acting_user(), now=now()),
            report=_flash_error,
            success=_("You have handed over the admin role."),
        )
    return redirect(url_for("organisations.members", org_id=org.id))


@bp.post("/<int:org_id>/verlassen")
@login_required
def leave(org_id: int) -> Any:
    org = _org(org_id)
    db = get_session()
    if ConfirmForm().validate_on_submit():
        done = commit_or_report(
            lambda: organisations.leave(db, org, by=acting_user(), now=now()),
            report=_flash_error,
            success=_("You have left %(name)s.", name=org.name),
        )
        if done:
            return redirect(url_for("organisations.index"))
    return redirect(url_for("organisations.members", org_id=org.id))


# --- needs ---------------------------------------------------------------------------------------
@bp.get("/<int:org_id>/einsaetze")
@login_required
def needs_list(org_id: int) -> Any:
    org = _org(org_id)
    db = get_session()
    rows = needs.needs_of(db, org)
    return render_template("organisations/needs_list.html", **_context(org, rows=rows))


def _need_form(db: Session, need: Opportunity | None = None) -> NeedForm:
    form = NeedForm(obj=need if request.method == "GET" else None)
    form.causes.options = _cause_choices(db)
    groups = _skill_groups(db)
    all_skills = [item for _, items in groups for item in items]
    form.required_skills.options = all_skills
    form.optional_skills.options = all_skills
    form.languages.options = _language_choices()
    if request.method == "GET" and need is not None:
        form.causes.data = needs.cause_ids(db, need)
        form.required_skills.data, form.optional_skills.data = needs.skill_ids(db, need)
        form.languages.data = list(need.languages)
    return form


@bp.route("/<int:org_id>/einsaetze/neu", methods=["GET", "POST"])
@login_required
def need_new(org_id: int) -> Any:
    org = _org(org_id)
    db = get_session()
    form = _need_form(db)
    if form.validate_on_submit():
        done = commit_or_report(
            lambda: needs.create(
                db, org, _need_input(form), by=acting_user(), now=now(), geocoder=_geocoder()
            ),
            report=partial(apply_error, form),
            success=_("The need is saved as a draft. Now add its dates."),
        )
        if done:
            return redirect(
                url_for("organisations.shift_new", org_id=org.id, need_id=done.value.id)
            )
    return render_template(
        "organisations/need_form.html",
        **_context(org, form=form, need=None, groups=_skill_groups(db)),
    ), (422 if form.errors else 200)


@bp.route("/<int:org_id>/einsaetze/<int:need_id>/bearbeiten", methods=["GET", "POST"])
@login_required
def need_edit(org_id: int, need_id: int) -> Any:
    org = _org(org_id)
    db = get_session()
    need = _need(db, org, need_id)
    form = _need_form(db, need)
    if form.validate_on_submit():
        done = commit_or_report(
            lambda: needs.update(
                db, need, _need_input(form), by=acting_user(), now=now(), geocoder=_geocoder()
            ),
            report=partial(apply_error, form),
            success=_("The need is saved."),
        )
        if done:
            return redirect(url_for("organisations.need", org_id=org.id, need_id=need.id))
    return render_template(
        "organisations/need_form.html",
        **_context(org, form=form, need=need, groups=_skill_groups(db)),
    ), (422 if form.errors else 200)


@bp.get("/<int:org_id>/einsaetze/<int:need_id>")
@login_required
def need(org_id: int, need_id: int) -> Any:
    org = _org(org_id)
    db = get_session()
    need = _need(db, org, need_id)
    moment = now()
    upcoming = needs.shift_rows(db, needs.shifts_of(db, need, now=moment))
    past = needs.shift_rows(db, needs.shifts_of(db, need, now=moment, past=True)[:20])
    required, optional = needs.skill_ids(db, need)
    skills = {s.id: s for s in db.exec(select(Skill).where(col(Skill.id).in_(required + optional)))}
    causes = {
        c.id: c for c in db.exec(select(Cause).where(col(Cause.id).in_(needs.cause_ids(db, need))))
    }
    return render_template(
        "organisations/need.html",
        **_context(
            org,
            need=need,
            upcoming=upcoming,
            past=past,
            required=[skills[i] for i in required if i in skills],
            optional=[skills[i] for i in optional if i in skills],
            causes=list(causes.values()),
            transitions=needs.STATUS_TRANSITIONS.get(need.status, frozenset()),
            confirm=ConfirmForm(),
            languages=dict(_language_choices()),
            now=moment,
        ),
    )


@bp.post("/<int:org_id>/einsaetze/<int:need_id>/status")
@login_required
def need_status(org_id: int, need_id: int) -> Any:
    org = _org(org_id)
    db = get_session()
    need = _need(db, org, need_id)
    status = request.form.get("status", "")
    if ConfirmForm().validate_on_submit():
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
        commit_or_report(
            lambda: needs.set_status(db, need, status, by=acting_user(), now=now()),
            report=_flash_error,
            # Only after the service accepted it is ``status`` known to be a valid one.
            success=lambda _need: messages.get(OpportunityStatus(status), _("Saved.")),
        )
    return redirect(url_for("organisations.need", org_id=org.id, need_id=need.id))


@bp.post("/<int:org_id>/einsaetze/<int:need_id>/duplizieren")
@login_required
def need_duplicate(org_id: int, need_id: int) -> Any:
    org = _org(org_id)
    db = get_session()
    need = _need(db, org, need_id)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("organisations.need", org_id=org.id, need_id=need.id))
    copy = needs.duplicate(db, need, by=acting_user(), now=now())
    db.commit()
    flash(_("This is a draft copy. Check it and add dates."), "success")
    return redirect(url_for("organisations.need_edit", org_id=org.id, need_id=copy.id))


# --- shifts --------------------------------------------------------------------------------------
@bp.route("/<int:org_id>/einsaetze/<int:need_id>/termine/neu", methods=["GET", "POST"])
@login_required
def shift_new(org_id: int, need_id: int) -> Any:
    org = _org(org_id)
    db = get_session()
    need = _need(db, org, need_id)
    form = ShiftForm()
    if form.validate_on_submit():
        done = commit_or_report(
            lambda: needs.add_shifts(db, need, _shift_input(form), by=acting_user(), now=now()),
            report=partial(apply_error, form),
            success=lambda created: _("%(n)s date(s) added.", n=len(created)),
        )
        if done:
            return redirect(url_for("organisations.need", org_id=org.id, need_id=need.id))
    return render_template(
        "organisations/shift_form.html", **_context(org, form=form, need=need, shift=None)
    ), (422 if form.errors else 200)


@bp.route("/<int:org_id>/termine/<int:shift_id>/bearbeiten", methods=["GET", "POST"])
@login_required
def shift_edit(org_id: int, shift_id: int) -> Any:
    org = _org(org_id)
    db = get_session()
    shift, need = _found(applications.shift_of, db, org, shift_id)
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
            lambda: needs.edit_shift(db, shift, _shift_input(form), by=acting_user(), now=now()),
            report=partial(apply_error, form),
            success=lambda notified: (
                _("Saved. We let %(n)s people know about the change.", n=notified)
                if notified
                else _("The shift is saved.")
            ),
        )
        if done:
            return redirect(url_for("organisations.need", org_id=org.id, need_id=need.id))
    affected = len(needs.affected_signups(db, shift))
    return render_template(
        "organisations/shift_form.html",
        **_context(
            org, form=form, need=need, shift=shift, affected=affected, confirm=ConfirmForm()
        ),
    ), (422 if form.errors else 200)


@bp.post("/<int:org_id>/termine/<int:shift_id>/absagen")
@login_required
def shift_cancel(org_id: int, shift_id: int) -> Any:
    org = _org(org_id)
    db = get_session()
    shift, need = _found(applications.shift_of, db, org, shift_id)
    if ConfirmForm().validate_on_submit():
        cancel = (
            needs.cancel_series_from if request.form.get("series") == "1" else needs.cancel_shift
        )
        commit_or_report(
            lambda: cancel(db, shift, by=acting_user(), now=now()),
            report=_flash_error,
            success=lambda notified: _("Cancelled. We let %(n)s people know.", n=notified),
        )
    return redirect(url_for("organisations.need", org_id=org.id, need_id=need.id))


@bp.route("/<int:org_id>/termine/<int:shift_id>", methods=["GET", "POST"])
@login_required
def shift(org_id: int, shift_id: int) -> Any:
    """The people of one shift: decide, wait-list, message, record attendance and hours."""
    org = _org(org_id)
    db = get_session()
    shift, need = _found(applications.shift_of, db, org, shift_id)
    message_form = MessageForm()
    if request.method == "POST" and message_form.validate_on_submit():
        done = commit_or_report(
            lambda: applications.message_shift(
                db, org, shift, message_form.message.data or "", by=acting_user(), now=now()
            ),
            report=partial(apply_error, message_form),
            success=lambda count: _("Your message goes to %(n)s people.", n=count),
        )
        if done:
            return redirect(url_for("organisations.shift", org_id=org.id, shift_id=shift.id))
    people = applications.people_of_shift(db, shift)
    (row,) = needs.shift_rows(db, [shift])
    checks = applications.conduct_checks(
        db, org, [p.user.id for p in people if p.user is not None and p.user.id is not None]
    )
    return render_template(
        "organisations/shift.html",
        **_context(
            org,
            shift=shift,
            need=need,
            row=row,
            people=people,
            checks=checks,
            message_form=message_form,
            decision_form=DecisionForm(),
            confirm=ConfirmForm(),
            started=shift.starts_at <= now(),
            today=now().astimezone(BERLIN).date(),
        ),
    ), (422 if message_form.errors else 200)


@bp.post("/<int:org_id>/anmeldungen/<int:signup_id>/entscheiden")
@login_required
def decide(org_id: int, signup_id: int) -> Any:
    org = _org(org_id)
    db = get_session()
    signup, shift, _need_row = _found(applications.signup_of, db, org, signup_id)
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
            report=_flash_error,
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


@bp.post("/<int:org_id>/anmeldungen/<int:signup_id>/anwesenheit")
@login_required
def attendance(org_id: int, signup_id: int) -> Any:
    org = _org(org_id)
    db = get_session()
    signup, shift, _need_row = _found(applications.signup_of, db, org, signup_id)
    if ConfirmForm().validate_on_submit():
        commit_or_report(
            lambda: applications.record_attendance(
                db, org, signup, request.form.get("action", ""), by=acting_user(), now=now()
            ),
            report=_flash_error,
            success=_("Attendance recorded."),
        )
    return redirect(url_for("organisations.shift", org_id=org.id, shift_id=shift.id))


@bp.post("/<int:org_id>/anmeldungen/<int:signup_id>/fuehrungszeugnis")
@login_required
def conduct_check(org_id: int, signup_id: int) -> Any:
    org = _org(org_id)
    db = get_session()
    signup, shift, _need_row = _found(applications.signup_of, db, org, signup_id)
    if ConfirmForm().validate_on_submit():
        commit_or_report(
            lambda: applications.record_conduct_check(
                db,
                org,
                signup,
                seen_on=now().astimezone(BERLIN).date(),
                by=acting_user(),
                now=now(),
            ),
            report=_flash_error,
            success=_("Recorded that you have seen the certificate of conduct today."),
        )
    return redirect(url_for("organisations.shift", org_id=org.id, shift_id=shift.id))


@bp.get("/<int:org_id>/bewerbungen")
@login_required
def applications_list(org_id: int) -> Any:
    org = _org(org_id)
    db = get_session()
    moment = now()
    return render_template(
        "organisations/applications.html",
        **_context(
            org,
            rows=applications.open_applications(db, org, now=moment),
            due=applications.attendance_due(db, org, now=moment),
            decision_form=DecisionForm(),
        ),
    )


# --- candidates ----------------------------------------------------------------------------------
def _not_found_or_flash(error: ServiceError) -> None:
    """A candidate who is not (or no longer) findable is a 404, as for any other foreign id."""
    if error.code == "not_found":
        abort(404)
    _flash_error(error)


@bp.get("/<int:org_id>/einsaetze/<int:need_id>/kandidaten")
@login_required
def candidates(org_id: int, need_id: int) -> Any:
    org = _org(org_id)
    db = get_session()
    need = _need(db, org, need_id)
    found = engine.candidates(db, need, now=now(), limit=20)
    districts = {d.number: d.name for d in db.exec(select(District)).all()}  # 30 rows
    return render_template(
        "organisations/candidates.html",
        **_context(
            org,
            need=need,
            found=found,
            districts=districts,
            reason_text=candidate_reason,
            invited=applications.invited_ids(db, need),
            confirm=ConfirmForm(),
            can_invite=need.status == OpportunityStatus.PUBLISHED and org.verified_at is not None,
        ),
    )


@bp.post("/<int:org_id>/einsaetze/<int:need_id>/kandidaten/<int:user_id>/einladen")
@login_required
def invite_candidate(org_id: int, need_id: int, user_id: int) -> Any:
    org = _org(org_id)
    db = get_session()
    need = _need(db, org, need_id)
    person = db.get(User, user_id)
    if person is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        commit_or_report(
            lambda: applications.invite_candidate(
                db, org, need, person, by=acting_user(), now=now()
            ),
            report=_not_found_or_flash,
            success=lambda fresh: (
                _("Invitation sent to %(name)s.", name=person.first_name)
                if fresh
                else _("%(name)s was already invited.", name=person.first_name)
            ),
        )
    return redirect(url_for("organisations.candidates", org_id=org.id, need_id=need.id))


# --- hours and export ----------------------------------------------------------------------------
@bp.route("/<int:org_id>/stunden", methods=["GET", "POST"])
@login_required
def hours_list(org_id: int) -> Any:
    org = _org(org_id)
    db = get_session()
    form = BulkHoursForm()
    failed = False
    if request.method == "POST" and form.validate_on_submit():
        action = request.form.get("action", "")
        to = {"confirm": HourState.CONFIRMED, "reject": HourState.REJECTED}.get(action)
        if to is None:
            apply_error(form, ServiceError("bad_choice", field="entries"))
            failed = True
        else:
            done = commit_or_report(
                lambda: hours.decide_many(
                    db, org, form.entries.data or [], to, by=acting_user(), now=now()
                ),
                report=partial(apply_error, form),
                success=lambda count: (
                    _("%(n)s entries confirmed.", n=count)
                    if to == HourState.CONFIRMED
                    else _("%(n)s entries rejected.", n=count)
                ),
            )
            if done:
                return redirect(url_for("organisations.hours_list", org_id=org.id))
            failed = True
    year = now().astimezone(BERLIN).year
    return render_template(
        "organisations/hours.html",
        **_context(
            org,
            form=form,
            pending=hours.pending(db, org),
            decided=hours.recent_decided(db, org),
            totals=hours.totals_per_volunteer(db, org, year=year),
            year=year,
            years=list(range(year, year - 3, -1)),
            confirm=ConfirmForm(),
            reject_form=RejectForm(),
        ),
    ), (422 if failed or form.errors else 200)


@bp.post("/<int:org_id>/stunden/<int:entry_id>/<any(confirm, reject):action>")
@login_required
def hour_decide(org_id: int, entry_id: int, action: str) -> Any:
    org = _org(org_id)
    db = get_session()
    entry = db.get(HourEntry, entry_id)
    if entry is None or entry.organisation_id != org.id:
        abort(404)
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
            report=_flash_error,
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
    org = _org(org_id)
    db = get_session()
    form = ExportForm(request.args)
    this_year = now().astimezone(BERLIN).year
    year = form.year.data if form.validate() and form.year.data else this_year
    totals = hours.totals_per_volunteer(db, org, year=year)
    body = exports.hours_csv(totals, year=year, locale=_locale()[:2])
    filename = f"stunden-{year}-verein-{org.id}.csv"
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
