"""Helpers shared by the model modules."""

from datetime import UTC, datetime
from typing import Any

from sqlmodel import Field

from volunteer.models.types import UTCDateTime


def utcnow() -> datetime:
    """Default for ``*_at`` columns; services pass their own ``now`` where it matters."""
    return datetime.now(UTC)


def at_field(*, nullable: bool = True, index: bool = False, default_now: bool = False) -> Any:
    """A timezone-aware UTC timestamp column (named ``*_at`` by convention)."""
    if default_now:
        return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=index)
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable, index=index)
