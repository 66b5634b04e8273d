"""Deliver N due notices (default 100,000) to a local aiosmtpd and count what arrived.

Reports notices per second, lost (queued but never received) and duplicated (received more
than once, by Message-ID), next to a naive baseline measured in the same run: one SMTP
connection per message, one worker, on a 2,000-notice sample. The SMTP server runs in its own
process (as a real one would); the dispatchers run as ``--workers`` processes against one
SQLite file (or PostgreSQL with ``--database-url``), claiming batches with leases.

    python -m bench notices [--n 100000] [--workers 2] [--write-readme]
"""

import argparse
import multiprocessing as mp
import os
import re
import socket
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.readme import write_section

START, END = "<!-- bench:notices:start -->", "<!-- bench:notices:end -->"
NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
_MSGID = re.compile(rb"^Message-ID: (<[^>]+>)", re.M | re.I)


# --- the SMTP server process ---------------------------------------------------------------------
def _smtp_server(port: int, ready: Any, stop: Any, result: Any) -> None:
    from aiosmtpd.controller import Controller

    ids: Counter[bytes] = Counter()

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            m = _MSGID.search(envelope.original_content or envelope.content)
            ids[m.group(1) if m else b"?"] += 1
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    stop.wait()
    controller.stop()
    result.put(dict(ids))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- data ----------------------------------------------------------------------------------------
def _app(url: str) -> Any:
    from volunteer.app import create_app

    return create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench-secret-key-0123456789abcdef0123",
            "BASE_URL": "https://mitwirken.bochum.example",
            "RATELIMIT_ENABLED": False,
        }
    )


def _prepare(url: str, n: int) -> None:
    """Fresh schema, 2,000 verified users, ``n`` due notices (half per-user, half security)."""
    from sqlalchemy import insert
    from sqlmodel import SQLModel

    from volunteer.models import Notice, User
    from volunteer.platform.db import get_bind

    app = _app(url)
    engine = get_bind(app)
    SQLModel.metadata.drop_all(engine)
    SQLModel.metadata.create_all(engine)
    users = 2000
    with engine.begin() as conn:
        conn.execute(
            insert(User),
            [
                {
                    "email": f"person{i}@example.org",
                    "email_key": f"person{i}@example.org",
                    "password_hash": "x",
                    "alternative_id": f"alt{i}",
                    "first_name": f"Person{i}",
                    "locale": "de" if i % 3 else "en",
                    "role": "volunteer",
                    "email_verified_at": NOW,
                    "created_at": NOW,
                }
                for i in range(users)
            ],
        )
        rows = []
        for i in range(n):
            uid = i % users + 1
            kind = "recognition" if i % 2 else "password_changed"
            payload = {"milestone": "hours_10", "hours": 10} if i % 2 else {"name": f"Person{uid}"}
            rows.append(
                {
                    "kind": kind,
                    "channel": "email",
                    "dedupe_key": f"bench:{i}:email",
                    "user_id": uid,
                    "to_email": f"person{uid - 1}@example.org",
                    "locale": "de",
                    "payload": payload,
                    "status": "pending",
                    "due_at": NOW - timedelta(seconds=n - i),
                    "created_at": NOW,
                    "attempts": 0,
                }
            )
            if len(rows) == 10_000:
                conn.execute(insert(Notice), rows)
                rows = []
        if rows:
            conn.execute(insert(Notice), rows)


# --- dispatcher processes ------------------------------------------------------------------------
def _worker(url: str, port: int, naive: bool, batch: int, name: str, out: Any) -> None:
    from notifications.channels.smtp import SmtpChannel, SmtpSettings
    from notifications.dispatcher import Dispatcher, Policy
    from volunteer.platform.db import get_bind

    app = _app(url)
    settings = SmtpSettings(port=port, mail_from="Mitwirken <noreply@mitwirken.example>")
    channel: Any = NaiveSmtpChannel(settings) if naive else SmtpChannel(settings)
    d = Dispatcher(
        app,
        get_bind(app),
        {"email": channel},
        policy=Policy(batch_size=batch),
        worker=name,
        clock=lambda: NOW,
    )
    stats = d.run_until_idle()
    out.put((stats.sent, stats.failed, stats.retried, channel.connections_opened))


class NaiveSmtpChannel:
    """The baseline: a fresh SMTP connection for every single message."""

    name = "email"

    def __init__(self, settings: Any) -> None:
        from notifications.channels.smtp import SmtpChannel

        self.inner = SmtpChannel(settings)

    @property
    def connections_opened(self) -> int:
        return self.inner.connections_opened

    def batch(self) -> Any:
        return _NaiveBatch(self.inner)


class _NaiveBatch:
    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def __enter__(self) -> "_NaiveBatch":
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def send(self, notice: Any, message: Any) -> None:
        with self.inner.batch() as b:
            b.send(notice, message)


def run(url: str, n: int, workers: int, naive: bool, batch: int) -> dict[str, Any]:
    _prepare(url, n)
    ctx = mp.get_context("spawn")
    port = _free_port()
    ready, stop, result = ctx.Event(), ctx.Event(), ctx.Queue()
    server = ctx.Process(target=_smtp_server, args=(port, ready, stop, result))
    server.start()
    ready.wait(30)
    out = ctx.Queue()
    started = time.perf_counter()
    procs = [
        ctx.Process(target=_worker, args=(url, port, naive, batch, f"w{i}", out))
        for i in range(workers)
    ]
    for p in procs:
        p.start()
    outcomes = [out.get() for _ in procs]
    elapsed = time.perf_counter() - started
    for p in procs:
        p.join()
    stop.set()
    ids: dict[bytes, int] = result.get(timeout=60)
    server.join()
    received = sum(ids.values())
    return {
        "n": n,
        "workers": workers,
        "seconds": elapsed,
        "rate": n / elapsed,
        "sent": sum(o[0] for o in outcomes),
        "failed": sum(o[1] for o in outcomes),
        "connections": sum(o[3] for o in outcomes),
        "received": received,
        "lost": n - len(ids),
        "duplicated": received - len(ids),
    }


def report(main: dict[str, Any], base: dict[str, Any]) -> str:
    cores = os.cpu_count()
    lines = [
        f"Notices: {main['n']:,} due e-mails through a local aiosmtpd (own process), "
        f"{main['workers']} dispatcher processes, SQLite, {cores} cores shared with other work.",
        "",
        "| run | notices | time | notices/s | SMTP connections | lost | duplicated |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for label, r in (("batched, one connection per batch", main), ("naive baseline", base)):
        lines.append(
            f"| {label} | {r['n']:,} | {r['seconds']:.1f} s | {r['rate']:,.0f} | "
            f"{r['connections']:,} | {r['lost']} | {r['duplicated']} |"
        )
    lines.append("")
    lines.append(
        f"Target: all {main['n']:,} within 300 s — "
        + (
            "met."
            if main["seconds"] <= 300 and not main["lost"] and not main["duplicated"]
            else "NOT met."
        )
    )
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench notices")
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--baseline-n", type=int, default=2_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--write-readme", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
        main_run = run(url, args.n, args.workers, naive=False, batch=args.batch)
        base_run = run(url, args.baseline_n, 1, naive=True, batch=args.batch)
    text = report(main_run, base_run)
    print(text)
    if args.write_readme:
        write_section(text + "\n", (START, END))
    ok = main_run["lost"] == 0 and main_run["duplicated"] == 0 and base_run["lost"] == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
