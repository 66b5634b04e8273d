"""Plain helpers for the volunteer-journey tests: a verified organisation with a published need."""

from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from volunteer.models import (
    MemberRole,
    Membership,
    Opportunity,
    OpportunityStatus,
    Organisation,
    Shift,
    User,
    VolunteerProfile,
)


def make_organisation(session: Session, now: datetime, **overrides: Any) -> Organisation:
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


def make_shift(
    session: Session,
    now: datetime,
    opportunity: Opportunity | None = None,
    *,
    starts_in: timedelta = timedelta(days=3),
    hours: float = 3,
    **overrides: Any,
) -> Shift:
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


def add_member(session: Session, organisation: Organisation, user: User) -> Membership:
    m = Membership(organisation_id=organisation.id, user_id=user.id, role=MemberRole.ADMIN)
    session.add(m)
    session.commit()
    return m


def set_profile(session: Session, user: User, **values: Any) -> VolunteerProfile:
    profile = session.get(VolunteerProfile, user.id) or VolunteerProfile(user_id=user.id)
    for key, value in values.items():
        setattr(profile, key, value)
    session.add(profile)
    session.commit()
    return profile


def fill_profile(client: Any, data: dict[str, Any]) -> None:
    """Both steps of the profile through its pages, as a person does: step one (where, when,
    what matters, age), then step two (skills, languages, the rest). Each step's form reads
    only its own fields from ``data``."""
    first = client.post("/ich/profil", data=data)
    assert first.status_code == 302, first.get_data(as_text=True)[:2000]
    second = client.post("/ich/profil/mehr", data=data)
    assert second.status_code == 302, second.get_data(as_text=True)[:2000]
