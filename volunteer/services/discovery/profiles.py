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
    Consent,
    Skill,
    SkillSuggestion,
    User,
    VolunteerCause,
    VolunteerProfile,
    VolunteerSkill,
)
from volunteer.services.accounts import account as accounts
from volunteer.services.discovery import engine
from volunteer.services.errors import ServiceError
from volunteer.services.notices import outbox

MIN_RADIUS_KM = 1.0
MAX_RADIUS_KM = 50.0
GUARDIAN_TOKEN_HOURS = 14 * 24


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
    discoverable: bool = True
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
    now: datetime,
    base_url: str = "",
) -> VolunteerProfile:
    """Validate and store the profile; raise ``ServiceError`` naming the field at fault."""
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
    profile.discoverable = data.discoverable
    profile.about = data.about.strip()[:2000]
    profile.digest_frequency = (
        data.digest_frequency
        if data.digest_frequency
        in (
            "never",
            "weekly",
        )
        else "weekly"
    )
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
    _record_discoverable_consent(session, user, data.discoverable, now=now)
    if guardian and profile.guardian_consent_at is None and guardian != (previous_guardian or ""):
        request_guardian_consent(session, user, now=now, base_url=base_url)
    session.flush()
    engine.invalidate()
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


def _record_discoverable_consent(
    session: Session, user: User, allowed: bool, *, now: datetime
) -> None:
    """Being findable by associations is a consent: keep a record of giving and withdrawing it."""
    current = session.exec(
        select(Consent).where(
            Consent.user_id == user.id,
            Consent.kind == "discoverable",
            col(Consent.withdrawn_at).is_(None),
        )
    ).first()
    if allowed and current is None:
        session.add(Consent(user_id=user.id, kind="discoverable", given_at=now))
    elif not allowed and current is not None:
        current.withdrawn_at = now
        session.add(current)


def request_guardian_consent(session: Session, user: User, *, now: datetime, base_url: str) -> None:
    """E-mail the guardian a single-use link; until they agree, sign-ups are refused."""
    profile = profile_of(session, user)
    if profile is None or not profile.guardian_email:
        raise ServiceError("guardian_email_required", field="guardian_email")
    raw = accounts.issue_token(
        session,
        "guardian_consent",
        now=now,
        hours=GUARDIAN_TOKEN_HOURS,
        user=user,
        email=profile.guardian_email,
    )
    outbox.enqueue(
        session,
        "guardian_consent",
        dedupe_key=f"guardian_consent:{user.id}:{now.isoformat()}",
        now=now,
        to_email=profile.guardian_email,
        locale=user.locale,
        payload={
            "url": f"{base_url}/ich/einwilligung/{raw}",
            "volunteer_name": user.display_name,
            "user_id": user.id,
        },
    )


def confirm_guardian_consent(session: Session, raw: str, *, now: datetime) -> User:
    """The guardian followed the link and agreed: record it (GDPR art. 8) and allow sign-ups."""
    token = accounts.consume_token(session, raw, "guardian_consent", now=now)
    user = session.get(User, token.user_id) if token.user_id else None
    profile = profile_of(session, user) if user else None
    if user is None or profile is None or profile.guardian_email != token.email:
        raise ServiceError("invalid_token", field="token")
    profile.guardian_consent_at = now
    session.add(profile)
    session.add(
        Consent(
            user_id=user.id, kind="guardian", given_at=now, details={"email": token.email or ""}
        )
    )
    session.flush()
    return user
