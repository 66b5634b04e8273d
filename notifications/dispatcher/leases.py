"""Claiming notices with a lease: who may send a due notice, and until when.

One statement marks up to ``batch_size`` due, unleased notices as ours until ``now + lease``
(PostgreSQL: a ``FOR UPDATE SKIP LOCKED`` CTE, so parallel dispatchers never wait for or
double-claim each other's rows; SQLite: a conditional ``UPDATE``, which SQLite serialises).
The claim is committed before anything is sent. Every later write to a claimed row carries the
claim token in its ``WHERE`` clause, so a dispatcher whose lease ran out cannot overwrite the
work of the one that took over.

The lease is short (30 s) and kept alive by a heartbeat while the dispatcher sends: a batch
takes as long as it takes, yet the notices of a dispatcher that was killed wait at most one
lease for the next one. A dispatcher that stops (or fails) releases what it has not sent, so
those wait for nobody.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, or_, update
from sqlmodel import Session, col, select

from volunteer.models import Notice, NoticeStatus


@dataclass(frozen=True)
class Policy:
    batch_size: int = 200
    # How long the notices of a dispatcher that died wait for another one.
    lease: timedelta = timedelta(seconds=30)
    # The heartbeat: a live dispatcher extends its batch's lease this often while it sends
    # (well inside ``lease``, so a send that blocks for a whole SMTP timeout does not lose it).
    renew_every: timedelta = timedelta(seconds=10)
    backoff_base: timedelta = timedelta(seconds=30)
    backoff_cap: timedelta = timedelta(hours=1)
    max_attempts: int = 16  # about 10 hours of retries with the defaults
    # Sent notices are marked in groups: one commit per this many messages or this much time.
    # A crash re-sends at most one unmarked group (same Message-IDs), never a marked notice.
    mark_every: int = 50
    mark_within: timedelta = timedelta(seconds=1)


def claim(
    session: Session, *, now: datetime, token: str, policy: Policy, limit: int | None = None
) -> list[int]:
    """Lease up to ``limit`` due notices to ``token``; returns their ids (caller commits)."""
    due = (
        col(Notice.status) == NoticeStatus.PENDING,
        col(Notice.due_at) <= now,
        or_(col(Notice.lease_until).is_(None), col(Notice.lease_until) < now),
    )
    pick = (
        select(Notice.id)
        .where(*due)
        .order_by(col(Notice.due_at), col(Notice.id))
        .limit(limit or policy.batch_size)
    )
    if session.get_bind().dialect.name == "postgresql":
        # A CTE with FOR UPDATE runs exactly once. (``id IN (subquery)`` with the due
        # conditions repeated outside let PostgreSQL re-run the locking subquery per row and
        # claim far more than ``limit`` rows; the fault test with four processes caught it.)
        picked = pick.with_for_update(skip_locked=True).cte("picked")
        stmt = (
            update(Notice)
            .where(col(Notice.id) == picked.c.id)
            .values(lease_until=now + policy.lease, claimed_by=token)
            .returning(col(Notice.id))
            .execution_options(synchronize_session=False)
        )
    else:
        # SQLite runs one writer at a time, so the conditional UPDATE is atomic.
        stmt = (
            update(Notice)
            .where(col(Notice.id).in_(pick.scalar_subquery()), *due)
            .values(lease_until=now + policy.lease, claimed_by=token)
            .returning(col(Notice.id))
            .execution_options(synchronize_session=False)
        )
    return [int(i) for i in session.execute(stmt).scalars().all()]


def _ours(token: str) -> tuple[ColumnElement[bool], ...]:
    return (col(Notice.claimed_by) == token, col(Notice.status) == NoticeStatus.PENDING)


class BatchLease:
    """The lease of one claimed batch: renewed by :meth:`heartbeat`, given up by :meth:`release`.

    Each call commits, so other dispatchers see the new lease at once.
    """

    def __init__(
        self, s: Session, token: str, *, policy: Policy, clock: Callable[[], datetime]
    ) -> None:
        self.s, self.token, self.policy, self.clock = s, token, policy, clock
        self._renewed = time.monotonic()
        self.held: set[int] | None = None  # None: everything we claimed is still ours

    def heartbeat(self) -> None:
        """Extend the lease when it is due. Afterwards :meth:`holds` tells which notices are
        still ours: one that another dispatcher took over (our lease had run out while a send
        blocked) must not be sent by us too."""
        if time.monotonic() - self._renewed < self.policy.renew_every.total_seconds():
            return
        ids = self.s.execute(
            update(Notice)
            .where(*_ours(self.token))
            .values(lease_until=self.clock() + self.policy.lease)
            .returning(col(Notice.id))
            .execution_options(synchronize_session=False)
        ).scalars()
        self.held = {int(i) for i in ids}
        self.s.commit()
        self._renewed = time.monotonic()

    def holds(self, notice_id: int | None) -> bool:
        return self.held is None or notice_id in self.held

    def release(self) -> int:
        """Give back every notice of the batch not yet sent or decided; returns how many."""
        result = self.s.execute(
            update(Notice)
            .where(*_ours(self.token))
            .values(lease_until=None, claimed_by=None)
            .execution_options(synchronize_session=False)
        )
        self.s.commit()
        return int(result.rowcount)  # type: ignore[attr-defined]
