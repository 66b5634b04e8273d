"""Builders for the association tests: an organisation with a published need, shifts, people.

Plain functions on the test's session (not fixtures), so each test module can compose them.
"""

import io
from datetime import date, datetime, time, timedelta
from typing import Any

from PIL import Image
from sqlmodel import Session, select

from volunteer.catalogue.geocoding import GazetteerGeocoder
from volunteer.catalogue.sync import sync_reference_data
from volunteer.models import (
    Opportunity,
    Organisation,
    Role,
    Shift,
    Signup,
    SignupState,
    Skill,
    User,
    VolunteerProfile,
    VolunteerSkill,
)
from volunteer.services.organisations import opportunities
from volunteer.services.organisations import organisation as organisations
from volunteer.services.organisations import shifts as shift_service

GEOCODER = GazetteerGeocoder()


def seed_reference(session: Session) -> None:
    sync_reference_data(session)
    session.commit()


def make_org(
    session: Session,
    admin: User,
    *,
    now: datetime,
    verified: bool = True,
    name: str = "Lesepaten Bochum e.V.",
    coordinator: User | None = None,
) -> Organisation:
    org = organisations.register(
        session,
        organisations.OrganisationInput(
            name=name, kind="verein", address="Kortumstraße 5, 44787 Bochum"
        ),
        by=admin,
        now=now,
        geocoder=GEOCODER,
    )
    if verified:
        assert coordinator is not None and coordinator.role == Role.COORDINATOR
        organisations.verify(session, org, by=coordinator, now=now)
    session.commit()
    return org


def make_need(
    session: Session,
    org: Organisation,
    by: User,
    *,
    now: datetime,
    title: str = "Lesepatin für die Grundschule",
    publish: bool = True,
    skills: tuple[str, ...] = ("reading-aloud",),
    address: str = "44787",
    **extra: Any,
) -> Opportunity:
    skill_ids = [
        s.id
        for s in session.exec(select(Skill).where(Skill.slug.in_(skills))).all()  # type: ignore[attr-defined]
    ]
    data = opportunities.OpportunityInput(
        title=title,
        description="Wir lesen mit Kindern.",
        address=address,
        required_skill_ids=skill_ids,
        **extra,
    )
    need = opportunities.create(session, org, data, by=by, now=now, geocoder=GEOCODER)
    if publish:
        opportunities.set_status(session, need, "published", by=by, now=now)
    session.commit()
    return need


def make_shift(
    session: Session,
    need: Opportunity,
    by: User,
    *,
    now: datetime,
    days: int = 3,
    capacity: int = 2,
    start: time = time(15),
    end: time = time(17),
) -> Shift:
    day = (now + timedelta(days=days)).date()
    (shift,) = shift_service.add_shifts(
        session,
        need,
        shift_service.ShiftInput(day=day, start=start, end=end, capacity=capacity),
        by=by,
        now=now,
    )
    session.commit()
    return shift


def make_signup(
    session: Session, user: User, shift: Shift, *, now: datetime, state: str = SignupState.APPLIED
) -> Signup:
    signup = Signup(shift_id=shift.id, user_id=user.id, state=state, created_at=now, updated_at=now)
    session.add(signup)
    session.commit()
    return signup


def make_profile(
    session: Session,
    user: User,
    *,
    now: datetime,
    skills: tuple[str, ...] = ("reading-aloud",),
    postcode: str = "44787",
    discoverable: bool = True,
) -> VolunteerProfile:
    place = GEOCODER.geocode(postcode)
    assert place is not None
    profile = VolunteerProfile(
        user_id=user.id,
        postcode=postcode,
        district_number=place.district_number,
        lat=place.lat,
        lon=place.lon,
        radius_km=10,
        availability=(1 << 21) - 1,
        discoverable=discoverable,
        completed_at=now,
    )
    session.add(profile)
    for skill in session.exec(select(Skill).where(Skill.slug.in_(skills))).all():  # type: ignore[attr-defined]
        session.add(VolunteerSkill(user_id=user.id, skill_id=skill.id))
    session.commit()
    return profile


def png_bytes(size: tuple[int, int] = (64, 64), fmt: str = "PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(out, fmt)
    return out.getvalue()


def past_day(now: datetime, days: int = 1) -> date:
    return (now - timedelta(days=days)).date()
