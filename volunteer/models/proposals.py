"""City-wide assignment proposals: a queued run, its stored result, and invitations sent from it.

A run is queued by a coordinator and computed by the worker process (``notifications``), never in
a web request, because at city scale the engine needs seconds. Everything the result page and
the CSV show is stored here when the run finishes, so neither recomputes anything and both show
what the coordinator acted on. A pair becomes an invitation when the coordinator sends it; the
volunteer's answer leads into the normal sign-up, never around it.
"""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel, UniqueConstraint

from volunteer.models.base import at_field


class ProposalStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class InvitationAnswer(StrEnum):
    ACCEPTED = "accepted"
    DECLINED = "declined"


class ProposalRun(SQLModel, table=True):
    """One proposal: who asked for it with which options, its progress and its figures."""

    __table_args__ = (Index("ix_proposalrun_status", "status", "requested_at"),)

    id: int | None = Field(default=None, primary_key=True)
    requested_by_id: int | None = Field(default=None, foreign_key="user.id")
    requested_at: datetime = at_field(nullable=False)
    status: str = Field(default=ProposalStatus.QUEUED, max_length=10)
    # Shifts starting on these days (Europe/Berlin, both inclusive) are proposed.
    period_start: date
    period_end: date
    district_numbers: list[int] = Field(default_factory=list, sa_column=Column(JSON))
    cause_slugs: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    fill_fairly: bool = False
    claimed_by: str | None = Field(default=None, max_length=80)
    lease_until: datetime | None = at_field()
    started_at: datetime | None = at_field()
    finished_at: datetime | None = at_field()
    progress: int = 0  # percent, for the status page
    figures: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    error: str | None = Field(default=None, max_length=1000)


class ProposalPair(SQLModel, table=True):
    """A proposed volunteer for one dated shift of a need, and the invitation if one was sent.

    The need is the shift's (``Shift.opportunity_id``): a column and a foreign key of its own
    would cost the worker one more check per stored pair, 36,500 of them at Bochum scale. The
    unique key's leading ``run_id`` is the index a run's pairs are read by.
    """

    __table_args__ = (
        UniqueConstraint(
            "run_id",
            "volunteer_id",
            "shift_id",
            name="proposalpair_run_id_volunteer_id_shift_id_key",
        ),
        Index("ix_proposalpair_volunteer_invited", "volunteer_id", "invited_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="proposalrun.id")
    volunteer_id: int = Field(foreign_key="user.id")
    shift_id: int = Field(foreign_key="shift.id")
    score: float
    invited_at: datetime | None = at_field()
    invited_by_id: int | None = Field(default=None, foreign_key="user.id")
    answer: str | None = Field(default=None, max_length=10)
    answered_at: datetime | None = at_field()
    signup_id: int | None = Field(default=None, foreign_key="signup.id")


class GapReport(SQLModel, table=True):
    """The gap map as the scheduler last computed it (``services/coordination/gaps.py``).

    At city scale the engine needs seconds to test every need against every volunteer, so a
    scheduled rule computes it and the pages show this stored result with its age; ``rows`` holds
    the ranked gaps with their needs, slots and near misses, counted, never naming anyone.
    """

    id: int | None = Field(default=None, primary_key=True)
    computed_at: datetime = at_field(nullable=False, index=True)
    seconds: float = 0.0
    rows: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
