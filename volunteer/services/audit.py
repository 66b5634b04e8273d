"""The audit log: every security-relevant or coordinator-visible change leaves a row."""

from datetime import datetime
from typing import Any

from sqlmodel import Session

from volunteer.models import AuditEntry, User


def record(
    session: Session,
    action: str,
    *,
    actor: User | None,
    now: datetime,
    object_type: str = "",
    object_id: int | None = None,
    **details: Any,
) -> AuditEntry:
    entry = AuditEntry(
        at=now,
        actor_id=actor.id if actor else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        details=details,
    )
    session.add(entry)
    return entry
