"""Volunteer profiles: what the engine needs to know, saved from the guided form.

The location is resolved offline through the geocoder the app was configured with; a failure is
a field error (``unknown_postcode``, ``outside_service_area``, ``not_understood``), never a 500.
Saving a profile invalidates the engine's cached indexes, so "Für dich" reflects it at once.
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, col, select

from matching.model import SLOT_BIT, SLOTS
from volunteer.catalogue.geocoding import GeocodeError, Geocoder
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
from volunteer.services.accounts import consents, guardians
from volunteer.services.errors import ServiceError
from volunteer.services.notices import settings as notice_settings

MIN_RADIUS_KM = 1.0
MAX_RADIUS_KM = 50.0


@dataclass(kw_only=True)
class ProfileInput:
    """What the form collected, already parsed into plain values."""

    location: str
    radius_km: float
    slots: list[str]
    skills: list[str] = field(default_factory=list)
    causes: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=lambda: ["de"])
    age_group: str = AgeGroup.ADULT
    guardian_email: str = ""
    discoverable: bool = False  # opt-in: unticked unless the person ticks it
    about: str = ""
    skill_suggestion: str = ""
    digest_frequency: str = "weekly"
    quiet_start_hour: int | None = None
    quiet_end_hour: int | None = None


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


def save_profile(
    session: Session,
    user: User,
    data: ProfileInput,
    *,
    geocoder: Geocoder,
    discoverable_shown: consents.ShownText,
    now: datetime,
) -> VolunteerProfile:
    """Validate and store the profile; raise ``ServiceError`` naming the field at fault.

    ``discoverable_shown`` is the wording of the "associations may find me" box as the person
    saw it: ticking it is a consent, recorded with that wording's version and hash.
    """
    try:
        place = geocoder.geocode(data.location)
    except GeocodeError as err:
        raise ServiceError(err.reason, field="location") from err
    if place is None:
        raise ServiceError("location_required", field="location")
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
    notice_settings.check_digest_frequency(data.digest_frequency)
    notice_settings.check_quiet_hours(data.quiet_start_hour, data.quiet_end_hour)

    assert user.id is not None
    profile = profile_of(session, user) or VolunteerProfile(user_id=user.id)
    previous_guardian = profile.guardian_email
    profile.address = data.location.strip()[:200]
    profile.postcode = place.postcode
    profile.district_number = place.district_number
    profile.lat, profile.lon = place.lat, place.lon
    profile.radius_km = float(data.radius_km)
    profile.availability = sum(SLOT_BIT[s] for s in set(data.slots))
    profile.languages = sorted(set(data.languages)) or ["de"]
    profile.age_group = data.age_group
    profile.about = data.about.strip()[:2000]
    profile.digest_frequency = data.digest_frequency
    profile.quiet_start_hour = data.quiet_start_hour
    profile.quiet_end_hour = data.quiet_end_hour
    profile.completed_at = profile.completed_at or now
    profile.updated_at = now
    guardian = data.guardian_email.strip() if data.age_group == AgeGroup.UNDER_16 else ""
    profile.guardian_email = guardian or None
    if guardian != (previous_guardian or ""):
        profile.guardian_consent_at = None
    session.add(profile)
    session.flush()

    _replace_links(session, user, data)
    if data.skill_suggestion.strip():
        session.add(
            SkillSuggestion(
                user_id=user.id, text=data.skill_suggestion.strip()[:160], created_at=now
            )
        )
    set_discoverable(session, user, data.discoverable, shown=discoverable_shown, now=now)
    if guardian and guardian != (previous_guardian or ""):
        guardians.request_consent(session, user, now=now)
    session.flush()
    return profile


def _replace_links(session: Session, user: User, data: ProfileInput) -> None:
    assert user.id is not None
    session.execute(delete(VolunteerSkill).where(col(VolunteerSkill.user_id) == user.id))
    session.execute(delete(VolunteerCause).where(col(VolunteerCause.user_id) == user.id))
    if data.skills:
        for skill_id in session.exec(
            select(Skill.id).where(col(Skill.slug).in_(set(data.skills)))
        ).all():
            assert skill_id is not None
            session.add(VolunteerSkill(user_id=user.id, skill_id=skill_id))
    if data.causes:
        for cause_id in session.exec(
            select(Cause.id).where(col(Cause.slug).in_(set(data.causes)))
        ).all():
            assert cause_id is not None
            session.add(VolunteerCause(user_id=user.id, cause_id=cause_id))


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
