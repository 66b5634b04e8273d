"""The audit log: who did what to which object, for accountability and the coordinators."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from volunteer.models.base import at_field


class AuditEntry(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = at_field(default_now=True, index=True)
    actor_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    action: str = Field(max_length=60, index=True)
    object_type: str = Field(default="", max_length=40)
    object_id: int | None = None
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
