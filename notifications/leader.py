"""Leader election with a lease row: exactly one scheduler runs the rules at a time.

Works on SQLite and PostgreSQL alike. The leader renews its lease well before it runs out;
if it dies, the lease expires and the next process to try takes over. Both the renewal and
the take-over are one conditional ``UPDATE`` (``WHERE holder = me OR expires_at < now``), so
two processes can never both believe they lead for the same instant. Rules are idempotent
anyway (unique dedupe keys): leadership saves work, it is not what prevents duplicates.
"""

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, or_, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from volunteer.models import SchedulerLease


class LeaderLease:
    def __init__(
        self,
        bind: Engine | Connection,
        holder: str,
        *,
        name: str = "notices",
        ttl: timedelta = timedelta(seconds=30),
    ) -> None:
        self.bind = bind
        self.holder = holder[:80]
        self.name = name
        self.ttl = ttl

    def _session(self) -> Session:
        return Session(bind=self.bind, join_transaction_mode="create_savepoint")

    def acquire(self, now: datetime) -> bool:
        """Take or renew the lease; True if this process leads until ``now + ttl``."""
        with self._session() as s:
            result = s.execute(
                update(SchedulerLease)
                .where(
                    col(SchedulerLease.name) == self.name,
                    or_(
                        col(SchedulerLease.holder) == self.holder,
                        col(SchedulerLease.expires_at) < now,
                    ),
                )
                .values(holder=self.holder, expires_at=now + self.ttl)
                .execution_options(synchronize_session=False)
            )
            if result.rowcount:  # type: ignore[attr-defined]
                s.commit()
                return True
            if s.get(SchedulerLease, self.name) is not None:
                s.rollback()
                return False
            s.add(SchedulerLease(name=self.name, holder=self.holder, expires_at=now + self.ttl))
            try:
                s.commit()
            except IntegrityError:  # another process inserted it first
                s.rollback()
                return False
            return True

    def release(self) -> None:
        """Give the lease up at shutdown so a successor does not wait for it to expire."""
        with self._session() as s:
            s.execute(
                update(SchedulerLease)
                .where(
                    col(SchedulerLease.name) == self.name,
                    col(SchedulerLease.holder) == self.holder,
                )
                .values(expires_at=datetime(1970, 1, 1, tzinfo=UTC))
                .execution_options(synchronize_session=False)
            )
            s.commit()
