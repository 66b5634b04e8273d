"""Notice rules: functions that look at the data and write due notices into the outbox.

Each rule takes ``(session, *, now)`` and returns how many notices it created. Every notice
has a dedupe key that names what it is about (``reminder-24h:<signup>:<shift start>``), so
running a rule twice, or in two processes at once, creates nothing new. Rules only flush; the
caller (the scheduler job, the CLI, a test) commits.
"""

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from volunteer.models import Notice, User
from volunteer.services.notices import outbox


def enqueue_new(
    session: Session,
    kind: str,
    *,
    dedupe_key: str,
    now: datetime,
    user: User,
    payload: dict[str, Any],
    due_at: datetime | None = None,
) -> int:
    """Queue a notice unless one with this key exists; 1 if it was new, else 0."""
    exists = session.exec(
        select(Notice.id).where(col(Notice.dedupe_key).startswith(dedupe_key + ":"))
    ).first()
    if exists is not None:
        return 0
    outbox.enqueue(
        session, kind, dedupe_key=dedupe_key, now=now, user=user, payload=payload, due_at=due_at
    )
    return 1
