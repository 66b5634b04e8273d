"""People: accounts, volunteer profiles, consents and notice preferences."""

import secrets
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from volunteer.models.base import at_field


def new_alternative_id() -> str:
    """The session identifier Flask-Login stores; rotating it revokes every copied cookie."""
    return secrets.token_urlsafe(24)


class Role(StrEnum):
    """City-wide role. Organisation roles live on memberships, per organisation."""

    VOLUNTEER = "volunteer"
    COORDINATOR = "coordinator"


class AgeGroup(StrEnum):
    UNDER_16 = "under16"
    MINOR = "16to17"
    ADULT = "adult"


class User(SQLModel, table=True):
    """An account. ``email_key`` is the lower-cased address: unique case-insensitively."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254)
    email_key: str = Field(max_length=254, unique=True)
    password_hash: str = Field(max_length=255)
    alternative_id: str = Field(default_factory=new_alternative_id, max_length=64, unique=True)
    first_name: str = Field(default="", max_length=80)
    last_name: str = Field(default="", max_length=80)
    locale: str = Field(default="de", max_length=5)
    role: str = Field(default=Role.VOLUNTEER, max_length=20, index=True)
    email_verified_at: datetime | None = at_field()
    created_at: datetime = at_field(default_now=True)
    last_login_at: datetime | None = at_field()
    password_changed_at: datetime | None = at_field()
    deleted_at: datetime | None = at_field(index=True)
    ical_token: str | None = Field(default=None, max_length=64, unique=True)

    # Flask-Login's user protocol, without importing Flask into the models.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    @property
    def is_active(self) -> bool:
        return self.deleted_at is None

    def get_id(self) -> str:
        return self.alternative_id

    @property
    def display_name(self) -> str:
        return self.first_name or self.email.split("@", 1)[0]

    @property
    def is_coordinator(self) -> bool:
        return self.role == Role.COORDINATOR


class VolunteerProfile(SQLModel, table=True):
    """What the engine needs to know about a volunteer, plus their notice preferences."""

    user_id: int = Field(foreign_key="user.id", primary_key=True)
    postcode: str | None = Field(default=None, max_length=5)
    address: str = Field(default="", max_length=200)
    district_number: int | None = Field(default=None, foreign_key="district.number", index=True)
    lat: float | None = None
    lon: float | None = None
    radius_km: float = Field(default=5.0)
    availability: int = Field(default=0)  # 21-bit mask, bit = day * 3 + part (mon-morning = 0)
    languages: list[str] = Field(default_factory=lambda: ["de"], sa_column=Column(JSON))
    age_group: str = Field(default=AgeGroup.ADULT, max_length=10)
    guardian_email: str | None = Field(default=None, max_length=254)
    guardian_consent_at: datetime | None = at_field()
    # Opt-in (GDPR art. 7): nobody is findable by associations until they tick the box.
    discoverable: bool = Field(default=False, index=True)
    about: str = Field(default="", max_length=2000)
    capacity: int = Field(default=1)
    digest_frequency: str = Field(default="weekly", max_length=10)  # never / weekly
    quiet_start_hour: int | None = None  # Europe/Berlin, e.g. 21
    quiet_end_hour: int | None = None  # e.g. 8
    completed_at: datetime | None = at_field()
    updated_at: datetime = at_field(default_now=True)

    @property
    def is_adult(self) -> bool:
        return self.age_group == AgeGroup.ADULT


class VolunteerSkill(SQLModel, table=True):
    user_id: int = Field(foreign_key="user.id", primary_key=True)
    skill_id: int = Field(foreign_key="skill.id", primary_key=True, index=True)


class VolunteerCause(SQLModel, table=True):
    user_id: int = Field(foreign_key="user.id", primary_key=True)
    cause_id: int = Field(foreign_key="cause.id", primary_key=True, index=True)


class NoticePreference(SQLModel, table=True):
    """An explicit choice per notice kind and channel; absent rows mean the kind's default."""

    user_id: int = Field(foreign_key="user.id", primary_key=True)
    kind: str = Field(primary_key=True, max_length=40)
    channel: str = Field(primary_key=True, max_length=10)  # email / inapp
    enabled: bool = True


class Consent(SQLModel, table=True):
    """A record of consents given and withdrawn (GDPR art. 7(1): the controller must prove them).

    ``version`` and ``text_sha256`` name the exact wording the person saw, so the record proves
    what was agreed even after the text changes; ``withdrawn_how`` says by which way it ended.
    """

    id: int | None = Field(default=None, primary_key=True)
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    kind: str = Field(max_length=40)  # privacy / discoverable / guardian
    version: str = Field(default="1", max_length=20)
    text_sha256: str = Field(default="", max_length=64)
    given_at: datetime = at_field(default_now=True)
    withdrawn_at: datetime | None = at_field()
    withdrawn_how: str = Field(default="", max_length=40)
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))


class GuardianState(StrEnum):
    PENDING = "pending"
    CONSENTED = "consented"
    DECLINED = "declined"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"
    SUPERSEDED = "superseded"  # a newer request (another address) replaced it


class GuardianRequest(SQLModel, table=True):
    """One request to a parent or guardian to consent for a child under 16 (GDPR art. 8).

    The link in the mail is signed with the app secret and names this row, so nothing secret
    is stored and the same link later serves to withdraw the consent.
    """

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    guardian_email: str = Field(max_length=254)
    state: str = Field(default=GuardianState.PENDING, max_length=12, index=True)
    requested_at: datetime = at_field(default_now=True)
    reminded_at: datetime | None = at_field()
    expires_at: datetime = at_field(nullable=False)
    answered_at: datetime | None = at_field()
    withdrawn_at: datetime | None = at_field()


class Token(SQLModel, table=True):
    """A single-use token (e-mail verification, reset, e-mail change, guardian consent, invite).

    Only a hash is stored, so a database leak does not hand out working links.
    """

    id: int | None = Field(default=None, primary_key=True)
    purpose: str = Field(max_length=30, index=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    email: str | None = Field(default=None, max_length=254)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    created_at: datetime = at_field(default_now=True)
    expires_at: datetime = at_field(nullable=False)
    used_at: datetime | None = at_field()
