"""Recording what happened to a claimed notice: sent, skipped, failed, retried or deferred.

Every outcome is one ``UPDATE`` fenced by the claim token (a row whose lease another dispatcher
took over is left alone and counted as ``lost_lease``). Delivered notices are marked ``sent`` in
groups (``mark_every`` messages or ``mark_within`` seconds: one statement, one commit), so a
crash after the server accepted a message re-sends at most one unmarked group, never a notice
already marked ``sent``. A group the database refuses is marked row by row, so one poison
row (a NUL byte PostgreSQL cannot store) fails alone and the rest of its group is delivered.
"""

import logging
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, update
from sqlalchemy.exc import DataError, IntegrityError
from sqlmodel import Session, col

from notifications.dispatcher.leases import Policy
from volunteer.models import Notice, NoticeStatus

log = logging.getLogger(__name__)


@dataclass
class Stats:
    claimed: int = 0
    sent: int = 0
    skipped: int = 0
    deferred: int = 0
    retried: int = 0
    failed: int = 0
    lost_lease: int = 0
    released: int = 0
    reasons: dict[str, int] = field(default_factory=dict)

    def add(self, other: "Stats") -> None:
        for name in (
            "claimed",
            "sent",
            "skipped",
            "deferred",
            "retried",
            "failed",
            "lost_lease",
            "released",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for k, v in other.reasons.items():
            self.reasons[k] = self.reasons.get(k, 0) + v


def backoff(attempts: int, policy: Policy, rng: random.Random | None = None) -> timedelta:
    """Delay before attempt ``attempts + 1``: base * 2^(attempts-1), capped, plus up to 10 %."""
    seconds = min(
        policy.backoff_cap.total_seconds(),
        policy.backoff_base.total_seconds() * 2 ** max(0, attempts - 1),
    )
    jitter = (rng or random).uniform(0, seconds * 0.1)
    return timedelta(seconds=seconds + jitter)


class Marker:
    """The outcomes of one claimed batch (one session, one claim token, one ``Stats``)."""

    def __init__(
        self,
        s: Session,
        token: str,
        stats: Stats,
        *,
        policy: Policy,
    ) -> None:
        self.s, self.token, self.stats = s, token, stats
        self.policy = policy
        self._delivered: list[tuple[Notice, datetime]] = []
        self._started = 0.0

    def _update(self, n: Notice, **values: Any) -> bool:
        result = self.s.execute(
            update(Notice)
            .where(col(Notice.id) == n.id, col(Notice.claimed_by) == self.token)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        self.s.commit()
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def finish(self, n: Notice, status: str, reason: str | None) -> None:
        """A final outcome other than a delivery: skipped or failed, with the reason."""
        values: dict[str, Any] = {
            "status": status,
            "lease_until": None,
            "last_error": reason[:1000] if reason else None,
            "attempts": n.attempts + (1 if status == NoticeStatus.FAILED else 0),
        }
        if not self._update(n, **values):
            self.stats.lost_lease += 1
            log.warning("notice %s: lease lost before marking it %s", n.id, status)
            return
        if status == NoticeStatus.FAILED:
            self.stats.failed += 1
        else:
            self.stats.skipped += 1
        if reason:
            key = reason.split(":")[0]
            self.stats.reasons[key] = self.stats.reasons.get(key, 0) + 1

    def retry(self, n: Notice, now: datetime, error: Exception) -> None:
        attempts = n.attempts + 1
        if attempts >= self.policy.max_attempts:
            n.attempts = attempts - 1
            self.finish(n, NoticeStatus.FAILED, f"gave up after {attempts} attempts: {error}")
            return
        if self._update(
            n,
            attempts=attempts,
            due_at=now + backoff(attempts, self.policy),
            lease_until=None,
            claimed_by=None,
            last_error=str(error)[:1000],
        ):
            self.stats.retried += 1

    def defer(self, n: Notice, until: datetime) -> None:
        if self._update(n, due_at=until, lease_until=None, claimed_by=None):
            self.stats.deferred += 1

    def release(self, n: Notice) -> None:
        self._update(n, lease_until=None, claimed_by=None)

    # -- delivered notices, marked ``sent`` in groups ---------------------------------------------
    def delivered(self, n: Notice, at: datetime) -> None:
        if not self._delivered:
            self._started = time.monotonic()
        self._delivered.append((n, at))
        if (
            len(self._delivered) >= self.policy.mark_every
            or time.monotonic() - self._started >= self.policy.mark_within.total_seconds()
        ):
            self.flush()

    @contextmanager
    def group(self) -> Iterator["Marker"]:
        """Flush delivered notices when the channel batch ends, also on an exception, so what
        the server accepted is recorded whenever the database still answers."""
        try:
            yield self
        finally:
            self.flush()

    def flush(self) -> None:
        group, self._delivered = self._delivered, []
        if not group:
            return
        try:
            self._mark_sent(group)
        except (DataError, IntegrityError):
            # One row the database refuses (PostgreSQL: a NUL byte in a message's text) must not
            # hold back its group: mark each on its own, and fail only the poison one for good.
            self.s.rollback()
            if len(group) == 1:
                self._poisoned(group[0][0])
                return
            for item in group:
                try:
                    self._mark_sent([item])
                except (DataError, IntegrityError):
                    self.s.rollback()
                    self._poisoned(item[0])

    def _poisoned(self, n: Notice) -> None:
        log.error("notice %s: delivered, but its text could not be stored", n.id)
        self.finish(n, NoticeStatus.FAILED, "could not be stored: the database refused its text")

    def _mark_sent(self, group: list[tuple[Notice, datetime]]) -> None:
        rows = [
            {
                "nid": n.id,
                "v_sent_at": at,
                "v_attempts": n.attempts + 1,
                "v_to_email": n.to_email,
                "v_locale": n.locale,
                "v_subject": n.subject,
                "v_body": n.body,
                "v_link": n.link,
            }
            for n, at in group
        ]
        stmt = (
            update(Notice)
            .where(col(Notice.id) == bindparam("nid"), col(Notice.claimed_by) == self.token)
            .values(
                status=NoticeStatus.SENT,
                lease_until=None,
                last_error=None,
                sent_at=bindparam("v_sent_at"),
                attempts=bindparam("v_attempts"),
                to_email=bindparam("v_to_email"),
                locale=bindparam("v_locale"),
                subject=bindparam("v_subject"),
                body=bindparam("v_body"),
                link=bindparam("v_link"),
            )
        )
        result = self.s.connection().execute(stmt, rows)
        self.s.commit()
        marked = result.rowcount if result.rowcount >= 0 else len(rows)
        self.stats.sent += marked
        if marked < len(rows):
            self.stats.lost_lease += len(rows) - marked
            log.warning("%d sent notices: lease lost before marking them", len(rows) - marked)
