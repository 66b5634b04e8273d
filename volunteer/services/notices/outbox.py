"""Writing notices into the outbox, in the caller's transaction.

The web app never sends anything itself: it adds outbox rows next to the change that caused
them, so either both are committed or neither. The ``notifications`` package delivers the rows
(checking preferences and quiet hours at delivery time) and renders
``templates/notices/<kind>/``. The unique ``dedupe_key`` makes producing a notice twice harmless.

Payloads carry ids and a few facts frozen at the time of the event, never rendered text: the
renderer loads what it needs and writes in the recipient's language.

The **mail budget** lives here, so it holds whatever page or job asks for a mail: no address
gets more than ``mail_budget`` budgeted mails (links to confirm, reset or join, see
``Kind.budgeted``) per hour. One over the budget is still written, as ``skipped`` with
``last_error = "mail_budget"``, so the refusal is on record and the dispatcher never sends it;
the caller answers the user exactly as if it had gone out. Per-address rate limits on the forms
(``volunteer.web.limits``) slow the requests down; the budget caps what reaches an inbox even
when requests come from many addresses, endpoints or nodes.
"""

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from volunteer.models import Notice, NoticeStatus, User
from volunteer.platform.db import count_rows
from volunteer.services.notices.kinds import BUDGETED_KINDS, SECURITY_KINDS, check_payload

EMAIL = "email"
INAPP = "inapp"
#: ``Notice.last_error`` of a mail refused by the recipient's budget.
OVER_BUDGET = "mail_budget"
BUDGET_WINDOW = timedelta(hours=1)


class MissingBudget(ValueError):
    """A producer queued a budgeted kind without the budget (a programming error)."""


def budgeted_mails(session: Session, address: str, *, now: datetime) -> int:
    """Budgeted mails queued for ``address`` (case-insensitively) within the last hour and not
    refused: what its budget has used up."""
    return count_rows(
        session,
        Notice,
        Notice.channel == EMAIL,
        col(Notice.kind).in_(BUDGETED_KINDS),
        func.lower(Notice.to_email) == address.strip().lower(),
        Notice.created_at > now - BUDGET_WINDOW,
        Notice.status != NoticeStatus.SKIPPED,
    )


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
    mail_budget: int | None = None,
) -> list[Notice]:
    """Add one notice per channel unless it exists (key ``<dedupe_key>:<channel>``).

    Raises :class:`~volunteer.services.notices.kinds.UnknownKind` for an undeclared kind and
    :class:`~volunteer.services.notices.kinds.PayloadMismatch` for a payload lacking a key the
    kind's templates read: both are the producer's bug, caught in the producer's own test.
    A budgeted kind needs ``mail_budget`` (the boundary's ``MAIL_BUDGET_PER_HOUR``), else
    :class:`MissingBudget`; its e-mail beyond the budget is written as refused (module doc).
    """
    payload = payload or {}
    check_payload(kind, payload)
    budgeted = kind in BUDGETED_KINDS
    if budgeted and mail_budget is None:
        raise MissingBudget(f"{kind} is budgeted: pass mail_budget")
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
        over = budgeted and notice.to_email and mail_budget is not None
        if over and budgeted_mails(session, str(notice.to_email), now=now) >= int(mail_budget or 0):
            notice.status = NoticeStatus.SKIPPED
            notice.last_error = OVER_BUDGET
        session.add(notice)
        out.append(notice)
    session.flush()
    return out


def enqueue_each(
    session: Session,
    kind: str,
    people: Iterable[User],
    *,
    dedupe_key: str,
    now: datetime,
    payload: dict[str, Any],
) -> None:
    """One notice of ``kind`` per person (key ``<dedupe_key>:<person's id>``), all with the same
    payload: how a body of people (an organisation's admins or members, the coordinators) hears
    of one event, each in their own language and by their own preferences."""
    for person in people:
        enqueue(
            session, kind, dedupe_key=f"{dedupe_key}:{person.id}", now=now, user=person,
            payload=payload,
        )  # fmt: skip
