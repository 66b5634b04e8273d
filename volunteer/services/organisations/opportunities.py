"""Opportunities, as an organisation posts and runs them (their shifts: ``organisations.shifts``).

An opportunity moves draft -> published <-> paused -> closed (closed is final; duplicate it to post
it again). Its shifts are one-off or generated from a weekly recurrence
(:mod:`volunteer.services.organisations.recurrence`); the generated shifts share a ``series_id``.
Editing or cancelling a shift that people signed up for writes a notice to each of them in the same
transaction. Every check runs before the first write, so a refused form never leaves half an
opportunity or half a series behind.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from volunteer.catalogue.geocoding import Geocoder
from volunteer.catalogue.reference import load_languages
from volunteer.models import (
    Cause,
    Opportunity,
    OpportunityCause,
    OpportunitySkill,
    OpportunityStatus,
    Organisation,
    Skill,
    User,
)
from volunteer.platform.richtext import markup_problem
from volunteer.services import audit, fields
from volunteer.services.errors import ServiceError

MAX_CAPACITY = 500
STATUS_TRANSITIONS: dict[str, frozenset[str]] = {
    OpportunityStatus.DRAFT: frozenset({OpportunityStatus.PUBLISHED, OpportunityStatus.CLOSED}),
    OpportunityStatus.PUBLISHED: frozenset({OpportunityStatus.PAUSED, OpportunityStatus.CLOSED}),
    OpportunityStatus.PAUSED: frozenset({OpportunityStatus.PUBLISHED, OpportunityStatus.CLOSED}),
    OpportunityStatus.CLOSED: frozenset(),
}


@dataclass(slots=True, kw_only=True)
class OpportunityInput:
    """What the opportunity form collects."""

    title: str
    description: str = ""
    cause_ids: list[int] = field(default_factory=list)
    required_skill_ids: list[int] = field(default_factory=list)
    optional_skill_ids: list[int] = field(default_factory=list)
    is_remote: bool = False
    address: str = ""
    minors_ok: bool = False
    needs_conduct_certificate: bool = False
    languages: list[str] = field(default_factory=list)
    step_free: bool = False
    regular: bool = False


def _clean_opportunity(
    session: Session, data: OpportunityInput, geocoder: Geocoder
) -> dict[str, Any]:
    title = fields.plain_text(data.title, field="title", max_length=160, one_line=True)
    description = fields.rich_text(data.description, field="description", max_length=10000)
    required = set(data.required_skill_ids)
    optional = set(data.optional_skill_ids) - required
    fields.known_ids(session, Skill.id, required | optional, field="required_skills")
    causes = fields.known_ids(session, Cause.id, data.cause_ids, field="causes")
    codes = {lang.code for lang in load_languages()}
    languages = sorted(set(data.languages))
    if any(code not in codes for code in languages):
        raise ServiceError("bad_choice", field="languages")
    values: dict[str, Any] = {
        "title": title,
        "description": description,
        "is_remote": data.is_remote,
        "minors_ok": data.minors_ok,
        "needs_conduct_certificate": data.needs_conduct_certificate,
        "languages": languages,
        "step_free": data.step_free,
        "regular": data.regular,
        "address": "",
        "postcode": None,
        "district_number": None,
        "lat": None,
        "lon": None,
    }
    if markup_problem(data.address):
        raise ServiceError("markup", field="address")
    if not data.is_remote:
        place = fields.place(geocoder, data.address, field="address", missing="place_required")
        values.update(
            address=" ".join(data.address.split()),
            postcode=place.postcode,
            district_number=place.district_number,
            lat=place.lat,
            lon=place.lon,
        )
    values["_skills"] = (sorted(required), sorted(optional))
    values["_causes"] = sorted(causes)
    return values


def _apply(session: Session, opportunity: Opportunity, values: dict[str, Any]) -> None:
    required, optional = values.pop("_skills")
    causes = values.pop("_causes")
    for key, value in values.items():
        setattr(opportunity, key, value)
    session.add(opportunity)
    session.flush()
    for model in (OpportunitySkill, OpportunityCause):
        for row in session.exec(select(model).where(model.opportunity_id == opportunity.id)).all():
            session.delete(row)
    session.flush()
    assert opportunity.id is not None
    for skill_id in required:
        session.add(
            OpportunitySkill(opportunity_id=opportunity.id, skill_id=skill_id, required=True)
        )
    for skill_id in optional:
        session.add(
            OpportunitySkill(opportunity_id=opportunity.id, skill_id=skill_id, required=False)
        )
    for cause_id in causes:
        session.add(OpportunityCause(opportunity_id=opportunity.id, cause_id=cause_id))
    session.flush()


def create(
    session: Session,
    org: Organisation,
    data: OpportunityInput,
    *,
    by: User,
    now: datetime,
    geocoder: Geocoder,
) -> Opportunity:
    """A new opportunity, as a draft: nobody sees it until it is published."""
    assert org.id is not None
    blank = Opportunity(organisation_id=org.id, created_at=now, updated_at=now, title="")
    return _save(session, blank, data, "opportunity.created", by=by, now=now, geocoder=geocoder)


def update(
    session: Session,
    opportunity: Opportunity,
    data: OpportunityInput,
    *,
    by: User,
    now: datetime,
    geocoder: Geocoder,
) -> Opportunity:
    return _save(
        session, opportunity, data, "opportunity.updated", by=by, now=now, geocoder=geocoder
    )


def _save(
    session: Session,
    opportunity: Opportunity,
    data: OpportunityInput,
    action: str,
    *,
    by: User,
    now: datetime,
    geocoder: Geocoder,
) -> Opportunity:
    """The one path a need's content takes, new or changed: the form's values cleaned, written
    with its skills and causes, and the audit entry that tells of it."""
    values = _clean_opportunity(session, data, geocoder)
    values["updated_at"] = now
    _apply(session, opportunity, values)
    return audit.saved(
        session, opportunity, action, actor=by, now=now, object_type="opportunity",
        object_id=opportunity.id,
    )  # fmt: skip


def skill_ids(session: Session, opportunity: Opportunity) -> tuple[list[int], list[int]]:
    """(required, optional) skill ids of an opportunity."""
    rows = session.exec(
        select(OpportunitySkill).where(OpportunitySkill.opportunity_id == opportunity.id)
    )
    required: list[int] = []
    optional: list[int] = []
    for row in rows:
        (required if row.required else optional).append(row.skill_id)
    return sorted(required), sorted(optional)


def cause_ids(session: Session, opportunity: Opportunity) -> list[int]:
    return sorted(
        session.exec(
            select(OpportunityCause.cause_id).where(
                OpportunityCause.opportunity_id == opportunity.id
            )
        ).all()
    )


def set_status(
    session: Session, opportunity: Opportunity, status: str, *, by: User, now: datetime
) -> Opportunity:
    """Publish, pause or close an opportunity (the allowed moves are :data:`STATUS_TRANSITIONS`).

    Publishing needs a title and, for an on-site opportunity, a place; closing cancels nothing by
    itself (shifts people signed up for stay, so attendance and hours can still be recorded).
    """
    allowed = STATUS_TRANSITIONS.get(opportunity.status, frozenset())
    if status not in allowed:
        raise ServiceError("bad_status", current=opportunity.status, wanted=status)
    if (
        status == OpportunityStatus.PUBLISHED
        and not opportunity.is_remote
        and opportunity.lat is None
    ):
        raise ServiceError("place_required", field="address")
    opportunity.status = status
    opportunity.updated_at = now
    if status == OpportunityStatus.PUBLISHED and opportunity.published_at is None:
        opportunity.published_at = now
    return audit.saved(
        session,
        opportunity,
        f"opportunity.{status}",
        actor=by,
        now=now,
        object_type="opportunity",
        object_id=opportunity.id,
    )


# What a copy of a need takes over: its texts, place and conditions; not its state, dates or
# shifts. Skills and causes are rows of their own, copied below.
COPIED_FIELDS = (
    "organisation_id", "title", "description", "is_remote", "address", "postcode",
    "district_number", "lat", "lon", "minors_ok", "step_free", "regular",
    "needs_conduct_certificate",
)  # fmt: skip


def duplicate(
    session: Session, opportunity: Opportunity, *, by: User, now: datetime
) -> Opportunity:
    """A draft copy with the same texts, skills and causes, without shifts or sign-ups."""
    copy = Opportunity(
        **{name: getattr(opportunity, name) for name in COPIED_FIELDS},
        languages=list(opportunity.languages),
        status=OpportunityStatus.DRAFT,
        created_at=now,
        updated_at=now,
    )
    session.add(copy)
    session.flush()
    assert copy.id is not None
    for row in session.exec(
        select(OpportunitySkill).where(OpportunitySkill.opportunity_id == opportunity.id)
    ).all():
        session.add(
            OpportunitySkill(opportunity_id=copy.id, skill_id=row.skill_id, required=row.required)
        )
    for cause_id in cause_ids(session, opportunity):
        session.add(OpportunityCause(opportunity_id=copy.id, cause_id=cause_id))
    return audit.saved(
        session, copy, "opportunity.duplicated", actor=by, now=now, object_type="opportunity",
        object_id=copy.id, source=opportunity.id,
    )  # fmt: skip


# --- overviews -----------------------------------------------------------------------------------
def opportunities_of(session: Session, org: Organisation) -> list[Opportunity]:
    order = {
        OpportunityStatus.PUBLISHED: 0,
        OpportunityStatus.DRAFT: 1,
        OpportunityStatus.PAUSED: 2,
        OpportunityStatus.CLOSED: 3,
    }
    rows = session.exec(
        select(Opportunity)
        .where(Opportunity.organisation_id == org.id)
        .order_by(col(Opportunity.updated_at).desc())
    ).all()
    return sorted(rows, key=lambda n: order.get(OpportunityStatus(n.status), 9))
