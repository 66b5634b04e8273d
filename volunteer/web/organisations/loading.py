"""What the association views share: loading an object within the organisation, form choices.

Everything under ``/vereine/<org_id>/`` answers 404 to anyone who is not a member of that
organisation (``organisation_for``), and every object id in a URL is looked up *within* that
organisation, so another organisation's need, shift, sign-up or hour entry looks like none.
"""

from datetime import datetime
from typing import Any, Protocol, TypeVar

from flask import abort, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlmodel import Session, col, select
from werkzeug.wrappers import Response

from volunteer.catalogue.reference import load_languages
from volunteer.models import (
    Cause,
    HourEntry,
    Opportunity,
    OpportunityStatus,
    Organisation,
    Shift,
    Signup,
    Skill,
    SkillCategory,
    User,
)
from volunteer.platform.clock import now
from volunteer.platform.db import get_session
from volunteer.services.engagement import applications
from volunteer.services.errors import ServiceError
from volunteer.services.organisations import opportunities
from volunteer.services.organisations import organisation as organisations
from volunteer.services.organisations import shifts as shift_service
from volunteer.services.permissions import is_admin, membership_of, organisation_for
from volunteer.web.helpers import act_and_return, acting_user, reader_locale, row_or_404
from volunteer.web.organisations.forms import (
    KIND_LABELS,
    OpportunityForm,
    OrganisationForm,
    ShiftForm,
)

STATUS_LABELS = {
    OpportunityStatus.DRAFT: ("tag", _l("Draft")),
    OpportunityStatus.PUBLISHED: ("tag tag-ok", _l("Published")),
    OpportunityStatus.PAUSED: ("tag tag-warn", _l("Paused")),
    OpportunityStatus.CLOSED: ("tag", _l("Closed")),
}


class OfOrganisation(Protocol):
    """A row that belongs to one organisation (a need, an hour entry, a membership)."""

    organisation_id: int


OwnedT = TypeVar("OwnedT", bound=OfOrganisation)
TargetT = TypeVar("TargetT", contravariant=True)


class OrgAction(Protocol[TargetT]):
    """A service acting on one object of an organisation (a member, a sign-up), as the buttons
    of its pages call it: ``members.remove_member``, ``applications.record_attendance``, ..."""

    def __call__(
        self, session: Session, org: Organisation, target: TargetT, /, *, by: User, now: datetime
    ) -> object: ...


# --- load and authorise: one helper per object kind --------------------------------------------
# Each looks the id up *within* the organisation the member may see, so another organisation's
# object answers 404 like a missing one, and returns the organisation with it: a view opens with
# one line, ``org, need = need_or_404(org_id, need_id)``.
def organisation_or_404(org_id: int, *, admin: bool = False) -> Organisation:
    return organisation_for(get_session(), acting_user(), org_id, admin=admin)


def owned_or_404(org: Organisation, model: type[OwnedT], row_id: int) -> OwnedT:
    row = row_or_404(model, row_id)
    if row.organisation_id != org.id:
        abort(404)
    return row


def need_or_404(org_id: int, need_id: int) -> tuple[Organisation, Opportunity]:
    org = organisation_or_404(org_id)
    return org, owned_or_404(org, Opportunity, need_id)


def shift_or_404(org_id: int, shift_id: int) -> tuple[Organisation, Shift, Opportunity]:
    org = organisation_or_404(org_id)
    try:
        return org, *applications.shift_of(get_session(), org, shift_id)
    except ServiceError:
        abort(404)


def signup_or_404(org_id: int, signup_id: int) -> tuple[Organisation, Signup, Shift]:
    org = organisation_or_404(org_id)
    try:
        signup, shift, _need = applications.signup_of(get_session(), org, signup_id)
    except ServiceError:
        abort(404)
    return org, signup, shift


def hour_entry_or_404(org_id: int, entry_id: int) -> tuple[Organisation, HourEntry]:
    org = organisation_or_404(org_id)
    return org, owned_or_404(org, HourEntry, entry_id)


def cause_choices(db: Session) -> list[tuple[int, str]]:
    en = reader_locale().startswith("en")
    rows = db.exec(select(Cause).order_by(col(Cause.id))).all()
    return [(c.id or 0, c.label_en if en else c.label_de) for c in rows]


def skill_groups(db: Session) -> list[tuple[str, list[tuple[int, str]]]]:
    """Skills grouped by category, labelled in the reader's language (for fieldsets)."""
    en = reader_locale().startswith("en")
    categories = db.exec(select(SkillCategory)).all()
    groups: dict[str, list[tuple[int, str]]] = {c.slug: [] for c in categories}
    for skill in db.exec(select(Skill).order_by(col(Skill.id))).all():
        groups.setdefault(skill.category_slug, []).append(
            (skill.id or 0, skill.label_en if en else skill.label_de)
        )
    names = {c.slug: (c.label_en if en else c.label_de) for c in categories}
    return [(names.get(slug, slug), items) for slug, items in groups.items() if items]


def language_choices() -> list[tuple[str, str]]:
    return [(lang.code, lang.label(reader_locale())) for lang in load_languages()]


def organisation_input(form: OrganisationForm) -> organisations.OrganisationInput:
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


def opportunity_input(form: OpportunityForm) -> opportunities.OpportunityInput:
    return opportunities.OpportunityInput(
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


def shift_input(form: ShiftForm) -> shift_service.ShiftInput:
    assert form.day.data and form.start_time.data and form.end_time.data
    return shift_service.ShiftInput(
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


def page_context(org: Organisation, **extra: Any) -> dict[str, Any]:
    """What every page under an organisation needs: the organisation and the member's role."""
    db = get_session()
    member = membership_of(db, acting_user(), org.id or 0)
    return {
        "org": org,
        "is_admin": is_admin(member),
        "status_labels": STATUS_LABELS,
        "kind_labels": KIND_LABELS,
        **extra,
    }


def org_page(template: str, org: Organisation, **extra: Any) -> str:
    """A page under an organisation: ``template`` with what every such page needs
    (:func:`page_context`)."""
    return render_template(template, **page_context(org, **extra))


def act_on(
    org: Organisation,
    target: TargetT,
    action: OrgAction[TargetT],
    *,
    success: str,
    back: str,
    form: FlaskForm | None = None,
) -> Response:
    """A button on an organisation's page acting on one of its objects (looked up within the
    organisation by the caller): the service decides, and ``back`` shows the outcome."""
    return act_and_return(
        lambda: action(get_session(), org, target, by=acting_user(), now=now()),
        success=success,
        back=back,
        form=form,
    )
