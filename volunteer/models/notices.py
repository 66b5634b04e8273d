"""The notice outbox and the scheduler's leader lease.

Producers insert notices in the same transaction as the change that caused them; the
``dedupe_key`` is unique, so running a rule twice is harmless. The dispatcher claims rows with a
lease (``lease_until``) so a crash between claim and send loses nothing.
"""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, Text
from sqlmodel import Field, SQLModel

from volunteer.models.base import at_field


class NoticeStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # permanent failure, shown to coordinators
    CANCELLED = "cancelled"
    SKIPPED = "skipped"  # e.g. the recipient turned this kind off (reason in last_error)


class Notice(SQLModel, table=True):
    __table_args__ = (
        Index("ix_notice_due", "status", "due_at"),
        Index("ix_notice_inbox", "user_id", "channel", "read_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=40)
    channel: str = Field(default="email", max_length=10)  # email / inapp
    dedupe_key: str = Field(max_length=200, unique=True)
    user_id: int | None = Field(default=None, foreign_key="user.id")
    to_email: str | None = Field(default=None, max_length=254)
    locale: str = Field(default="de", max_length=5)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    status: str = Field(default=NoticeStatus.PENDING, max_length=10)
    due_at: datetime = at_field(nullable=False)
    created_at: datetime = at_field(default_now=True)
    attempts: int = 0
    lease_until: datetime | None = at_field()
    claimed_by: str | None = Field(default=None, max_length=80)
    sent_at: datetime | None = at_field()
    last_error: str | None = Field(default=None, max_length=1000)
    read_at: datetime | None = at_field()
    # What the in-app inbox shows, rendered at delivery in the recipient's language (the web app
    # must not import the renderer, so the channel stores the text on the row).
    subject: str | None = Field(default=None, max_length=300)
    body: str | None = Field(default=None, sa_column=Column(Text))
    link: str | None = Field(default=None, max_length=500)


class SchedulerLease(SQLModel, table=True):
    """Which scheduler process leads, until when (a lease row; works on SQLite and PostgreSQL)."""

    name: str = Field(primary_key=True, max_length=40)
    holder: str = Field(max_length=80)
    expires_at: datetime = at_field(nullable=False)
