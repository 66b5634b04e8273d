"""Volunteer profiles: what the engine needs to know, saved from the guided form.

The location is resolved offline through the geocoder the app was configured with; a failure is
a field error (``unknown_postcode``, ``outside_service_area``, ``not_understood``), never a 500.
Saving a profile invalidates the engine's cached indexes, so "Für dich" reflects it at once.
"""

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, col, select

from matching.model import SLOT_BIT, SLOTS
from volunteer.catalogue.geocoding import Geocoder
from volunteer.catalogue.reference import Skill as SkillEntry
from volunteer.catalogue.reference import load_languages, load_skill_categories, load_skills
from volunteer.models import (
    AgeGroup,
    Cause,
    Skill,
    SkillSuggestion,
    User,
    VolunteerCause,
    VolunteerProfile,
    VolunteerSkill,
)
from volunteer.services import fields
from volunteer.services.accounts import consents, guardians
from volunteer.services.discovery.engine import skill_demand
from volunteer.services.errors import ServiceError
from volunteer.services.notices import settings as notice_settings

MIN_RADIUS_KM = 1.0
MAX_RADIUS_KM = 50.0
# How many chips the profile shows before the disclosure: enough to cover what most needs ask
# for, few enough that the page stays short on a phone.
TOP_SKILLS = 12
COMMON_LANGUAGES = 6  # languages.csv lists the city's languages by how common they are


@dataclass(kw_only=True)
class BasicsInput:
    """Step one of the profile, what the first recommendations need: where, when, what matters
    (and the age group, because it decides whether a guardian must agree before a sign-up)."""

    location: str
    radius_km: float
    slots: list[str]
    causes: list[str] = field(default_factory=list)
    age_group: str = AgeGroup.ADULT
    guardian_email: str = ""


@dataclass(kw_only=True)
class DetailsInput:
    """Step two, filled in whenever the person likes: skills, languages, the rest."""

    skills: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=lambda: ["de"])
    skill_suggestion: str = ""
    discoverable: bool = False  # opt-in: unticked unless the person ticks it
    about: str = ""
    digest_frequency: str = "weekly"
    quiet_start_hour: int | None = None
    quiet_end_hour: int | None = None


@dataclass(frozen=True, slots=True)
class Chip:
    """One choosable value: its slug, its label, and every name it is known by (lower case, both
    languages, synonyms) for the filter box."""

    value: str
    label: str
    terms: str


@dataclass(frozen=True, slots=True)
class ChipGroup:
    label: str
    chips: tuple[Chip, ...]


@dataclass(frozen=True, slots=True)
class ChipMenu:
    """Chips shown at once (``first``) and the rest, by group, behind a disclosure. Every value
    appears exactly once, so a ticked box can never be contradicted by a copy of it."""

    first: tuple[Chip, ...]
    rest: tuple[ChipGroup, ...]


def skill_menu(
    session: Session,
    *,
    now: datetime,
    locale: str,
    chosen: Collection[str] = (),
    top: int = TOP_SKILLS,
) -> ChipMenu:
    """Skills as the profile offers them: the ``top`` most asked for by upcoming needs with an
    open place (:func:`engine.skill_demand`) and those already ``chosen`` first, the rest by
    taxonomy group behind the disclosure; within each part the most asked for first, then the
    taxonomy's order. Chosen skills are never behind the disclosure, so a person sees at once
    what they said."""
    demand = skill_demand(session, now=now)
    order = {skill.slug: i for i, skill in enumerate(load_skills())}
    ranked = sorted(load_skills(), key=lambda skill: (-demand[skill.slug], order[skill.slug]))
    first = {skill.slug for skill in ranked[:top] if demand[skill.slug] > 0} | set(chosen)

    def chip(skill: SkillEntry) -> Chip:
        return Chip(skill.slug, skill.label(locale), " ".join(skill.terms).lower())

    groups = []
    for category in load_skill_categories():
        chips = tuple(
            chip(skill)
            for skill in ranked
            if skill.category == category.slug and skill.slug not in first
        )
        if chips:
            groups.append(ChipGroup(category.label(locale), chips))
    return ChipMenu(
        first=tuple(chip(skill) for skill in ranked if skill.slug in first),
        rest=tuple(groups),
    )


def language_menu(
    *, locale: str, chosen: Collection[str] = (), common: int = COMMON_LANGUAGES
) -> ChipMenu:
    """Languages: the city's most common and those already ``chosen`` first (in the list's
    order), the rest (one group) behind a disclosure."""
    chips = [
        Chip(lang.code, lang.label(locale), f"{lang.label_de} {lang.label_en}".lower())
        for lang in load_languages()
    ]
    shown = {c.value for c in chips[:common]} | set(chosen)
    return ChipMenu(
        first=tuple(c for c in chips if c.value in shown),
        rest=(ChipGroup("", tuple(c for c in chips if c.value not in shown)),),
    )


def profile_of(session: Session, user: User) -> VolunteerProfile | None:
    return session.get(VolunteerProfile, user.id)


def is_complete(session: Session, user: User) -> bool:
    profile = profile_of(session, user)
    return profile is not None and profile.completed_at is not None


def slots_of(mask: int) -> list[str]:
    return [name for name in SLOTS if mask & SLOT_BIT[name]]


def skill_slugs(session: Session, user: User) -> list[str]:
    return list(
        session.exec(
            select(Skill.slug).join(VolunteerSkill).where(VolunteerSkill.user_id == user.id)
        ).all()
    )


def cause_slugs(session: Session, user: User) -> list[str]:
    return list(
        session.exec(
            select(Cause.slug).join(VolunteerCause).where(VolunteerCause.user_id == user.id)
        ).all()
    )


def save_basics(
    session: Session, user: User, data: BasicsInput, *, geocoder: Geocoder, now: datetime
) -> VolunteerProfile:
    """Validate and store step one; raise ``ServiceError`` naming the field at fault.

    Completes the profile: from now on "Für dich" has enough to recommend, whatever step two
    says later. Skills, languages and notice settings already stored stay as they are.
    """
    place = fields.place(geocoder, data.location, field="location", missing="location_required")
    if not MIN_RADIUS_KM <= data.radius_km <= MAX_RADIUS_KM:
        raise ServiceError(
            "radius_out_of_range", field="radius_km", low=MIN_RADIUS_KM, high=MAX_RADIUS_KM
        )
    unknown = [s for s in data.slots if s not in SLOT_BIT]
    if unknown or not data.slots:
        raise ServiceError("no_availability", field="availability")
    if data.age_group not in {g.value for g in AgeGroup}:
        raise ServiceError("invalid_choice", field="age_group")
    if data.age_group == AgeGroup.UNDER_16 and not data.guardian_email.strip():
        raise ServiceError("guardian_email_required", field="guardian_email")

    assert user.id is not None
    profile = profile_of(session, user) or VolunteerProfile(user_id=user.id, languages=["de"])
    previous_guardian = profile.guardian_email
    profile.address = data.location.strip()[:200]
    profile.postcode = place.postcode
    profile.district_number = place.district_number
    profile.lat, profile.lon = place.lat, place.lon
    profile.radius_km = float(data.radius_km)
    profile.availability = sum(SLOT_BIT[s] for s in set(data.slots))
    profile.age_group = data.age_group
    profile.completed_at = profile.completed_at or now
    profile.updated_at = now
    guardian = data.guardian_email.strip() if data.age_group == AgeGroup.UNDER_16 else ""
    profile.guardian_email = guardian or None
    if guardian != (previous_guardian or ""):
        profile.guardian_consent_at = None
    session.add(profile)
    session.flush()

    _replace_links(session, user, VolunteerCause, Cause, data.causes)
    if guardian and guardian != (previous_guardian or ""):
        guardians.request_consent(session, user, now=now)
    session.flush()
    return profile


def save_details(
    session: Session,
    user: User,
    data: DetailsInput,
    *,
    discoverable_shown: consents.ShownText,
    now: datetime,
) -> VolunteerProfile:
    """Validate and store step two (after step one: ``profile_first`` otherwise).

    ``discoverable_shown`` is the wording of the "associations may find me" box as the person
    saw it: ticking it is a consent, recorded with that wording's version and hash.
    """
    profile = profile_of(session, user)
    if profile is None or profile.completed_at is None:
        raise ServiceError("profile_first")
    notice_settings.check_digest_frequency(data.digest_frequency)
    notice_settings.check_quiet_hours(data.quiet_start_hour, data.quiet_end_hour)
    assert user.id is not None
    profile.languages = sorted(set(data.languages)) or ["de"]
    profile.about = data.about.strip()[:2000]
    profile.digest_frequency = data.digest_frequency
    profile.quiet_start_hour = data.quiet_start_hour
    profile.quiet_end_hour = data.quiet_end_hour
    profile.updated_at = now
    session.add(profile)
    session.flush()

    _replace_links(session, user, VolunteerSkill, Skill, data.skills)
    if data.skill_suggestion.strip():
        session.add(
            SkillSuggestion(
                user_id=user.id, text=data.skill_suggestion.strip()[:160], created_at=now
            )
        )
    set_discoverable(session, user, data.discoverable, shown=discoverable_shown, now=now)
    session.flush()
    return profile


def _replace_links(
    session: Session,
    user: User,
    link: type[VolunteerSkill] | type[VolunteerCause],
    target: type[Skill] | type[Cause],
    slugs: list[str],
) -> None:
    """The person's skills (or causes) become exactly ``slugs``; unknown slugs are ignored."""
    assert user.id is not None
    session.execute(delete(link).where(col(link.user_id) == user.id))
    if not slugs:
        return
    for target_id in session.exec(select(target.id).where(col(target.slug).in_(set(slugs)))).all():
        assert target_id is not None
        if link is VolunteerSkill:
            session.add(VolunteerSkill(user_id=user.id, skill_id=target_id))
        else:
            session.add(VolunteerCause(user_id=user.id, cause_id=target_id))


def set_discoverable(
    session: Session,
    user: User,
    allowed: bool,
    *,
    shown: consents.ShownText | None = None,
    now: datetime,
    how: str = "profile",
) -> None:
    """Opt in to or out of being found by associations, at once in the engine's pools.

    Opting in needs the wording shown (``shown``); opting out ends the consent record.
    """
    profile = profile_of(session, user)
    if profile is None:
        raise ServiceError("not_found")
    if allowed:
        if shown is None:
            raise ServiceError("consent_text_missing")
        consents.give(session, user, consents.DISCOVERABLE, shown=shown, now=now)
    else:
        consents.withdraw(session, user, consents.DISCOVERABLE, now=now, how=how)
    if profile.discoverable != allowed:
        profile.discoverable = allowed
        profile.updated_at = now  # the engine's pool notices the change (engine._findable_stamp)
        session.add(profile)
    session.flush()


def withdraw_consent(session: Session, user: User, kind: str, *, now: datetime) -> None:
    """Withdraw a consent from "Meine Daten" (art. 7(3)), with what the withdrawal entails.

    The privacy consent is what the account rests on: withdrawing it means deleting the
    account, which the caller does on its own confirmed page (``privacy_needs_deletion``).
    """
    if kind == consents.DISCOVERABLE:
        set_discoverable(session, user, False, now=now)
    elif kind == consents.GUARDIAN:
        guardians.withdraw_by_child(session, user, now=now)
    elif kind == consents.PRIVACY:
        raise ServiceError("privacy_needs_deletion")
    else:
        raise ServiceError("not_found")
