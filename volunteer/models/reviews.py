"""A coordinator's decision on an organisation that waits to be listed, kept as its history.

Verification is not a single click: a coordinator approves, asks for more information (with a
message), or rejects with a reason; the organisation is told each time and both sides see the
whole history. Approval itself still sets ``Organisation.verified_at`` (what listing reads).
"""

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from volunteer.models.base import at_field


class ReviewDecision(StrEnum):
    APPROVED = "approved"
    INFO_REQUESTED = "info_requested"
    REJECTED = "rejected"


class OrganisationReview(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    decision: str = Field(max_length=20)
    message: str = Field(default="", max_length=2000)
    decided_by_id: int | None = Field(default=None, foreign_key="user.id")
    decided_at: datetime = at_field(nullable=False)
