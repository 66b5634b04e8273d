"""Sign-ups for shifts and hour entries, each with an explicit state machine."""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import case
from sqlmodel import Field, SQLModel, UniqueConstraint, col

from volunteer.models.base import at_field


class SignupState(StrEnum):
    APPLIED = "applied"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    WAITLISTED = "waitlisted"
    ATTENDED = "attended"
    NO_SHOW = "no_show"


# The only moves a sign-up may make. Services consult this table; nothing else decides.
SIGNUP_TRANSITIONS: dict[SignupState, frozenset[SignupState]] = {
    SignupState.APPLIED: frozenset(
        {SignupState.ACCEPTED, SignupState.DECLINED, SignupState.WITHDRAWN, SignupState.WAITLISTED}
    ),
    SignupState.WAITLISTED: frozenset(
        {SignupState.APPLIED, SignupState.ACCEPTED, SignupState.DECLINED, SignupState.WITHDRAWN}
    ),
    SignupState.ACCEPTED: frozenset(
        {SignupState.WITHDRAWN, SignupState.ATTENDED, SignupState.NO_SHOW}
    ),
    SignupState.DECLINED: frozenset(),
    SignupState.WITHDRAWN: frozenset(),
    SignupState.ATTENDED: frozenset({SignupState.NO_SHOW}),
    SignupState.NO_SHOW: frozenset({SignupState.ATTENDED}),
}

# States that hold a place on the shift (count against capacity).
PLACE_HOLDING_STATES = frozenset({SignupState.APPLIED, SignupState.ACCEPTED, SignupState.ATTENDED})


class Signup(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("shift_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    shift_id: int = Field(foreign_key="shift.id", index=True)
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    state: str = Field(default=SignupState.APPLIED, max_length=12, index=True)
    message: str = Field(default="", max_length=2000)
    reason: str = Field(default="", max_length=2000)
    created_at: datetime = at_field(default_now=True)
    updated_at: datetime = at_field(default_now=True)
    decided_at: datetime | None = at_field()
    decided_by_id: int | None = Field(default=None, foreign_key="user.id")
    # When the place was confirmed; kept through attended/no-show (decided_at moves on), so the
    # match statistics can count acceptances by day.
    accepted_at: datetime | None = at_field()


def holds_place() -> Any:
    """1 for a sign-up that holds a place (:data:`PLACE_HOLDING_STATES`), else 0: summed, a
    shift's places taken, the one count capacity is checked against. The state is counted, not
    filtered: a WHERE on it lets SQLite (no statistics) walk the state index over every sign-up
    of the city instead of the few shifts' sign-ups (130 ms -> 1 ms)."""
    return case((col(Signup.state).in_([s.value for s in PLACE_HOLDING_STATES]), 1), else_=0)


class HourState(StrEnum):
    SUBMITTED = "submitted"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


HOUR_TRANSITIONS: dict[HourState, frozenset[HourState]] = {
    HourState.SUBMITTED: frozenset({HourState.CONFIRMED, HourState.REJECTED}),
    HourState.CONFIRMED: frozenset(),
    HourState.REJECTED: frozenset(),
}


class HourEntry(SQLModel, table=True):
    """Hours a volunteer did for an organisation; confirmed ones count for the Ehrenamtskarte."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    signup_id: int | None = Field(default=None, foreign_key="signup.id", index=True)
    worked_on: date
    minutes: int
    note: str = Field(default="", max_length=1000)
    state: str = Field(default=HourState.SUBMITTED, max_length=10, index=True)
    created_at: datetime = at_field(default_now=True)
    decided_at: datetime | None = at_field()
    decided_by_id: int | None = Field(default=None, foreign_key="user.id")
