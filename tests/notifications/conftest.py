"""Fixtures for notice tests: a little world (association, need, shift, volunteer, sign-up)
and a dispatcher wired to recording channels."""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlmodel import Session

from notifications.channels.inbox import InboxChannel
from notifications.channels.recording import RecordingChannel
from notifications.dispatcher import Dispatcher, Policy
from volunteer.models import (
    GuardianRequest,
    HourEntry,
    Membership,
    Opportunity,
    OpportunityStatus,
    Organisation,
    Shift,
    Signup,
    SignupState,
    User,
    VolunteerProfile,
)
from volunteer.platform.db import get_bind


@pytest.fixture
def world(
    session: Session, make_user: Callable[..., User], now: datetime
) -> Callable[..., dict[str, Any]]:
    """Create an association with a published need, one shift and an accepted volunteer."""

    def make(
        *, starts_at: datetime | None = None, state: str = SignupState.ACCEPTED, capacity: int = 3
    ) -> dict[str, Any]:
        admin = make_user(first_name="Vera")
        org = Organisation(
            name="Tafel Bochum e.V.",
            contact_email="info@tafel.example",
            phone="0234 123456",
            verified_at=now,
            created_at=now,
        )
        session.add(org)
        session.flush()
        session.add(Membership(organisation_id=org.id, user_id=admin.id, role="admin"))
        opp = Opportunity(
            organisation_id=org.id,
            title="Lebensmittel sortieren",
            status=OpportunityStatus.PUBLISHED,
            address="Hauptstraße 1, 44787 Bochum",
            published_at=now,
            created_at=now,
        )
        session.add(opp)
        session.flush()
        start = starts_at or now + timedelta(days=2)
        shift = Shift(
            opportunity_id=opp.id,
            starts_at=start,
            ends_at=start + timedelta(hours=3),
            capacity=capacity,
            place="Lager, Eingang B",
            created_at=now,
            updated_at=now,
        )
        session.add(shift)
        volunteer = make_user(first_name="Aylin", locale="de")
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

    return make


@pytest.fixture
def recording() -> RecordingChannel:
    return RecordingChannel()


@pytest.fixture
def clock(now: datetime) -> dict[str, datetime]:
    """A movable clock for the dispatcher: ``clock["now"] += timedelta(...)``."""
    return {"now": now}


@pytest.fixture
def dispatcher(app: Flask, recording: RecordingChannel, clock: dict[str, datetime]) -> Dispatcher:
    return Dispatcher(
        app,
        get_bind(app),
        {"email": recording, "inapp": InboxChannel()},
        policy=Policy(batch_size=50),
        worker="test",
        clock=lambda: clock["now"],
    )
