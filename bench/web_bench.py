"""Web benchmark: p50/p95 of the search page, a need's page and "Für dich" at Bochum scale.

``python -m bench web [--sqlite PATH] [--postgres URL] [--requests N] [--prepare]``

Each backend needs a database filled with ``volunteer demo-data --scale bochum`` (150,000
volunteers, 10,000 needs); ``--prepare`` creates it when it is empty (about two minutes on
SQLite). Requests go through the Flask test client as the demo volunteer, so the figures are the
app's own time (routing, queries, engine, templates) without a network or a WSGI server. The
first request of each page is reported separately: it builds the engine's cached index.

Baseline in the same run, on each backend: the search page with the previous search service
(``bench/search_before.py``) and with the current one, both under CPython's default garbage
collector settings; then every page as served, i.e. with ``volunteer.runtime.tune_gc()`` applied
as ``volunteer/wsgi.py`` does. The machine's load average (``uptime``) is printed before and after.
Target: p95 <= 100 ms for every page on both backends.
"""

import argparse
import gc
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from unittest import mock

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func
from sqlmodel import Session, col, select

from bench import search_before
from volunteer.app import create_app
from volunteer.models import Opportunity, OpportunityStatus, Organisation, User
from volunteer.platform import migrate
from volunteer.platform.db import new_session
from volunteer.runtime import tune_gc
from volunteer.services.discovery import search

TARGET_MS = 100.0
DEMO_VOLUNTEER = "ehrenamt@demo.mitwirken.de"
DEMO_COORDINATOR = "stadt@demo.mitwirken.de"
SEARCHES = [
    "",
    "q=garten",
    "q=lesen&sort=soonest",
    "sort=nearest&radius=5",
    "fits=1",
    "district=10&minors=1",
    "cause=environment&page=3",
    "q=hilfe&step_free=1&kind=regular",
    "from=2026-12-01&to=2026-12-31",
    "sort=best&page=2",
]


def load_average() -> str:
    """The 1/5/15-minute load averages, as ``uptime`` shows them."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f}, {five:.2f}, {fifteen:.2f}"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def _prepare(url: str) -> None:
    from volunteer.demo.city import has_users, load_demo_data

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-" * 8})
    migrate.upgrade(app)
    with new_session(app) as s:
        if not has_users(s):
            log(f"filling {url} with Bochum-scale demo data ...")
            from datetime import UTC, datetime

            load_demo_data(s, now=datetime.now(UTC), scale="bochum", progress=True)
            s.commit()


def _measure(call: Callable[[], Any], n: int) -> tuple[float, list[float]]:
    start = time.perf_counter()
    call()
    first = (time.perf_counter() - start) * 1000
    times = []
    for _ in range(n):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return first, times


def page_app(url: str) -> Flask:
    """The app as a page benchmark drives it through the test client: no CSRF, no rate limit."""
    return create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench-" * 8,
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
        }
    )


def demo_user(session: Session, email_key: str, *, name: str, url: str) -> User:
    """The demo account a benchmark logs in as; without it the database was not filled."""
    user = session.exec(select(User).where(User.email_key == email_key)).first()
    if user is None:
        raise SystemExit(f"{name}: no demo data at {url} (run with --prepare)")
    return user


def run_backend(name: str, url: str, n: int) -> list[tuple[str, str, float, float, float, int]]:
    app = page_app(url)
    with new_session(app) as s:
        user = demo_user(s, DEMO_VOLUNTEER, name=name, url=url)
        volunteers = s.exec(select(func.count()).select_from(User)).one()
        ids = list(
            s.exec(
                select(Opportunity.id)
                .join(Organisation, col(Organisation.id) == col(Opportunity.organisation_id))
                .where(
                    Opportunity.status == OpportunityStatus.PUBLISHED,
                    col(Organisation.verified_at).is_not(None),
                )
                .order_by(col(Opportunity.id))
            ).all()
        )
    log(f"{name}: {volunteers} accounts, {len(ids)} published needs")
    client: FlaskClient = app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"] = user.alternative_id
        sess["_fresh"] = True
    rng = random.Random(7)

    def get(path: str) -> None:
        response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{name}: {path} answered {response.status_code}")

    def searches() -> Callable[[], None]:
        queries = iter(SEARCHES * (n // len(SEARCHES) + 2))
        return lambda: get(f"/engagements/?{next(queries)}")

    rows = []

    def measure(page: str, call: Callable[[], None]) -> None:
        first, times = _measure(call, n)
        p50, p95 = statistics.median(times), percentile(times, 95)
        rows.append((name, page, first, p50, p95, n))
        log(f"{name:10} {page:45} first {first:7.1f} ms  p50 {p50:6.1f} ms  p95 {p95:6.1f} ms")

    with mock.patch.object(search, "search", search_before.search):
        measure("search page, baseline: previous service, default GC", searches())
    measure("search page, default GC", searches())
    thresholds = tune_gc()
    try:
        measure("search page", searches())
        measure("opportunity page", lambda: get(f"/engagements/{rng.choice(ids)}"))
        measure("Für dich", lambda: get("/ich/fuer-dich"))
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
    return rows


RowT = TypeVar("RowT")


def database_arguments(parser: argparse.ArgumentParser) -> None:
    """--sqlite and --postgres: the Bochum-scale databases a web benchmark runs against."""
    parser.add_argument(
        "--sqlite",
        default=os.environ.get("VOLUNTEER_BENCH_SQLITE", "instance/bench-bochum.sqlite3"),
    )
    parser.add_argument("--postgres", default=os.environ.get("VOLUNTEER_BENCH_POSTGRES_URL", ""))


def databases(args: argparse.Namespace) -> list[tuple[str, str]]:
    """(name, URL) of each database asked for; PostgreSQL only when given."""
    found = [("SQLite", f"sqlite:///{os.path.abspath(args.sqlite)}")]
    if args.postgres:
        found.append(("PostgreSQL", args.postgres))
    else:
        log("PostgreSQL skipped: set --postgres or VOLUNTEER_BENCH_POSTGRES_URL")
    return found


def page_arguments(parser: argparse.ArgumentParser, *, requests: int) -> None:
    """The databases, --requests per page and --prepare (fill them first): what a page
    benchmark run by :func:`run_databases` reads."""
    database_arguments(parser)
    parser.add_argument("--requests", type=int, default=requests)
    parser.add_argument("--prepare", action="store_true", help="fill the databases first")


def run_databases(
    args: argparse.Namespace,
    prepare: Callable[[str], None],
    run: Callable[[str, str, int], list[RowT]],
) -> tuple[list[RowT], str, str]:
    """Each database asked for (filled first with ``--prepare``), measured ``--requests`` times:
    the rows, and the load average before and after (the figures' conditions)."""
    rows: list[RowT] = []
    before = load_average()
    for name, url in databases(args):
        if args.prepare:
            prepare(url)
        rows += run(name, url, args.requests)
    return rows, before, load_average()


@dataclass(frozen=True, slots=True)
class PageReport:
    """What a page benchmark's report says around its rows: the command, the heading, the
    conditions sentence (``client``, requests ``per`` page or period, the target) and the
    table's columns (``label`` names the row, ``figures`` the measured columns)."""

    command: str
    requests: int
    title: str
    client: str
    per: str
    target_ms: float
    label: str
    figures: tuple[str, ...]


def run_page_bench(
    argv: list[str],
    report: PageReport,
    *,
    description: str | None,
    prepare: Callable[[str], None],
    run: Callable[[str, str, int], list[RowT]],
) -> list[RowT]:
    """A page benchmark from its command line to its table's header: the arguments, each
    database measured, the conditions the figures hold under (requests, target, load average
    before and after, cores). The caller prints the rows and judges them."""
    parser = argparse.ArgumentParser(
        prog=f"python -m bench {report.command}", description=description
    )
    page_arguments(parser, requests=report.requests)
    args = parser.parse_args(argv)
    rows, load_before, load_after = run_databases(args, prepare, run)
    print(f"## {report.title}\n")
    print(
        f"{report.client}, {args.requests} requests per {report.per} after one cold request; "
        f"target p95 <= {report.target_ms:.0f} ms. Load average (1, 5, 15 min) {load_before} "
        f"before, {load_after} after; {os.cpu_count()} cores.\n"
    )
    print(f"| backend | {report.label} | {' | '.join(report.figures)} | target met |")
    print(f"|---|---|{'---:|' * len(report.figures)}---|")
    return rows


REPORT = PageReport(
    command="web",
    requests=100,
    title="Web pages at Bochum scale (150,000 volunteers, 10,000 needs)",
    client="Flask test client",
    per="page",
    target_ms=TARGET_MS,
    label="page",
    figures=("first (cold)", "p50", "p95"),
)


def main(argv: list[str]) -> int:
    rows = run_page_bench(argv, REPORT, description=__doc__, prepare=_prepare, run=run_backend)
    ok = True
    for name, page, first, p50, p95, _n in rows:
        met = p95 <= TARGET_MS
        baseline = "," in page  # the comparison rows, not pages as served
        ok = ok and (met or baseline)
        verdict = "(baseline)" if baseline else "yes" if met else "NO"
        print(f"| {name} | {page} | {first:.0f} ms | {p50:.1f} ms | {p95:.1f} ms | {verdict} |")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
