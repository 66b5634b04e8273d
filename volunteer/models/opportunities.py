"""Needs that associations post, and their shifts."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from volunteer.models.base import at_field


class OpportunityStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    PAUSED = "paused"
    CLOSED = "closed"


class Opportunity(SQLModel, table=True):
    __table_args__ = (Index("ix_opportunity_status_district", "status", "district_number"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    title: str = Field(max_length=160)
    description: str = Field(default="", max_length=10000)
    status: str = Field(default=OpportunityStatus.DRAFT, max_length=12, index=True)
    is_remote: bool = False
    address: str = Field(default="", max_length=200)
    postcode: str | None = Field(default=None, max_length=5)
    district_number: int | None = Field(default=None, foreign_key="district.number")
    lat: float | None = None
    lon: float | None = None
    minors_ok: bool = False
    step_free: bool = False
    regular: bool = False  # a regular (weekly) engagement rather than a one-off
    needs_conduct_certificate: bool = False
    languages: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    created_at: datetime = at_field(default_now=True)
    updated_at: datetime = at_field(default_now=True)
    published_at: datetime | None = at_field(index=True)
    # The first time a volunteer was accepted for one of its shifts: the match statistics'
    # "time from publishing to the first accepted volunteer" without scanning the sign-ups.
    first_accepted_at: datetime | None = at_field(index=True)


class OpportunitySkill(SQLModel, table=True):
    opportunity_id: int = Field(foreign_key="opportunity.id", primary_key=True)
    skill_id: int = Field(foreign_key="skill.id", primary_key=True, index=True)
    required: bool = True


class OpportunityCause(SQLModel, table=True):
    opportunity_id: int = Field(foreign_key="opportunity.id", primary_key=True)
    cause_id: int = Field(foreign_key="cause.id", primary_key=True, index=True)


class Shift(SQLModel, table=True):
    """One occurrence with a start, an end, a capacity and a place.

    ``series_id`` groups the occurrences generated from one weekly recurrence.
    """

    # cancelled_at rides along so "an upcoming, not cancelled shift of this need" (search's date
    # filter, shift facts) is answered from the index alone, without reading shift rows.
    __table_args__ = (
        Index(
            "ix_shift_opportunity_starts_cancelled", "opportunity_id", "starts_at", "cancelled_at"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    opportunity_id: int = Field(foreign_key="opportunity.id")
    starts_at: datetime = at_field(nullable=False, index=True)
    ends_at: datetime = at_field(nullable=False)
    capacity: int = Field(default=1)
    place: str = Field(default="", max_length=200)
    series_id: str | None = Field(default=None, max_length=36, index=True)
    cancelled_at: datetime | None = at_field()
    # The calendar SEQUENCE: raised whenever the time or place changes or the shift is cancelled,
    # so calendar apps take the newer version of the event (see services/engagement/calendar.py).
    sequence: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    created_at: datetime = at_field(default_now=True)
    updated_at: datetime = at_field(default_now=True)
