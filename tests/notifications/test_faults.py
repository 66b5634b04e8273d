"""Fault tests with real processes: a dispatcher killed with SIGKILL between claim and send, and
two dispatchers plus two schedulers against one PostgreSQL database.

These commit real data that other processes must see, so they do not use the rolled-back
per-test transaction: the kill test uses its own SQLite file, the PostgreSQL test its own
schema (dropped afterwards). The SMTP server is a real aiosmtpd on 127.0.0.1 that counts
deliveries by Message-ID.
"""

import multiprocessing as mp
import os
import re
import signal
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import insert, make_url, text
from sqlmodel import Session, SQLModel, select

from tests.conftest import POSTGRES_URL
from tests.notifications.test_delivery import free_port
from volunteer.models import Notice, SchedulerLease, User
from volunteer.platform.db import make_engine

_MSGID = re.compile(rb"^Message-ID: (<[^>]+>)", re.M | re.I)
SPAWN = mp.get_context("spawn")
pytestmark = pytest.mark.slow


class CountingServer:
    """aiosmtpd in a thread of the test process; counts messages per Message-ID."""

    def __init__(self) -> None:
        self.ids: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        m = _MSGID.search(envelope.original_content or envelope.content)
        with self.lock:
            self.ids[m.group(1).decode() if m else "?"] += 1
        return "250 OK"


@pytest.fixture
def smtp_counter() -> Iterator[CountingServer]:
    server = CountingServer()
    server.controller.start()
    yield server
    server.controller.stop()


def _config(url: str, port: int) -> dict[str, Any]:
    return {
        "DATABASE_URL": url,
        "SECRET_KEY": "fault-test-secret-key-0123456789abcdef",
        "BASE_URL": "http://localhost",
        "RATELIMIT_ENABLED": False,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": port,
    }


def _seed(url: str, n: int, now: datetime) -> None:
    engine = make_engine(url)
    SQLModel.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(
            insert(User),
            [
                {
                    "email": f"p{i}@example.org",
                    "email_key": f"p{i}@example.org",
                    "password_hash": "x",
                    "alternative_id": f"alt{i}",
                    "first_name": f"P{i}",
                    "locale": "de",
                    "role": "volunteer",
                    "email_verified_at": now,
                    "created_at": now,
                }
                for i in range(n)
            ],
        )
        conn.execute(
            insert(Notice),
            [
                {
                    "kind": "password_changed",
                    "channel": "email",
                    "dedupe_key": f"fault:{i}:email",
                    "user_id": i + 1,
                    "to_email": f"p{i}@example.org",
                    "locale": "de",
                    "payload": {"name": f"P{i}"},
                    "status": "pending",
                    "due_at": now - timedelta(seconds=n - i),
                    "created_at": now,
                    "attempts": 0,
                }
                for i in range(n)
            ],
        )
    engine.dispose()


# --- a dispatcher killed between claim and send -----------------------------------------------
# The killed dispatcher's lease, shorter than the default 30 s (a setting of ``Policy``, like
# every deployment's): the take-over is still waited for on the real clock, in a third of the
# time. The default's bound is asserted on its own.
DOOMED_LEASE = timedelta(seconds=12)


def _doomed_policy() -> Any:
    from notifications.dispatcher import Policy

    return Policy(batch_size=100, lease=DOOMED_LEASE, renew_every=DOOMED_LEASE / 3)


def _doomed_dispatcher(url: str, port: int, marker: str, send_first: int) -> None:
    """Claims everything, sends ``send_first`` messages for real, then blocks until killed."""
    from notifications.channels.smtp import SmtpChannel, settings_from_config
    from notifications.dispatcher import Dispatcher
    from volunteer.app import create_app
    from volunteer.platform.db import get_bind

    app = create_app(_config(url, port))
    real = SmtpChannel(settings_from_config(dict(app.config)))

    class Blocking:
        name = "email"

        def batch(self) -> Any:
            outer = real.batch()
            inner = outer.__enter__()
            sent = 0

            class B:
                def send(self, notice: Any, message: Any) -> None:
                    nonlocal sent
                    if sent == send_first:
                        Path(marker).write_text(str(notice.id))
                        time.sleep(3600)  # the parent kills us here
                    inner.send(notice, message)
                    sent += 1

                def __enter__(self) -> "B":
                    return self

                def __exit__(self, *exc: object) -> None:
                    outer.__exit__(*exc)

            return B()

    Dispatcher(
        app, get_bind(app), {"email": Blocking()}, policy=_doomed_policy(), worker="doomed"
    ).run_once()


def test_a_dispatcher_killed_between_claim_and_send_loses_nothing(
    tmp_path: Path, smtp_counter: CountingServer
) -> None:
    """SIGKILL after three messages were accepted by the server but before any was marked sent:
    every notice arrives; the seven never sent arrive exactly once; the three the server had
    accepted are sent again with the same Message-ID (at-least-once to the SMTP server,
    idempotent Message-IDs: what the README promises). The dead dispatcher's notices are taken
    over on the real clock within one lease (the default is at most 30 s; the doomed one's is
    12 s), not minutes later."""
    from notifications.channels.smtp import SmtpChannel, settings_from_config
    from notifications.dispatcher import Dispatcher, Policy
    from volunteer.app import create_app
    from volunteer.platform.db import get_bind

    assert Policy().lease <= timedelta(seconds=30)
    url = f"sqlite:///{tmp_path}/kill.sqlite3"
    now = datetime.now(UTC)
    _seed(url, 10, now)
    marker = tmp_path / "claimed"
    child = SPAWN.Process(target=_doomed_dispatcher, args=(url, smtp_counter.port, str(marker), 3))
    child.start()
    deadline = time.monotonic() + 30
    while not marker.exists():
        assert time.monotonic() < deadline and child.is_alive(), "the dispatcher never claimed"
        time.sleep(0.02)
    assert child.pid is not None
    os.kill(child.pid, signal.SIGKILL)
    killed_at = time.monotonic()
    child.join(10)
    assert child.exitcode == -signal.SIGKILL
    assert sum(smtp_counter.ids.values()) == 3

    app = create_app(_config(url, smtp_counter.port))
    engine = get_bind(app)
    with Session(engine) as s:
        rows = s.exec(select(Notice)).all()
        assert {r.status for r in rows} == {"pending"}  # nothing was marked before the kill
        assert {r.claimed_by.split(":")[0] for r in rows if r.claimed_by} == {"doomed"}
    survivor = Dispatcher(
        app,
        engine,
        {"email": SmtpChannel(settings_from_config(dict(app.config)))},
        policy=Policy(),
        worker="survivor",
    )
    assert survivor.run_until_idle().claimed == 0  # still leased to the dead process
    sent = 0
    while sent < 10 and time.monotonic() - killed_at < 45:
        sent += survivor.run_until_idle().sent
        time.sleep(0.25)
    waited = time.monotonic() - killed_at
    assert sent == 10
    assert waited <= DOOMED_LEASE.total_seconds() + 2, f"took over after {waited:.1f} s"
    with Session(engine) as s:
        assert {r.status for r in s.exec(select(Notice)).all()} == {"sent"}
    assert len(smtp_counter.ids) == 10  # every notice arrived
    assert sorted(smtp_counter.ids.values()) == [1] * 7 + [2] * 3
    engine.dispose()


class SlowChannel:
    """The real SMTP channel, ``delay`` seconds per message: a batch that outlasts its lease."""

    name = "email"

    def __init__(self, real: Any, delay: float) -> None:
        self.real, self.delay = real, delay
        self.started = threading.Event()

    @contextmanager
    def batch(self) -> Iterator[Any]:
        with self.real.batch() as inner:
            outer = self

            class B:
                def send(self, notice: Any, message: Any) -> None:
                    outer.started.set()
                    time.sleep(outer.delay)
                    inner.send(notice, message)

            yield B()


def _slow_dispatcher(url: str, port: int, delay: float, **policy: Any) -> Any:
    from notifications.channels.smtp import SmtpChannel, settings_from_config
    from notifications.dispatcher import Dispatcher, Policy
    from volunteer.app import create_app
    from volunteer.platform.db import get_bind

    app = create_app(_config(url, port))
    channel = SlowChannel(SmtpChannel(settings_from_config(dict(app.config))), delay)
    return Dispatcher(
        app, get_bind(app), {"email": channel}, policy=Policy(**policy), worker="slow"
    ), channel


def test_a_live_dispatcher_keeps_a_batch_that_outlasts_its_lease(
    tmp_path: Path, smtp_counter: CountingServer
) -> None:
    """The heartbeat: a batch that takes twice the lease is sent whole by the dispatcher that
    claimed it, while another dispatcher polling all along gets none of it."""

    url = f"sqlite:///{tmp_path}/heartbeat.sqlite3"
    _seed(url, 20, datetime.now(UTC))
    slow, channel = _slow_dispatcher(
        url,
        smtp_counter.port,
        0.15,
        lease=timedelta(seconds=1.5),
        renew_every=timedelta(seconds=0.3),
    )
    other, _ = _slow_dispatcher(url, smtp_counter.port, 0, lease=timedelta(seconds=1.5))
    other.worker = "other"
    result: dict[str, Any] = {}
    worker = threading.Thread(target=lambda: result.update(stats=slow.run_once()))
    started = time.monotonic()
    worker.start()
    assert channel.started.wait(30), "the slow dispatcher never started sending"
    stolen = 0
    while worker.is_alive():
        stolen += other.run_once().claimed
        time.sleep(0.1)
    worker.join()
    assert time.monotonic() - started > 2 * 1.5  # the batch really outlasted the lease
    stats = result["stats"]
    assert (stats.claimed, stats.sent, stats.lost_lease, stolen) == (20, 20, 0, 0)
    assert len(smtp_counter.ids) == 20 and set(smtp_counter.ids.values()) == {1}


def test_a_scheduler_that_stops_releases_the_notices_it_has_not_sent(
    tmp_path: Path, smtp_counter: CountingServer
) -> None:
    """SIGTERM runs ``NoticeClock.shutdown``: the dispatcher finishes the message in hand and
    releases the rest of its batch, which another dispatcher sends at once, no lease to wait."""
    from notifications.scheduler import NoticeClock

    url = f"sqlite:///{tmp_path}/stop.sqlite3"
    _seed(url, 30, datetime.now(UTC))
    slow, channel = _slow_dispatcher(url, smtp_counter.port, 0.2)
    clock = NoticeClock(slow.app, blocking=False, dispatcher=slow, holder="stopping")
    clock.start()
    try:
        assert channel.started.wait(30), "the scheduler never dispatched"
        time.sleep(0.5)
    finally:
        began = time.monotonic()
        clock.shutdown()
    assert time.monotonic() - began < 5  # the message in hand, then stop: no lease to wait for
    engine = make_engine(url)
    with Session(engine) as s:
        rows = s.exec(select(Notice)).all()
    sent_first = sum(r.status == "sent" for r in rows)
    assert 0 < sent_first < 30
    left = [r for r in rows if r.status == "pending"]
    assert len(left) == 30 - sent_first
    assert all(r.claimed_by is None and r.lease_until is None for r in left)
    successor, _ = _slow_dispatcher(url, smtp_counter.port, 0)
    assert successor.run_until_idle().sent == 30 - sent_first  # on the real clock, right away
    assert len(smtp_counter.ids) == 30 and set(smtp_counter.ids.values()) == {1}
    engine.dispose()


# --- two dispatchers and two schedulers on one PostgreSQL database -----------------------------
def _dispatcher_process(url: str, port: int, stop: Any, name: str) -> None:
    from notifications.dispatcher import Dispatcher, Policy, build_channels
    from volunteer.app import create_app
    from volunteer.platform.db import get_bind

    app = create_app(_config(url, port))
    d = Dispatcher(
        app, get_bind(app), build_channels(app), policy=Policy(batch_size=15), worker=name
    )
    while not stop.is_set():
        if d.run_once().claimed == 0:
            time.sleep(0.05)


def _scheduler_process(url: str, port: int, stop: Any, name: str, events: Any) -> None:
    from notifications.dispatcher import Dispatcher, Policy, build_channels
    from notifications.scheduler import NoticeClock
    from volunteer.app import create_app
    from volunteer.platform.db import get_bind

    app = create_app(_config(url, port))
    d = Dispatcher(
        app, get_bind(app), build_channels(app), policy=Policy(batch_size=15), worker=name
    )
    clock = NoticeClock(
        app,
        blocking=False,
        dispatcher=d,
        holder=name,
        dispatch_every=0.2,
        lease_ttl=timedelta(seconds=1.5),
    )
    acquire, release = clock.lease.acquire, clock.lease.release

    # Leadership is known only once acquire returns, and ends when release is called or when
    # the lease it stored runs out (``now`` + ttl, ``now`` being the moment acquire was asked
    # for, not when it returned: on a busy machine that can be a second later). Record those
    # moments, so that a hand-over that happens between two timestamps is never mistaken for
    # two leaders at once.
    def recorded_acquire(now: datetime) -> bool:
        ok = acquire(now)
        at = time.time() if ok else now.timestamp()
        events.put((name, "lead" if ok else "follow", at, now.timestamp() + 1.5))
        return ok

    def recorded_release() -> None:
        t = time.time()
        events.put((name, "release", t, t))
        release()

    clock.lease.acquire = recorded_acquire  # type: ignore[method-assign]
    clock.lease.release = recorded_release  # type: ignore[method-assign]
    clock.start()
    stop.wait()
    clock.shutdown()


@pytest.fixture
def pg_schema_url() -> Iterator[str]:
    if not POSTGRES_URL:
        pytest.skip("VOLUNTEER_TEST_POSTGRES_URL is not set (PostgreSQL tests run in CI)")
    schema = f"fault_{uuid.uuid4().hex[:10]}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    yield url.render_as_string(hide_password=False)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.mark.postgres
def test_two_dispatchers_and_two_schedulers_deliver_every_notice_exactly_once(
    pg_schema_url: str, smtp_counter: CountingServer
) -> None:
    n = 300
    now = datetime.now(UTC)
    _seed(pg_schema_url, n, now)
    events = SPAWN.Queue()
    stops = {name: SPAWN.Event() for name in ("sched-a", "sched-b", "disp-a", "disp-b")}
    procs = {
        name: SPAWN.Process(
            target=_scheduler_process,
            args=(pg_schema_url, smtp_counter.port, stops[name], name, events),
        )
        for name in ("sched-a", "sched-b")
    } | {
        name: SPAWN.Process(
            target=_dispatcher_process, args=(pg_schema_url, smtp_counter.port, stops[name], name)
        )
        for name in ("disp-a", "disp-b")
    }
    for p in procs.values():
        p.start()
    engine = make_engine(pg_schema_url)
    try:
        deadline = time.monotonic() + 60
        while sum(smtp_counter.ids.values()) < n and time.monotonic() < deadline:
            time.sleep(0.1)
        # The leader stops; the other scheduler takes over once the lease is released.
        with Session(engine) as s:
            first = s.exec(select(SchedulerLease)).one().holder
        stops[first].set()
        procs[first].join(20)
        other = "sched-b" if first == "sched-a" else "sched-a"
        while time.monotonic() < deadline:
            with Session(engine) as s:
                if s.exec(select(SchedulerLease)).one().holder == other:
                    break
            time.sleep(0.1)
    finally:
        for stop in stops.values():
            stop.set()
        for p in procs.values():
            p.join(20)
            if p.is_alive():
                p.kill()
    with Session(engine) as s:
        rows = s.exec(select(Notice)).all()
        holder = s.exec(select(SchedulerLease)).one().holder
    engine.dispose()
    assert holder == other, "the second scheduler never took over"
    assert {r.status for r in rows} == {"sent"} and len(rows) == n
    assert len({r.claimed_by for r in rows}) > 1  # the work really was shared
    assert len(smtp_counter.ids) == n and set(smtp_counter.ids.values()) == {1}
    # At any moment at most one leader: a lease taken at t lasts until t + ttl or its release.
    log: list[tuple[str, str, float, float]] = []
    while not events.empty():
        log.append(events.get())
    spans: list[tuple[float, float, str]] = []
    releases = {name: t for name, what, t, _until in log if what == "release"}
    for name, what, t, until in log:
        if what == "lead":
            spans.append((t, min(until, releases.get(name, float("inf"))), name))
    assert {name for _s, _e, name in spans} == {"sched-a", "sched-b"}
    for s1, e1, a in spans:
        for s2, e2, b in spans:
            if a != b:
                assert e1 <= s2 + 0.01 or e2 <= s1 + 0.01, f"{a} and {b} both led at {s2}"
