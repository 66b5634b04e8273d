"""What operators watch, read from the database: the outbox and the scheduler's leadership.

Read at scrape time by ``/metrics``, so the answer is the same whichever node is asked.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, type_coerce
from sqlmodel import Session, col, select

from volunteer.models import Notice, NoticeStatus, SchedulerLease
from volunteer.models.types import UTCDateTime


@dataclass(frozen=True)
class OutboxState:
    by_state: dict[str, int]
    # Seconds the oldest pending notice is overdue (0 when nothing is due).
    oldest_due_age: float


@dataclass(frozen=True)
class Leadership:
    name: str
    holder: str
    seconds_left: float  # negative: the lease ran out and nobody took it over yet


def outbox_state(session: Session, *, now: datetime) -> OutboxState:
    counts = {status.value: 0 for status in NoticeStatus}
    for status, count in session.exec(
        select(Notice.status, func.count()).group_by(col(Notice.status))
    ).all():
        counts[str(status)] = int(count)
    # type_coerce keeps the column's UTC type, so SQLite hands back an aware datetime too.
    oldest = session.exec(
        select(type_coerce(func.min(Notice.due_at), UTCDateTime)).where(
            col(Notice.status) == NoticeStatus.PENDING, col(Notice.due_at) <= now
        )
    ).one()
    age = max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0
    return OutboxState(by_state=counts, oldest_due_age=age)


def leadership(session: Session, *, now: datetime) -> list[Leadership]:
    return [
        Leadership(
            name=lease.name,
            holder=lease.holder,
            seconds_left=(lease.expires_at - now).total_seconds(),
        )
        for lease in session.exec(select(SchedulerLease)).all()
    ]
