"""Deliver due notices: claim a batch with a lease, send, mark sent in small groups.

The seams, one module each:

- :mod:`~notifications.dispatcher.leases`: **claim** a batch with a lease, fenced by a token.
- :mod:`~notifications.dispatcher.checks`: **decide at delivery** (preferences, quiet hours,
  deleted recipients, notices that are too late).
- this module: **send** the batch through its channels.
- :mod:`~notifications.dispatcher.marking`: **mark** what happened, sent notices in groups.

- **The guarantee** (the one the README states): *at-least-once delivery with idempotent
  Message-IDs*. No notice is lost: a crash after claiming leaves the rows leased, the lease
  (30 s, renewed by a heartbeat while the dispatcher lives) runs out and another dispatcher
  sends them; a dispatcher that stops releases what it has not sent. A notice marked ``sent``
  is never sent again. A crash after the SMTP server accepted a message but before its group
  was committed re-sends at most that group, with the same Message-ID (derived from the
  notice), so receiving servers and clients can drop the copy.
- **Failures.** Transient ones (server down, 4xx) retry with exponential backoff and jitter; a
  down server short-circuits the rest of the batch instead of hammering it. Permanent ones
  (5xx, no address, a template error) are recorded with the reason and shown to coordinators.

May import ``volunteer``'s models and services and :mod:`notifications.channels`; never the
scheduler or the CLI.
"""

import logging
import threading
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from flask import Flask
from sqlalchemy import Engine
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from notifications.channels import Channel, TransportError
from notifications.dispatcher.checks import RecipientChecks
from notifications.dispatcher.leases import BatchLease, Policy, claim
from notifications.dispatcher.marking import Marker, Stats, backoff
from notifications.render import Gone, render
from volunteer.models import Notice, NoticeStatus, User
from volunteer.platform.links import public_links

__all__ = ["Dispatcher", "Policy", "Stats", "backoff", "build_channels", "claim"]

log = logging.getLogger(__name__)


class Dispatcher:
    """One worker. Any number may run at once, in threads or processes, on one database."""

    def __init__(
        self,
        app: Flask,
        bind: Engine | Connection,
        channels: Mapping[str, Channel],
        *,
        policy: Policy | None = None,
        worker: str | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.app = app
        self.bind = bind
        self.channels = dict(channels)
        self.policy = policy or Policy()
        self.worker = (worker or f"dispatcher-{uuid.uuid4().hex[:8]}")[:60]
        self.clock = clock or (lambda: datetime.now(UTC))
        self.links = public_links(app)
        self._stopping = threading.Event()

    def _session(self) -> Session:
        return Session(
            bind=self.bind, expire_on_commit=False, join_transaction_mode="create_savepoint"
        )

    # -- the loop steps (each returns what it did, so tests call them directly) ------------------
    def claim_batch(self, now: datetime | None = None) -> tuple[str, list[int]]:
        now = now or self.clock()
        token = f"{self.worker}:{uuid.uuid4().hex[:12]}"
        with self._session() as s:
            ids = claim(s, now=now, token=token, policy=self.policy)
            s.commit()
        return token, ids

    def run_once(self, now: datetime | None = None) -> Stats:
        """Claim one batch and deliver it. Returns what happened (``claimed == 0``: idle)."""
        now = now or self.clock()
        token, ids = self.claim_batch(now)
        stats = Stats(claimed=len(ids))
        if ids:
            with self.app.app_context():
                self.deliver(token, ids, claimed_at=now, stats=stats)
        return stats

    def run_until_idle(self, *, max_batches: int = 1_000_000) -> Stats:
        total = Stats()
        for _ in range(max_batches):
            if self._stopping.is_set():
                break
            stats = self.run_once()
            total.add(stats)
            if stats.claimed == 0:
                break
        return total

    def stop(self) -> None:
        """Finish the notice being sent, release the rest of the batch, claim nothing more.

        Called from another thread (the scheduler's SIGTERM handler): the released notices are
        due again at once for any other dispatcher instead of waiting for the lease to end.
        """
        self._stopping.set()

    def deliver(self, token: str, ids: list[int], *, claimed_at: datetime, stats: Stats) -> None:
        """Send a claimed batch, renewing its lease as it goes; release what is left unsent."""
        with self._session() as s:
            lease = BatchLease(s, token, policy=self.policy, clock=self.clock)
            try:
                self._deliver(s, lease, ids, stats)
            finally:
                _release(s, lease, stats)

    def _deliver(self, s: Session, lease: BatchLease, ids: list[int], stats: Stats) -> None:
        token = lease.token
        notices = s.exec(
            select(Notice)
            .where(col(Notice.id).in_(ids), Notice.claimed_by == token)
            .order_by(col(Notice.channel), col(Notice.due_at), col(Notice.id))
        ).all()
        # Detached: what the checks and channels change on a notice (its current address,
        # the inbox text) is written only by the fenced updates below, never by autoflush.
        for n in notices:
            s.expunge(n)
        user_ids = {n.user_id for n in notices if n.user_id is not None}
        users = (
            {u.id: u for u in s.exec(select(User).where(col(User.id).in_(user_ids))).all()}
            if user_ids
            else {}
        )
        checks = RecipientChecks(s, user_ids)
        mark = Marker(s, token, stats, policy=self.policy)
        by_channel: dict[str, list[Notice]] = {}
        for n in notices:
            by_channel.setdefault(n.channel, []).append(n)
        for channel_name, group in by_channel.items():
            channel = self.channels.get(channel_name)
            if channel is None:
                for n in group:
                    mark.finish(n, NoticeStatus.FAILED, "no such channel")
                continue
            down: TransportError | None = None
            with channel.batch() as batch, mark.group():
                for n in group:
                    if self._stopping.is_set():
                        return  # the rest is released by deliver
                    lease.heartbeat()
                    if not lease.holds(n.id):
                        stats.lost_lease += 1
                        continue
                    now = self.clock()
                    if down is not None:
                        mark.retry(n, now, down)
                        continue
                    user = users.get(n.user_id) if n.user_id is not None else None
                    verdict = checks.check(s, n, user, now)
                    if verdict is not None:
                        status, reason, until = verdict
                        if until is not None:
                            mark.defer(n, until)
                        else:
                            mark.finish(n, status, reason)
                        continue
                    try:
                        message = render(
                            s, n, app=self.app, links=self.links, recipient=user, now=now
                        )
                    except Gone as e:
                        mark.finish(n, NoticeStatus.SKIPPED, f"gone: {e}")
                        continue
                    except Exception as e:  # a template bug must not stop the other notices
                        log.exception("rendering notice %s failed", n.id)
                        mark.finish(n, NoticeStatus.FAILED, f"render: {e!r}"[:900])
                        continue
                    try:
                        batch.send(n, message)
                    except TransportError as e:
                        if e.permanent:
                            mark.finish(n, NoticeStatus.FAILED, str(e))
                        else:
                            mark.retry(n, now, e)
                            if _is_connection_error(e):
                                down = e
                        continue
                    mark.delivered(n, now)


def _release(s: Session, lease: BatchLease, stats: Stats) -> None:
    """Hand back what the batch did not get to. If the database is what failed, there is
    nothing to do: the lease, no longer renewed, runs out within ``Policy.lease``."""
    try:
        s.rollback()  # a statement that failed leaves the transaction unusable
        stats.released += lease.release()
    except SQLAlchemyError:
        log.warning("could not release batch %s; its lease runs out", lease.token, exc_info=True)


def _is_connection_error(error: TransportError) -> bool:
    text = str(error)
    return text.startswith(("SMTP server unreachable", "connection lost"))


def build_channels(app: Flask) -> dict[str, Channel]:
    """The real channels for this app's configuration (tests pass their own)."""
    from notifications.channels.inbox import InboxChannel
    from notifications.channels.smtp import SmtpChannel, settings_from_config

    return {
        "email": SmtpChannel(settings_from_config(dict(app.config))),
        "inapp": InboxChannel(),
    }
