"""The clock: APScheduler 3.x triggers the rules and the dispatcher; the database holds the state.

Why APScheduler is *only* the clock: its job stores cannot be shared between processes, and a
job scheduled in memory dies with the process. So every due date lives in the outbox, every
rule is idempotent (unique dedupe keys), and a job here just says "look now".

- Any number of processes may run this. The rules run only in the leader (a lease row, see
  :mod:`notifications.leader`); the dispatcher runs in every process, because claiming with a
  lease makes parallel dispatchers safe and faster.
- ``coalesce=True`` everywhere: after a stall, a backlog of missed runs collapses into one.
  ``max_instances=1``: a slow run is never overlapped by the next.
- ``misfire_grace_time``: short for the frequent jobs (a missed run is simply replaced by the
  next one); six hours for the weekly ones, so a digest whose Monday-morning slot was missed
  because the machine was busy still goes out that morning. After a restart, every rule runs
  once at start-up (``next_run_time=now``): a reminder that fell due while the scheduler was
  down is written and sent at once, unless it is too late to be useful.
"""

import logging
import os
import socket
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask
from sqlalchemy.exc import IntegrityError, OperationalError

from notifications.dispatcher import Dispatcher, Stats, build_channels
from notifications.leader import LeaderLease
from notifications.proposals import ProposalJob
from notifications.rules.coordinators import schedule_coordinator_summaries
from notifications.rules.gaps import compute_gaps
from notifications.rules.guardians import schedule_guardian_requests
from notifications.rules.open_data import refresh_open_data
from notifications.rules.organisations import schedule_unfilled_shifts
from notifications.rules.reminders import schedule_reminders
from notifications.rules.retention import apply_retention
from notifications.rules.statistics import refresh_statistics
from volunteer.platform import metrics
from volunteer.platform.db import get_bind, session_scope

log = logging.getLogger(__name__)

Rule = Callable[..., int]


def rules() -> dict[str, Rule]:
    """The rules by stable name (job ids are ``rule.<name>``)."""
    table: dict[str, Rule] = {
        "reminders": schedule_reminders,
        "shift_unfilled": schedule_unfilled_shifts,
        "coordinator_summary": schedule_coordinator_summaries,
        "guardian_requests": schedule_guardian_requests,
        "retention": apply_retention,
        "statistics": refresh_statistics,
        "gaps": compute_gaps,
        "open_data": refresh_open_data,
    }
    from notifications.rules import volunteers

    table.update(volunteers.available_rules())
    return table


# name -> APScheduler trigger arguments. Weekly ones in Europe/Berlin wall-clock time.
SCHEDULE: dict[str, dict[str, Any]] = {
    # Nightly, when nobody is about: deletes and empties what the privacy notice promises.
    "retention": {"trigger": "cron", "hour": 3, "minute": 30, "timezone": "Europe/Berlin"},
    "reminders": {"trigger": "interval", "minutes": 5},
    # The coordinators' figures are at most this old (match statistics' daily aggregates).
    "statistics": {"trigger": "interval", "minutes": 15},
    "shift_unfilled": {"trigger": "interval", "minutes": 30},
    "recognition": {"trigger": "interval", "minutes": 15},
    "guardian_requests": {"trigger": "interval", "minutes": 60},
    # The coordinators' gap map (seconds of engine work at city scale, never in a request).
    "gaps": {"trigger": "interval", "minutes": 15},
    # The public open-data export (monthly counts: an hour old is fresh enough).
    "open_data": {"trigger": "interval", "minutes": 60},
    "digest": {"trigger": "cron", "day_of_week": "mon", "hour": 8, "timezone": "Europe/Berlin"},
    "coordinator_summary": {
        "trigger": "cron",
        "day_of_week": "mon",
        "hour": 7,
        "timezone": "Europe/Berlin",
    },
}
WEEKLY_GRACE = int(timedelta(hours=6).total_seconds())
FREQUENT_GRACE = 60


def run_rule(app: Flask, name: str, rule: Rule, *, now: datetime | None = None) -> int:
    """Run one rule in its own transaction. A clash with another process is harmless."""
    with app.app_context():
        try:
            with session_scope(app) as session:
                created = rule(session, now=now or _now(app))
        except IntegrityError:
            log.info("rule %s raced another process; the next run catches up", name)
            return 0
    if created:
        log.info("rule %s queued %d notices", name, created)
    return created


def _now(app: Flask) -> datetime:
    clock = app.config.get("CLOCK")
    return clock() if clock else datetime.now(UTC)


class NoticeClock:
    """One scheduler process: leader election, rules (leader only), dispatching (always)."""

    def __init__(
        self,
        app: Flask,
        *,
        blocking: bool = True,
        dispatcher: Dispatcher | None = None,
        holder: str | None = None,
        dispatch_every: float = 5.0,
        lease_ttl: timedelta = timedelta(seconds=30),
    ) -> None:
        self.app = app
        bind = get_bind(app)
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}"
        self.lease = LeaderLease(bind, self.holder, ttl=lease_ttl)
        self.dispatcher = dispatcher or Dispatcher(
            app, bind, build_channels(app), worker=self.holder, clock=lambda: _now(app)
        )
        self.is_leader = False
        self.proposal_job = ProposalJob(app, worker=self.holder)
        self.scheduler: BaseScheduler = (
            BlockingScheduler(timezone=UTC) if blocking else BackgroundScheduler(timezone=UTC)
        )
        common = {"coalesce": True, "max_instances": 1, "replace_existing": True}
        start = datetime.now(UTC)
        # The frequent jobs every process runs: keeping its lease, sending, and looking for
        # queued proposals (the claim is atomic, so any one process may run a proposal; while
        # none is queued, that job keeps the volunteer pool warm for the next).
        frequent = (
            ("lease", self.renew_lease, max(1, int(lease_ttl.total_seconds() / 3)), 0),
            ("dispatch", self.dispatch, dispatch_every, 1),
            ("proposals", self.proposals, dispatch_every, 1),
        )
        for job_id, job, seconds, delay in frequent:
            self.scheduler.add_job(
                job,
                "interval",
                seconds=seconds,
                id=job_id,
                next_run_time=start + timedelta(seconds=delay),
                misfire_grace_time=FREQUENT_GRACE,
                **common,
            )
        for name, rule in rules().items():
            spec = dict(SCHEDULE.get(name, {"trigger": "interval", "minutes": 15}))
            trigger = spec.pop("trigger")
            weekly = trigger == "cron"
            self.scheduler.add_job(
                self.leader_only(name, rule),
                trigger,
                id=f"rule.{name}",
                next_run_time=start + timedelta(seconds=2),
                misfire_grace_time=WEEKLY_GRACE if weekly else FREQUENT_GRACE,
                **spec,
                **common,
            )

    def renew_lease(self) -> bool:
        try:
            with metrics.job("scheduler_lease"):
                leader = self.lease.acquire(_now(self.app))
        except OperationalError:
            log.warning("database unavailable; not leading until it is back")
            leader = False
        if leader != self.is_leader:
            log.info(
                "%s %s the scheduler", self.holder, "now leads" if leader else "stopped leading"
            )
        self.is_leader = leader
        return leader

    def leader_only(self, name: str, rule: Rule) -> Callable[[], int]:
        def job() -> int:
            if not self.renew_lease():
                return 0
            with metrics.job(f"rule.{name}"):
                return run_rule(self.app, name, rule)

        job.__name__ = f"rule_{name}"
        return job

    def dispatch(self) -> Stats:
        try:
            with metrics.job("dispatch"):
                stats = self.dispatcher.run_until_idle(max_batches=100)
        except OperationalError:
            log.warning("database unavailable; dispatching again later")
            return Stats()
        for outcome, count in asdict(stats).items():
            if outcome not in ("claimed", "reasons") and count:
                metrics.NOTICES.labels(outcome).inc(count)
        return stats

    def proposals(self) -> int | None:
        try:
            return self.proposal_job()
        except OperationalError:
            log.warning("database unavailable; looking for proposals again later")
            return None

    def start(self) -> None:
        self.scheduler.start()

    def shutdown(self) -> None:
        """Stop cleanly (SIGTERM): the dispatcher releases the notices it has not sent, the
        leader gives up its lease, so other processes carry on without waiting for either."""
        self.dispatcher.stop()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)
        if self.is_leader:
            self.lease.release()
            self.is_leader = False
