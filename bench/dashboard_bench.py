"""Dashboard benchmark: the coordinators' match statistics page for any period at Bochum scale.

``python -m bench dashboard [--sqlite PATH] [--postgres URL] [--requests N] [--prepare]``

Each backend needs ``volunteer demo-data --scale bochum`` (150,000 volunteers, 10,000 needs and
two years of history: about a million sign-ups and hour entries); ``--prepare`` fills an empty
database, or adds the history to one filled before it existed. Requests go through the Flask
test client as the demo coordinator: the app's own time (routing, queries, templates, charts).
Reported per period (30 days, 90 days, two years, a custom range and five drawn at random): p50
and p95 of the wall time and the mean CPU time per request — the machine is shared, so wall time
includes waiting for a core — and, once each, a process's first page (it reads all aggregates
into memory) and the first page after a further refresh (it reads that refresh's days again).

Baseline in the same run: the city's headline figures of the same periods counted straight from
the rows in SQL (sign-ups, acceptances, attendance, places taken, confirmed hours, distinct active
volunteers), which is what the page would cost without the daily aggregates. Also timed once:
the scheduled rule that rebuilds the recent four weeks of aggregates. Target: p95 <= 300 ms.
"""

import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from bench.web_bench import (
    DEMO_COORDINATOR,
    PageReport,
    demo_user,
    log,
    page_app,
    percentile,
    run_page_bench,
)
from volunteer.app import create_app
from volunteer.models import HourEntry, HourState, Shift, Signup, SignupState
from volunteer.platform import migrate
from volunteer.platform.db import new_session
from volunteer.services.coordination import match_aggregates
from volunteer.services.coordination.match_aggregates import TAKEN_STATES, day_start
from volunteer.services.coordination.match_statistics import Period

TARGET_MS = 300.0
PERIODS = (("30 days", 30), ("90 days (default)", 90), ("two years", 730))
#: A custom range that starts and ends mid-week, a year back: (label, days back to its start,
#: its length in days).
CUSTOM = ("custom: 137 days from a Wednesday, a year back", 400, 137)
#: "Any period": this many more, drawn at random (fixed seed) over the two years, 1 to 730 days.
RANDOM_PERIODS = 5


def _prepare(url: str) -> None:
    from volunteer.demo.city import load_demo_data

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-" * 8})
    migrate.upgrade(app)
    with new_session(app) as s:
        log(f"filling {url} with Bochum-scale demo data and its history (skips what exists) ...")
        start = time.perf_counter()
        for line in load_demo_data(s, now=datetime.now(UTC), scale="bochum", progress=True):
            log(line)
        s.commit()
        log(f"demo data ready in {time.perf_counter() - start:.0f} s")


def raw_city_figures(session: Session, period: Period) -> dict[str, int]:
    """The baseline: the headline figures counted from the rows, without aggregates."""
    lo, hi = day_start(period.start), day_start(period.end + timedelta(days=1))
    in_shift = (Shift.starts_at >= lo, Shift.starts_at < hi, col(Shift.cancelled_at).is_(None))
    taken = [s.value for s in TAKEN_STATES]
    out = {
        "applied": session.exec(
            select(func.count())
            .select_from(Signup)
            .where(Signup.created_at >= lo, Signup.created_at < hi)
        ).one(),
        "accepted": session.exec(
            select(func.count())
            .select_from(Signup)
            .where(col(Signup.accepted_at) >= lo, col(Signup.accepted_at) < hi)
        ).one(),
        "places": int(
            session.exec(select(func.coalesce(func.sum(Shift.capacity), 0)).where(*in_shift)).one()
        ),
        "filled": session.exec(
            select(func.count())
            .select_from(Signup)
            .join(Shift, col(Shift.id) == Signup.shift_id)
            .where(*in_shift, col(Signup.state).in_(taken))
        ).one(),
        "minutes": int(
            session.exec(
                select(func.coalesce(func.sum(HourEntry.minutes), 0)).where(
                    HourEntry.state == HourState.CONFIRMED,
                    HourEntry.worked_on >= period.start,
                    HourEntry.worked_on <= period.end,
                )
            ).one()
        ),
    }
    attended = (
        sa_select(col(Signup.user_id))
        .join(Shift, col(Shift.id) == Signup.shift_id)
        .where(*in_shift, Signup.state == SignupState.ATTENDED)
    )
    out["active"] = int(
        session.execute(
            sa_select(func.count()).select_from(attended.distinct().subquery())
        ).scalar_one()
    )
    return out


def _measure(call: Callable[[], Any], n: int) -> tuple[float, list[float], float]:
    """(first request ms, later requests' wall ms, mean CPU ms of the later requests)."""
    start = time.perf_counter()
    call()
    first = (time.perf_counter() - start) * 1000
    times, cpu = [], []
    for _ in range(n):
        start, start_cpu = time.perf_counter(), time.process_time()
        call()
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return first, times, statistics.mean(cpu)


def run_backend(name: str, url: str, n: int) -> list[tuple[str, str, float, float, float, float]]:
    app = page_app(url)
    with new_session(app) as s:
        user = demo_user(s, DEMO_COORDINATOR, name=name, url=url)
        signups = s.exec(select(func.count()).select_from(Signup)).one()
        hours = s.exec(select(func.count()).select_from(HourEntry)).one()
        start = time.perf_counter()
        match_aggregates.refresh_recent(s, now=datetime.now(UTC))
        s.commit()
        refresh_ms = (time.perf_counter() - start) * 1000
    log(f"{name}: {signups} sign-ups, {hours} hour entries; rule refresh {refresh_ms:.0f} ms")
    client: FlaskClient = app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"] = user.alternative_id
        sess["_fresh"] = True
    today = datetime.now(UTC).date()
    rows = [(name, "statistics rule: rebuild the last four weeks", refresh_ms, 0.0, 0.0, 0.0)]

    def page_of(period: Period) -> Callable[[], None]:
        def page() -> None:
            response = client.get(
                f"/koordination/statistik?von={period.start.isoformat()}&bis={period.end.isoformat()}"
            )
            if response.status_code != 200:
                raise SystemExit(f"{name}: statistics page answered {response.status_code}")

        return page

    # A process's first page reads all aggregates into memory (match_columns); the first page
    # after each later refresh reads only the days that refresh rewrote.
    default = page_of(Period(today - timedelta(days=89), today))
    for what in ("first of the process", "first after a refresh"):
        if what.endswith("refresh"):
            with new_session(app) as s:
                match_aggregates.refresh_recent(s, now=datetime.now(UTC))
                s.commit()
        start, start_cpu = time.perf_counter(), time.process_time()
        default()
        cold = (time.perf_counter() - start) * 1000
        cold_cpu = (time.process_time() - start_cpu) * 1000
        rows.append((name, f"statistics page: {what}", cold, cold, cold, cold_cpu))
        log(f"{name}: statistics page, {what}: {cold:.0f} ms, CPU {cold_cpu:.0f} ms")

    def record(label: str, call: Callable[[], Any], runs: int) -> None:
        first, times, cpu = _measure(call, runs)
        p50, p95 = statistics.median(times), percentile(times, 95)
        rows.append((name, label, first, p50, p95, cpu))
        log(
            f"{name:10} {label:52} first {first:7.1f}  p50 {p50:7.1f}  "
            f"p95 {p95:7.1f}  cpu {cpu:6.1f}"
        )

    periods = [(label, Period(today - timedelta(days=days - 1), today)) for label, days in PERIODS]
    label, back, length = CUSTOM
    start = today - timedelta(days=back)
    start -= timedelta(days=(start.weekday() - 2) % 7)  # the Wednesday on or before
    periods.append((label, Period(start, start + timedelta(days=length - 1))))
    for label, period in periods:
        with new_session(app) as s:
            record(
                f"baseline, raw SQL: {label}", partial(raw_city_figures, s, period), max(3, n // 10)
            )
        record(f"statistics page: {label}", page_of(period), n)
    rng = random.Random(12)
    for _ in range(RANDOM_PERIODS):
        length = rng.randint(1, 730)
        start = today - timedelta(days=rng.randint(length - 1, 729))
        period = Period(start, start + timedelta(days=length - 1))
        label = f"random: {period.start.isoformat()} + {length} days"
        record(f"statistics page: {label}", page_of(period), n)
    return rows


REPORT = PageReport(
    command="dashboard",
    requests=30,
    title="Match statistics at Bochum scale (two years, about a million sign-ups and hours)",
    client="Flask test client as the demo coordinator",
    per="period",
    target_ms=TARGET_MS,
    label="what",
    figures=("first (cold)", "p50", "p95", "CPU per request"),
)


def main(argv: list[str]) -> int:
    rows = run_page_bench(argv, REPORT, description=__doc__, prepare=_prepare, run=run_backend)
    ok = True
    for name, what, first, p50, p95, cpu in rows:
        measured = what.startswith("statistics page") and not what.startswith(
            "statistics page: first"
        )
        met = p95 <= TARGET_MS
        ok = ok and (met or not measured)
        verdict = (
            ("yes" if met else "NO") if measured else "(baseline)" if "baseline" in what else ""
        )
        if what.startswith("statistics rule"):
            print(f"| {name} | {what} | {first:.0f} ms | | | | |")
        elif what.startswith("statistics page: first"):
            print(f"| {name} | {what} | {first:.0f} ms | | | {cpu:.1f} ms | (once) |")
        else:
            print(
                f"| {name} | {what} | {first:.0f} ms | {p50:.1f} ms | {p95:.1f} ms | "
                f"{cpu:.1f} ms | {verdict} |"
            )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
