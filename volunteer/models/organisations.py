"""Associations (Vereine, initiatives, ...) and who acts for them."""

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel, UniqueConstraint

from volunteer.models.base import at_field


class OrganisationKind(StrEnum):
    VEREIN = "verein"
    INITIATIVE = "initiative"
    CHURCH = "church"
    PUBLIC = "public"
    COMPANY = "company"


class MemberRole(StrEnum):
    ADMIN = "admin"
    MEMBER = "member"


class Organisation(SQLModel, table=True):
    """An association. Unlisted until a city coordinator verifies it (``verified_at``)."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=160, index=True)
    kind: str = Field(default=OrganisationKind.VEREIN, max_length=20)
    register_number: str | None = Field(default=None, max_length=40)
    address: str = Field(default="", max_length=200)
    postcode: str | None = Field(default=None, max_length=5)
    district_number: int | None = Field(default=None, foreign_key="district.number", index=True)
    lat: float | None = None
    lon: float | None = None
    contact_email: str = Field(default="", max_length=254)
    phone: str = Field(default="", max_length=40)
    website: str = Field(default="", max_length=200)
    description: str = Field(default="", max_length=5000)
    logo: bytes | None = None
    logo_type: str | None = Field(default=None, max_length=30)
    created_at: datetime = at_field(default_now=True)
    verified_at: datetime | None = at_field(index=True)
    verified_by_id: int | None = Field(default=None, foreign_key="user.id")


class Membership(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("organisation_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    role: str = Field(default=MemberRole.MEMBER, max_length=10)
    created_at: datetime = at_field(default_now=True)


class OrganisationCause(SQLModel, table=True):
    organisation_id: int = Field(foreign_key="organisation.id", primary_key=True)
    cause_id: int = Field(foreign_key="cause.id", primary_key=True)


class ConductCheck(SQLModel, table=True):
    """That an organisation has *seen* a volunteer's certificate of conduct, and when.

    The document itself is never stored (data minimisation; section 72a SGB VIII).
    """

    __table_args__ = (UniqueConstraint("organisation_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    seen_at: datetime = at_field(nullable=False)
    recorded_by_id: int | None = Field(default=None, foreign_key="user.id")
