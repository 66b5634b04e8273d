"""Writing notices into the outbox, in the caller's transaction.

The web app never sends anything itself: it adds an outbox row next to the change that caused it,
so either both are committed or neither. The ``notifications`` package delivers the rows. The
unique ``dedupe_key`` makes producing the same notice twice harmless.
"""

from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from volunteer.models import Notice, User

# Notices a recipient cannot switch off: they protect the account itself.
SECURITY_KINDS = frozenset(
    {"verify_email", "password_reset", "email_change", "guardian_consent", "password_changed"}
)


def enqueue(
    session: Session,
    kind: str,
    *,
    dedupe_key: str,
    now: datetime,
    user: User | None = None,
    to_email: str | None = None,
    locale: str | None = None,
    payload: dict[str, Any] | None = None,
    due_at: datetime | None = None,
    channel: str = "email",
) -> Notice:
    """Add a notice unless one with the same key exists; return the stored notice."""
    existing = session.exec(select(Notice).where(Notice.dedupe_key == dedupe_key)).first()
    if existing is not None:
        return existing
    notice = Notice(
        kind=kind,
        channel=channel,
        dedupe_key=dedupe_key,
        user_id=user.id if user else None,
        to_email=to_email or (user.email if user and channel == "email" else None),
        locale=locale or (user.locale if user else "de"),
        payload=payload or {},
        due_at=due_at or now,
        created_at=now,
    )
    session.add(notice)
    session.flush()
    return notice
