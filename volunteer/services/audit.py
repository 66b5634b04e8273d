"""The audit log: every security-relevant or coordinator-visible change leaves a row."""

from datetime import datetime
from typing import Any, TypeVar

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


T = TypeVar("T")


def saved(
    session: Session,
    changed: T,
    action: str,
    *,
    actor: User | None,
    now: datetime,
    object_type: str = "",
    object_id: int | None = None,
    **details: Any,
) -> T:
    """Write a changed row together with its audit entry and flush; returns the row.

    The shape every audited state change ends with (a sign-up decided, a notice given up, a
    guardian's answer, an invitation revoked): the change and the entry that tells of it go into
    the same transaction, so the log never shows a change that did not happen, or misses one.
    """
    session.add(changed)
    record(
        session, action, actor=actor, now=now, object_type=object_type, object_id=object_id,
        **details,
    )  # fmt: skip
    session.flush()
    return changed
