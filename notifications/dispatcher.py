"""Deliver due notices: claim a batch with a lease, send, mark sent in small groups.

- **Claim.** One statement marks up to ``batch_size`` due, unleased notices as ours until
  ``now + lease`` (PostgreSQL: a ``FOR UPDATE SKIP LOCKED`` CTE, so parallel dispatchers never
  wait for or double-claim each other's rows; SQLite: a conditional ``UPDATE``, which SQLite
  serialises). The claim is committed before anything is sent.
- **Send, then mark in groups.** Delivered notices are marked ``sent`` in groups (``mark_every``
  messages or ``mark_within`` seconds, one statement and one commit), with the claim token in
  the ``WHERE`` clause (a dispatcher whose lease ran out cannot overwrite the work of the one
  that took over). We stop sending before our own lease runs out, so a slow batch never
  overlaps with its successor.
- **The guarantee.** Nothing is lost: a crash after claiming leaves the rows leased, the lease
  expires and another run sends them. A notice marked ``sent`` is never sent again. Delivery to
  the SMTP server is at-least-once: a crash after the server accepted a message but before its
  group was committed re-sends at most that group, with the same Message-ID (derived from the
  notice), so receiving servers and clients can drop the copy.
- **Decide at delivery.** Preferences, quiet hours (deferred, not dropped), deleted
  recipients and reminders that are too late are checked now, not when the notice was written.
- **Failures.** Transient ones (server down, 4xx) retry with exponential backoff and jitter; a
  down server short-circuits the rest of the batch instead of hammering it. Permanent ones
  (5xx, no address, a template error) are recorded with the reason and shown to coordinators.
"""

import logging
import random
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import Engine, bindparam, or_, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DataError, IntegrityError
from sqlmodel import Session, col, select

from notifications.channels import Channel, TransportError
from notifications.render import Gone, Links, render
from volunteer.models import (
    Notice,
    NoticePreference,
    NoticeStatus,
    Shift,
    Signup,
    SignupState,
    User,
    VolunteerProfile,
)
from volunteer.services.notices import settings as notice_settings
from volunteer.services.notices.outbox import EMAIL, SECURITY_KINDS

log = logging.getLogger(__name__)

REMINDER_KINDS = frozenset({"reminder_24h", "reminder_2h"})
SHIFT_BOUND_KINDS = REMINDER_KINDS | {"shift_unfilled"}


@dataclass(frozen=True)
class Policy:
    batch_size: int = 200
    lease: timedelta = timedelta(minutes=5)
    # Stop sending this long before our lease ends, so no other dispatcher overlaps with us.
    lease_margin: timedelta = timedelta(seconds=30)
    backoff_base: timedelta = timedelta(seconds=30)
    backoff_cap: timedelta = timedelta(hours=1)
    max_attempts: int = 16  # about 10 hours of retries with the defaults
    # Sent notices are marked in groups: one commit per this many messages or this much time.
    # A crash re-sends at most one unmarked group (same Message-IDs), never a marked notice.
    mark_every: int = 50
    mark_within: timedelta = timedelta(seconds=1)


@dataclass
class Stats:
    claimed: int = 0
    sent: int = 0
    skipped: int = 0
    deferred: int = 0
    retried: int = 0
    failed: int = 0
    lost_lease: int = 0
    reasons: dict[str, int] = field(default_factory=dict)

    def add(self, other: "Stats") -> None:
        for name in ("claimed", "sent", "skipped", "deferred", "retried", "failed", "lost_lease"):
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
        self.links = Links(app)

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
            stats = self.run_once()
            total.add(stats)
            if stats.claimed == 0:
                break
        return total

    def deliver(self, token: str, ids: list[int], *, claimed_at: datetime, stats: Stats) -> None:
        """Send a claimed batch. Stops early (and releases the rest) before the lease ends."""
        deadline = time.monotonic() + (self.policy.lease - self.policy.lease_margin).total_seconds()
        with self._session() as s:
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
            self._preload(s, user_ids)
            by_channel: dict[str, list[Notice]] = {}
            for n in notices:
                by_channel.setdefault(n.channel, []).append(n)
            for channel_name, group in by_channel.items():
                channel = self.channels.get(channel_name)
                if channel is None:
                    for n in group:
                        self._finish(s, n, token, stats, NoticeStatus.FAILED, "no such channel")
                    continue
                down: TransportError | None = None
                marks = _SentGroup(self, s, token, stats)
                with channel.batch() as batch, marks:
                    for n in group:
                        if time.monotonic() > deadline:
                            self._release(s, n, token)
                            continue
                        now = self.clock()
                        if down is not None:
                            self._retry(s, n, token, stats, now, down)
                            continue
                        user = users.get(n.user_id) if n.user_id is not None else None
                        verdict = self._check(s, n, user, now)
                        if verdict is not None:
                            status, reason, until = verdict
                            if until is not None:
                                self._defer(s, n, token, stats, until)
                            else:
                                self._finish(s, n, token, stats, status, reason)
                            continue
                        try:
                            message = render(
                                s, n, app=self.app, links=self.links, recipient=user, now=now
                            )
                        except Gone as e:
                            self._finish(s, n, token, stats, NoticeStatus.SKIPPED, f"gone: {e}")
                            continue
                        except Exception as e:  # a template bug must not stop the other notices
                            log.exception("rendering notice %s failed", n.id)
                            self._finish(
                                s, n, token, stats, NoticeStatus.FAILED, f"render: {e!r}"[:900]
                            )
                            continue
                        try:
                            batch.send(n, message)
                        except TransportError as e:
                            if e.permanent:
                                self._finish(s, n, token, stats, NoticeStatus.FAILED, str(e))
                            else:
                                self._retry(s, n, token, stats, now, e)
                                if _is_connection_error(e):
                                    down = e
                            continue
                        marks.add(n, now)

    # -- decisions --------------------------------------------------------------------------------
    def _preload(self, s: Session, user_ids: Iterable[int | None]) -> None:
        """Load the batch's preferences and profiles in two queries instead of three per notice."""
        ids = [i for i in user_ids if i is not None]
        self._prefs: dict[tuple[int, str, str], bool] = {}
        self._profiles: dict[int, VolunteerProfile] = {}
        if not ids:
            return
        for row in s.exec(select(NoticePreference).where(col(NoticePreference.user_id).in_(ids))):
            self._prefs[(row.user_id, row.kind, row.channel)] = row.enabled
        for profile in s.exec(
            select(VolunteerProfile).where(col(VolunteerProfile.user_id).in_(ids))
        ):
            self._profiles[profile.user_id] = profile

    def _wants(self, user: User, kind: str, channel: str) -> bool:
        """Same rule as :func:`notice_settings.is_enabled`, on the preloaded rows."""
        if not notice_settings.can_switch_off(kind):
            return True
        profile = self._profiles.get(user.id or 0)
        if (
            kind == "digest"
            and channel == EMAIL
            and profile
            and profile.digest_frequency == "never"
        ):
            return False
        return self._prefs.get((user.id or 0, kind, channel), True)

    def _quiet_until(self, user: User, now: datetime) -> datetime | None:
        profile = self._profiles.get(user.id or 0)
        if profile is None or profile.quiet_start_hour is None or profile.quiet_end_hour is None:
            return None
        return notice_settings.quiet_window_end(
            profile.quiet_start_hour, profile.quiet_end_hour, now
        )

    def _check(
        self, s: Session, n: Notice, user: User | None, now: datetime
    ) -> tuple[str, str, datetime | None] | None:
        """Why not to send ``n`` now: (status, reason, defer-until) or None to send."""
        security = n.kind in SECURITY_KINDS
        expires = (n.payload or {}).get("expires_at")
        if expires and now >= datetime.fromisoformat(expires):
            return NoticeStatus.SKIPPED, "too late to be useful", None
        if n.user_id is not None and not security:
            if user is None or user.deleted_at is not None:
                return NoticeStatus.SKIPPED, "recipient deleted", None
            if not self._wants(user, n.kind, n.channel):
                return NoticeStatus.SKIPPED, "switched off by the recipient", None
            if n.channel == EMAIL:
                if user.email_verified_at is None:
                    return NoticeStatus.SKIPPED, "e-mail address not verified", None
                n.to_email = user.email  # the address may have changed since
            n.locale = user.locale or n.locale
        if n.kind in SHIFT_BOUND_KINDS:
            stale = self._stale_shift_notice(s, n, now)
            if stale:
                return NoticeStatus.SKIPPED, stale, None
        if n.channel == EMAIL and not security and user is not None:
            until = self._quiet_until(user, now)
            if until is not None:
                return NoticeStatus.PENDING, "quiet hours", until
        return None

    def _stale_shift_notice(self, s: Session, n: Notice, now: datetime) -> str | None:
        p = n.payload or {}
        signup = s.get(Signup, p["signup_id"]) if "signup_id" in p else None
        shift_id = signup.shift_id if signup is not None else p.get("shift_id")
        shift = s.get(Shift, shift_id) if shift_id is not None else None
        if shift is None:
            return "gone: shift"
        if shift.cancelled_at is not None:
            return "shift cancelled"
        if now >= shift.starts_at:
            return "too late to be useful"
        if n.kind in REMINDER_KINDS and (signup is None or signup.state != SignupState.ACCEPTED):
            return "sign-up no longer accepted"
        return None

    # -- outcomes (each committed on its own, fenced by the claim token) -----------------------
    def _update(self, s: Session, n: Notice, token: str, **values: Any) -> bool:
        result = s.execute(
            update(Notice)
            .where(col(Notice.id) == n.id, col(Notice.claimed_by) == token)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        s.commit()
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def _finish(
        self,
        s: Session,
        n: Notice,
        token: str,
        stats: Stats,
        status: str,
        reason: str | None,
        *,
        now: datetime | None = None,
    ) -> None:
        values: dict[str, Any] = {
            "status": status,
            "lease_until": None,
            "last_error": reason[:1000] if reason else None,
            "attempts": n.attempts
            + (1 if status in (NoticeStatus.SENT, NoticeStatus.FAILED) else 0),
        }
        if status == NoticeStatus.SENT:
            values.update(
                sent_at=now or self.clock(),
                to_email=n.to_email,
                locale=n.locale,
                subject=n.subject,
                body=n.body,
                link=n.link,
            )
        if not self._update(s, n, token, **values):
            stats.lost_lease += 1
            log.warning("notice %s: lease lost before marking it %s", n.id, status)
            return
        if status == NoticeStatus.SENT:
            stats.sent += 1
        elif status == NoticeStatus.FAILED:
            stats.failed += 1
        else:
            stats.skipped += 1
        if reason:
            stats.reasons[reason.split(":")[0]] = stats.reasons.get(reason.split(":")[0], 0) + 1

    def _mark_sent(
        self, s: Session, token: str, stats: Stats, group: list[tuple[Notice, datetime]]
    ) -> None:
        """Mark a group of delivered notices ``sent`` in one statement and one commit.

        Fenced by the claim token like every outcome: a row whose lease another dispatcher
        took over is left alone (and counted as ``lost_lease``).
        """
        if not group:
            return
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
            .where(col(Notice.id) == bindparam("nid"), col(Notice.claimed_by) == token)
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
        try:
            result = s.connection().execute(stmt, rows)
            s.commit()
        except (DataError, IntegrityError):
            # One row the database refuses (PostgreSQL: a NUL byte in a message's text) must not
            # hold back the group: mark each on its own, and fail only the poison one for good.
            s.rollback()
            if len(group) == 1:
                raise
            for one in group:
                self._mark_one(s, token, stats, one)
            return
        marked = result.rowcount if result.rowcount >= 0 else len(rows)
        stats.sent += marked
        if marked < len(rows):
            stats.lost_lease += len(rows) - marked
            log.warning("%d sent notices: lease lost before marking them", len(rows) - marked)

    def _mark_one(
        self, s: Session, token: str, stats: Stats, item: tuple[Notice, datetime]
    ) -> None:
        """Mark one delivered notice; if the database refuses its text, record why instead."""
        try:
            self._mark_sent(s, token, stats, [item])
        except (DataError, IntegrityError) as error:
            s.rollback()
            log.error("notice %s: delivered text could not be stored", item[0].id)
            reason = f"could not be stored: {type(error.orig or error).__name__}"
            self._finish(s, item[0], token, stats, NoticeStatus.FAILED, reason)

    def _retry(
        self, s: Session, n: Notice, token: str, stats: Stats, now: datetime, error: Exception
    ) -> None:
        attempts = n.attempts + 1
        if attempts >= self.policy.max_attempts:
            n.attempts = attempts - 1
            self._finish(
                s,
                n,
                token,
                stats,
                NoticeStatus.FAILED,
                f"gave up after {attempts} attempts: {error}",
            )
            return
        if self._update(
            s,
            n,
            token,
            attempts=attempts,
            due_at=now + backoff(attempts, self.policy),
            lease_until=None,
            claimed_by=None,
            last_error=str(error)[:1000],
        ):
            stats.retried += 1

    def _defer(self, s: Session, n: Notice, token: str, stats: Stats, until: datetime) -> None:
        if self._update(s, n, token, due_at=until, lease_until=None, claimed_by=None):
            stats.deferred += 1

    def _release(self, s: Session, n: Notice, token: str) -> None:
        self._update(s, n, token, lease_until=None, claimed_by=None)


class _SentGroup:
    """Delivered notices waiting to be marked ``sent``: flushed by size, by age, and always
    when the channel batch ends (also on an exception, so what the server accepted is recorded
    whenever the database still answers)."""

    def __init__(self, dispatcher: Dispatcher, s: Session, token: str, stats: Stats) -> None:
        self.d, self.s, self.token, self.stats = dispatcher, s, token, stats
        self.items: list[tuple[Notice, datetime]] = []
        self.started = 0.0

    def add(self, n: Notice, at: datetime) -> None:
        if not self.items:
            self.started = time.monotonic()
        self.items.append((n, at))
        policy = self.d.policy
        if (
            len(self.items) >= policy.mark_every
            or time.monotonic() - self.started >= policy.mark_within.total_seconds()
        ):
            self.flush()

    def flush(self) -> None:
        items, self.items = self.items, []
        self.d._mark_sent(self.s, self.token, self.stats, items)

    def __enter__(self) -> "_SentGroup":
        return self

    def __exit__(self, *exc: object) -> None:
        self.flush()


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
