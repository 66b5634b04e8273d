"""The one place tests build the app's data (the engine's own are ``tests/matching/factories.py``).

Plain functions on the test's session, so each test composes what it needs; the ``make_user``,
``world`` and ``login`` fixtures in the conftests are thin wrappers around these. Two kinds:

- **Through the services** (named after what a person does): ``register_org``, ``create_need``,
  ``add_shift``. They run the code the association's pages call (validation, geocoding, audit,
  outbox), so a test built on them exercises the live path.
- **Rows** (``make_*``, ``set_profile``, ``add_member``): states no page can create, or that a
  test needs without the ceremony around them: shifts in the past, an unverified association,
  a sign-up in a given state, hour entries already decided. Keep these to what the services
  refuse or cannot reach; prefer the service builders for anything a user would do.
"""

import io
import itertools
from datetime import date, datetime, time, timedelta
from typing import Any

from PIL import Image
from sqlmodel import Session, select

from volunteer.catalogue.geocoding import GazetteerGeocoder
from volunteer.catalogue.sync import sync_reference_data
from volunteer.models import (
    GuardianRequest,
    HourEntry,
    HourState,
    MemberRole,
    Membership,
    Opportunity,
    OpportunitySkill,
    OpportunityStatus,
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
from volunteer.services.accounts.passwords import hash_password
from volunteer.services.organisations import opportunities
from volunteer.services.organisations import organisation as organisations
from volunteer.services.organisations import shifts as shift_service

TEST_PASSWORD = "Ein langer Testsatz 42"
GEOCODER = GazetteerGeocoder()

# Unique across a whole test process, so builders and fixtures never hand out the same e-mail.
_people = itertools.count(1)
# Argon2 is slow on purpose; a test run hashes each password once.
_HASHES: dict[str, str] = {}


def _hash(password: str) -> str:
    if password not in _HASHES:
        _HASHES[password] = hash_password(password)
    return _HASHES[password]


def seed_reference(session: Session) -> None:
    """Skills, districts and languages, as ``flask sync-reference`` loads them on deployment."""
    sync_reference_data(session)
    session.commit()


# --- people --------------------------------------------------------------------------------------
def make_user(session: Session, *, now: datetime, **overrides: Any) -> User:
    """A verified account with the test password (the sign-up pages have their own tests)."""
    n = next(_people)
    password = overrides.pop("password", TEST_PASSWORD)
    email = overrides.pop("email", f"person{n}@example.org")
    values: dict[str, Any] = {
        "email": email,
        "email_key": email.lower(),
        "password_hash": _hash(password),
        "first_name": f"Person{n}",
        "role": Role.VOLUNTEER,
        "email_verified_at": now,
        "created_at": now,
    }
    values.update(overrides)
    user = User(**values)
    session.add(user)
    session.commit()
    return user


def make_profile(
    session: Session,
    user: User,
    *,
    now: datetime,
    skills: tuple[str, ...] = ("reading-aloud",),
    postcode: str = "44787",
    discoverable: bool = True,
    radius_km: int = 10,
) -> VolunteerProfile:
    """A completed, geocoded profile with skills (needs ``seed_reference`` for the skills)."""
    place = GEOCODER.geocode(postcode)
    assert place is not None
    profile = VolunteerProfile(
        user_id=user.id,
        postcode=postcode,
        district_number=place.district_number,
        lat=place.lat,
        lon=place.lon,
        radius_km=radius_km,
        availability=(1 << 21) - 1,
        discoverable=discoverable,
        completed_at=now,
    )
    session.add(profile)
    for skill in session.exec(select(Skill).where(Skill.slug.in_(skills))).all():  # type: ignore[attr-defined]
        session.add(VolunteerSkill(user_id=user.id, skill_id=skill.id))
    session.commit()
    return profile


def set_profile(session: Session, user: User, **values: Any) -> VolunteerProfile:
    """Set profile fields directly (age group, district, ...), creating the profile if needed."""
    profile = session.get(VolunteerProfile, user.id) or VolunteerProfile(user_id=user.id)
    for key, value in values.items():
        setattr(profile, key, value)
    session.add(profile)
    session.commit()
    return profile


def add_member(session: Session, organisation: Organisation, user: User) -> Membership:
    membership = Membership(organisation_id=organisation.id, user_id=user.id, role=MemberRole.ADMIN)
    session.add(membership)
    session.commit()
    return membership


# --- associations, through the services ----------------------------------------------------------
def register_org(
    session: Session,
    admin: User,
    *,
    now: datetime,
    verified: bool = True,
    name: str = "Lesepaten Bochum e.V.",
    coordinator: User | None = None,
) -> Organisation:
    """Register an association as its first admin does; verify it as the city's coordinator."""
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


def create_need(
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
    """Create (and publish) an opportunity through the association's service."""
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


def add_shift(
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
    """Add a one-off shift ``days`` from now, local times, as the shift form does."""
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


def make_association(session: Session, *, now: datetime, with_shift: bool = True) -> dict[str, Any]:
    """An association as its pages make one (needs ``seed_reference``): Anna registers it, Cora,
    the city's coordinator, verifies it, Anna posts a published need with a shift in three days."""
    coordinator = make_user(session, now=now, role=Role.COORDINATOR, first_name="Cora")
    admin = make_user(session, now=now, first_name="Anna")
    org = register_org(session, admin, now=now, coordinator=coordinator)
    need = create_need(session, org, admin, now=now)
    world: dict[str, Any] = {"coordinator": coordinator, "admin": admin, "org": org, "need": need}
    if with_shift:
        world["shift"] = add_shift(session, need, admin, now=now)
    return world


# --- rows the services refuse or cannot reach ----------------------------------------------------
def make_organisation(session: Session, now: datetime, **overrides: Any) -> Organisation:
    """A verified association without members (or unverified: ``verified_at=None``)."""
    values: dict[str, Any] = {
        "name": "Tafel Bochum",
        "contact_email": "tafel@example.org",
        "verified_at": now - timedelta(days=30),
        "district_number": None,
    }
    values.update(overrides)
    org = Organisation(**values)
    session.add(org)
    session.flush()
    return org


def make_opportunity(
    session: Session, now: datetime, organisation: Organisation | None = None, **overrides: Any
) -> Opportunity:
    """A published opportunity in any status, district or place the test needs."""
    org = organisation or make_organisation(session, now)
    values: dict[str, Any] = {
        "organisation_id": org.id,
        "title": "Lebensmittel sortieren",
        "description": "Wir sortieren gespendete Lebensmittel.",
        "status": OpportunityStatus.PUBLISHED,
        "published_at": now - timedelta(days=1),
    }
    values.update(overrides)
    opp = Opportunity(**values)
    session.add(opp)
    session.flush()
    return opp


def ask_for_skills(
    session: Session, opportunity: Opportunity, *slugs: str, required: bool = True
) -> None:
    """The skills an opportunity asks for (needs ``seed_reference``), required or welcome."""
    for skill in session.exec(select(Skill).where(Skill.slug.in_(slugs))).all():  # type: ignore[attr-defined]
        session.add(
            OpportunitySkill(opportunity_id=opportunity.id, skill_id=skill.id, required=required)
        )
    session.commit()


def make_shift(
    session: Session,
    now: datetime,
    opportunity: Opportunity | None = None,
    *,
    starts_in: timedelta = timedelta(days=3),
    hours: float = 3,
    **overrides: Any,
) -> Shift:
    """A shift at any time, past ones included (``add_shift`` refuses the past, like the form)."""
    opp = opportunity or make_opportunity(session, now)
    starts = now + starts_in
    values: dict[str, Any] = {
        "opportunity_id": opp.id,
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=hours),
        "capacity": 2,
        "place": "Hauptstraße 1",
    }
    values.update(overrides)
    shift = Shift(**values)
    session.add(shift)
    session.commit()
    return shift


def make_signup(
    session: Session, user: User, shift: Shift, *, now: datetime, state: str = SignupState.APPLIED
) -> Signup:
    """A sign-up already in ``state`` (the sign-up service has its own tests and rules)."""
    signup = Signup(shift_id=shift.id, user_id=user.id, state=state, created_at=now, updated_at=now)
    session.add(signup)
    session.commit()
    return signup


def make_hours(
    session: Session,
    user: User,
    org: Organisation,
    *,
    worked_on: date,
    minutes: int,
    state: str = HourState.CONFIRMED,
    decided_at: datetime | None = None,
) -> HourEntry:
    """An hour entry already decided (history for totals and recognition), outside any shift."""
    entry = HourEntry(
        user_id=user.id,
        organisation_id=org.id,
        worked_on=worked_on,
        minutes=minutes,
        state=state,
        decided_at=decided_at,
        created_at=decided_at,
    )
    session.add(entry)
    session.commit()
    return entry


def make_world(
    session: Session,
    *,
    now: datetime,
    starts_at: datetime | None = None,
    state: str = SignupState.ACCEPTED,
    capacity: int = 3,
) -> dict[str, Any]:
    """What a notice needs around it: an association (admin Vera), a published need, one shift,
    volunteer Aylin signed up in ``state`` with a guardian request and confirmed hours."""
    admin = make_user(session, now=now, first_name="Vera")
    org = make_organisation(
        session,
        now,
        name="Tafel Bochum e.V.",
        contact_email="info@tafel.example",
        phone="0234 123456",
        verified_at=now,
        created_at=now,
    )
    session.add(Membership(organisation_id=org.id, user_id=admin.id, role=MemberRole.ADMIN))
    opp = make_opportunity(
        session,
        now,
        org,
        description="",
        address="Hauptstraße 1, 44787 Bochum",
        published_at=now,
        created_at=now,
    )
    start = starts_at or now + timedelta(days=2)
    shift = make_shift(
        session,
        now,
        opp,
        starts_in=start - now,
        capacity=capacity,
        place="Lager, Eingang B",
        created_at=now,
        updated_at=now,
    )
    volunteer = make_user(session, now=now, first_name="Aylin", locale="de")
    session.add(VolunteerProfile(user_id=volunteer.id, updated_at=now))
    session.flush()
    guardian_request = GuardianRequest(
        user_id=volunteer.id,
        guardian_email="eltern@example.org",
        requested_at=now,
        expires_at=now + timedelta(days=21),
    )
    session.add(guardian_request)
    signup = Signup(shift_id=shift.id, user_id=volunteer.id, state=state, created_at=now)
    session.add(signup)
    session.flush()
    entry = HourEntry(
        user_id=volunteer.id,
        organisation_id=org.id,
        signup_id=signup.id,
        worked_on=start.date(),
        minutes=150,
        state="confirmed",
        created_at=now,
    )
    session.add(entry)
    session.commit()
    return {
        "guardian_request": guardian_request,
        "admin": admin,
        "org": org,
        "opp": opp,
        "shift": shift,
        "volunteer": volunteer,
        "signup": signup,
        "entry": entry,
    }


def png_bytes(size: tuple[int, int] = (64, 64), fmt: str = "PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(out, fmt)
    return out.getvalue()


def fill_profile(client: Any, data: dict[str, Any]) -> None:
    """Both steps of the profile through its pages, as a person does: step one (where, when,
    what matters, age), then step two (skills, languages, the rest). Each step's form reads
    only its own fields from ``data``."""
    first = client.post("/ich/profil", data=data)
    assert first.status_code == 302, first.get_data(as_text=True)[:2000]
    second = client.post("/ich/profil/mehr", data=data)
    assert second.status_code == 302, second.get_data(as_text=True)[:2000]
