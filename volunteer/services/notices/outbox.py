"""Writing notices into the outbox, in the caller's transaction.

The web app never sends anything itself: it adds outbox rows next to the change that caused
them, so either both are committed or neither. The ``notifications`` package delivers the rows
(checking preferences and quiet hours at delivery time) and renders
``templates/notices/<kind>/``. The unique ``dedupe_key`` makes producing a notice twice harmless.

Payloads carry ids and a few facts frozen at the time of the event, never rendered text: the
renderer loads what it needs and writes in the recipient's language.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from volunteer.models import Notice, User
from volunteer.services.notices.kinds import SECURITY_KINDS, check_payload

EMAIL = "email"
INAPP = "inapp"


def default_channels(kind: str, user: User | None) -> tuple[str, ...]:
    """Security notices and mails to people without an account go by e-mail only."""
    if kind in SECURITY_KINDS or user is None:
        return (EMAIL,)
    return (EMAIL, INAPP)


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
    channels: Sequence[str] | None = None,
) -> list[Notice]:
    """Add one notice per channel unless it exists (key ``<dedupe_key>:<channel>``).

    Raises :class:`~volunteer.services.notices.kinds.UnknownKind` for an undeclared kind and
    :class:`~volunteer.services.notices.kinds.PayloadMismatch` for a payload lacking a key the
    kind's templates read: both are the producer's bug, caught in the producer's own test.
    """
    payload = payload or {}
    check_payload(kind, payload)
    out = []
    for channel in channels or default_channels(kind, user):
        key = f"{dedupe_key}:{channel}"
        existing = session.exec(select(Notice).where(Notice.dedupe_key == key)).first()
        if existing is not None:
            out.append(existing)
            continue
        notice = Notice(
            kind=kind,
            channel=channel,
            dedupe_key=key,
            user_id=user.id if user else None,
            to_email=(to_email or (user.email if user else None)) if channel == EMAIL else None,
            locale=locale or (user.locale if user else "de"),
            payload=payload,
            due_at=due_at or now,
            created_at=now,
        )
        session.add(notice)
        out.append(notice)
    session.flush()
    return out
