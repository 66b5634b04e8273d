"""Demo data: a realistic Bochum, from a small city to full size, plus one account per role.

``load_demo_data`` is what ``volunteer demo-data`` and ``make run`` (on an empty database) call.

- **Deterministic**: every generated person, association and need comes from its own random
  stream (seed, kind, index), so the same seed always yields the same city, and the larger scale
  is a superset of the smaller one.
- **Idempotent**: generated people are keyed by e-mail and associations by contact e-mail;
  whatever exists is skipped, so running twice adds nothing, and running ``bochum`` after
  ``demo`` only adds the difference. Needs, shifts and sign-ups are created with their
  association.
- **Fast at scale**: rows go in with ``insert(Model)`` in batches (RETURNING the new ids), the
  demo password is hashed once for everyone, and a tqdm bar on stderr shows progress.
- **Safe**: generated addresses are ``@example.org`` (RFC 2606), so no notice can reach a real
  person; only the three demo logins use ``demo.mitwirken.de``.

Dates are relative to the ``now`` passed in; shifts lie in the next eight weeks, and weekly needs
also have a few past weeks so that attendance and hour entries exist.
"""

import sys
from datetime import datetime, time, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from volunteer.catalogue.gazetteer import default_gazetteer
from volunteer.catalogue.sync import reference_ids, sync_reference_data
from volunteer.demo.history import write_history
from volunteer.demo.plan import DEFAULT_SEED, SCALES, CityPlan, Pools, Scale
from volunteer.demo.writer import Writer
from volunteer.models import (
    HourEntry,
    HourState,
    Opportunity,
    OpportunityStatus,
    Organisation,
    Role,
    Shift,
    Signup,
    SignupState,
    User,
    VolunteerCause,
    VolunteerProfile,
    VolunteerSkill,
)
from volunteer.services.accounts.passwords import hash_password
from volunteer.services.coordination import match_aggregates
from volunteer.services.organisations.recurrence import duration_minutes

DEMO_PASSWORD = "Mitwirken-Demo-2026"  # noqa: S105 (a published demo login)
DEMO_VOLUNTEER = "ehrenamt@demo.mitwirken.de"
DEMO_ORG_ADMIN = "verein@demo.mitwirken.de"
DEMO_COORDINATOR = "stadt@demo.mitwirken.de"
DEMO_ACCOUNTS = [
    (DEMO_VOLUNTEER, "Lena", "Schneider", Role.VOLUNTEER),
    (DEMO_ORG_ADMIN, "Jonas", "Becker", Role.VOLUNTEER),  # admin through a membership
    (DEMO_COORDINATOR, "Aylin", "Yıldız", Role.COORDINATOR),
]
LOGINS_TEXT = (
    f"Demo logins (password {DEMO_PASSWORD}):\n"
    f"  volunteer          {DEMO_VOLUNTEER}\n"
    f"  association admin  {DEMO_ORG_ADMIN}\n"
    f"  city coordinator   {DEMO_COORDINATOR}"
)


def has_users(session: Session) -> bool:
    """Whether anyone has an account yet (``make run`` loads demo data only into an empty DB)."""
    return bool(session.exec(select(func.count()).select_from(User)).one())


# --- the demo accounts ----------------------------------------------------------------------------


def _demo_accounts(session: Session, city: CityPlan, password_hash: str) -> dict[str, User]:
    """The three known logins; created once, then left alone (a user may have changed them)."""
    accounts: dict[str, User] = {}
    for email, first, last, role in DEMO_ACCOUNTS:
        user = session.exec(select(User).where(User.email_key == email)).first()
        if user is None:
            user = User(
                email=email,
                email_key=email,
                password_hash=password_hash,
                first_name=first,
                last_name=last,
                role=role.value,
                created_at=city.now - timedelta(days=400),
                email_verified_at=city.now - timedelta(days=400),
            )
            session.add(user)
            session.flush()
            if email == DEMO_VOLUNTEER:
                _demo_volunteer_profile(session, city, user)
        accounts[email] = user
    return accounts


def _demo_volunteer_profile(session: Session, city: CityPlan, user: User) -> None:
    """Lena from Höntrop: enough profile for good recommendations out of the box."""
    postcode = city.gaz.postcode("44869")
    assert postcode is not None and user.id is not None
    session.add(
        VolunteerProfile(
            user_id=user.id,
            postcode=postcode.code,
            address="Höntroper Straße 10",
            district_number=postcode.district_number,
            lat=postcode.lat,
            lon=postcode.lon,
            radius_km=6.0,
            # Mon-Fri evenings, Saturday morning and afternoon.
            availability=sum(1 << (d * 3 + 2) for d in range(5)) | 1 << 15 | 1 << 16,
            languages=["de", "en"],
            about="Ich arbeite im Büro und suche abends oder samstags etwas mit Menschen.",
            completed_at=city.now - timedelta(days=390),
            updated_at=city.now - timedelta(days=390),
        )
    )
    skill_ids, cause_ids = reference_ids(session)
    for slug in ("homework-help", "reading-aloud", "first-aid", "driving-licence-b", "gardening"):
        session.add(VolunteerSkill(user_id=user.id, skill_id=skill_ids[slug]))
    for slug in ("children-youth", "education", "environment"):
        session.add(VolunteerCause(user_id=user.id, cause_id=cause_ids[slug]))
    session.flush()


def _demo_volunteer_history(session: Session, city: CityPlan, user: User) -> None:
    """Sign-ups in each state and a year of hours, so every page of the journey has content."""
    assert user.id is not None
    shifts = session.exec(
        select(Shift, Opportunity)
        .join(Opportunity, col(Opportunity.id) == Shift.opportunity_id)
        .join(Organisation, col(Organisation.id) == Opportunity.organisation_id)
        .where(Opportunity.status == OpportunityStatus.PUBLISHED.value)
        .where(col(Organisation.verified_at).is_not(None))
        .where(Organisation.district_number == 28)
        .where(col(Shift.cancelled_at).is_(None))
        .order_by(col(Shift.starts_at))
    ).all()
    taken = set(session.exec(select(Signup.shift_id).where(Signup.user_id == user.id)).all())
    future = [(s, o) for s, o in shifts if s.starts_at > city.now and s.id not in taken]
    past = [(s, o) for s, o in shifts if s.ends_at <= city.now and s.id not in taken]
    plan = [(future, SignupState.ACCEPTED), (future, SignupState.APPLIED)]
    plan += [(past, SignupState.ATTENDED)]
    for pool, state in plan:
        if not pool:
            continue
        shift, opportunity = pool.pop(0)
        assert shift.id is not None  # loaded from the database
        at = min(city.now, shift.starts_at - timedelta(days=3))
        signup = Signup(
            shift_id=shift.id, user_id=user.id, state=state.value, created_at=at, updated_at=at,
            decided_at=at if state != SignupState.APPLIED else None,
            accepted_at=at if state != SignupState.APPLIED else None,
        )  # fmt: skip
        session.add(signup)
        session.flush()
        if state == SignupState.ATTENDED:
            session.add(
                HourEntry(
                    user_id=user.id, organisation_id=opportunity.organisation_id,
                    signup_id=signup.id, worked_on=shift.starts_at.astimezone(city.tz).date(),
                    minutes=duration_minutes(shift.starts_at, shift.ends_at),
                    state=HourState.SUBMITTED.value, created_at=min(city.now, shift.ends_at),
                )
            )  # fmt: skip
    if shifts:
        # A year of weekly homework help: close to (not yet at) the Ehrenamtskarte's 200 hours.
        org_id = shifts[0][1].organisation_id
        today = city.now.astimezone(city.tz).date()
        for week in range(1, 47):
            worked = today - timedelta(weeks=week)
            at = datetime.combine(worked, time(20), tzinfo=city.tz)
            session.add(
                HourEntry(
                    user_id=user.id, organisation_id=org_id, worked_on=worked, minutes=240,
                    note="Hausaufgabenhilfe", state=HourState.CONFIRMED.value,
                    created_at=at, decided_at=at + timedelta(days=2),
                )
            )  # fmt: skip
    session.flush()


# --- entry point ----------------------------------------------------------------------------------


def load_demo_data(
    session: Session,
    *,
    now: datetime,
    scale: str | Scale = "demo",
    seed: int = DEFAULT_SEED,
    progress: bool | None = None,
) -> list[str]:
    """Fill the database with a realistic Bochum; returns summary lines for the CLI. Flushes only.

    ``scale`` is "demo" (≥ 60 associations in all 30 districts, ≥ 400 volunteers, ≥ 150 needs),
    "bochum" (150,000 volunteers, 10,000 needs) or a :class:`Scale`. ``progress`` shows tqdm
    bars on stderr (default: when stderr is a terminal).
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    size = SCALES[scale] if isinstance(scale, str) else scale
    show = sys.stderr.isatty() if progress is None else progress
    reference = sync_reference_data(session)
    city = CityPlan(default_gazetteer(), now=now, seed=seed)
    password_hash = hash_password(DEMO_PASSWORD)  # argon2 is slow by design: once for everyone
    accounts = _demo_accounts(session, city, password_hash)
    volunteer = accounts[DEMO_VOLUNTEER]
    had_history = bool(
        session.exec(
            select(func.count()).select_from(Signup).where(Signup.user_id == volunteer.id)
        ).one()
    )

    writer = Writer(session, city, progress=show)
    writer.coordinator_id = accounts[DEMO_COORDINATOR].id
    writer.org_admin_id = accounts[DEMO_ORG_ADMIN].id
    pools = Pools()
    writer.people(size.volunteers, password_hash, pools)
    writer.organisations(size, pools)
    if not had_history:
        _demo_volunteer_history(session, city, volunteer)
    session.flush()
    past = write_history(session, city, days=size.history_days)
    match_aggregates.stamp_first_acceptances(session)
    today = now.astimezone(city.tz).date()
    # The planned needs reach back four months; the coordinators' statistics read aggregates.
    match_aggregates.refresh(session, start=today - timedelta(days=130), end=today)
    c = writer.counts
    return [
        str(reference),
        f"Demo data ({scale if isinstance(scale, str) else 'custom'}): added {c.volunteers} "
        f"volunteers, {c.organisations} organisations, {c.opportunities} opportunities, "
        f"{c.shifts} shifts, {c.signups} sign-ups, {c.hours} hour entries",
        f"History ({size.history_days} days): added {past[0]} shifts, {past[1]} sign-ups, "
        f"{past[2]} hour entries",
        LOGINS_TEXT,
    ]
