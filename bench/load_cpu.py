"""CPU time per request of the load benchmark's pages, beside the floor's, in one process.

``python -m bench load --cpu [--sqlite PATH] [--postgres URL] [--requests N]``

Wall-clock throughput on a machine shared with other work says more about the neighbours than
about the app, so this mode counts CPU instead: each page's requests go through the real app
(``create_app`` as ``volunteer/wsgi.py`` builds it, the garbage collector tuned as there) with the
Flask test client, and two figures are taken per page: the request thread's own CPU time
(``time.thread_time``: what one request keeps a worker thread busy) and the whole process's CPU
time divided by the requests (``time.process_time``: including background work such as an index
rebuilt after a change). The floor app (``bench/floor_app.py``) is measured the same way in the
same run. "search after a sign-up" alternates a real sign-up POST with one search and times the
search alone: what the first visitor after a change pays.

The anonymous pages (home, search, need page, district page) are served from the per-process
cache of rendered pages (``volunteer/web/anonymous_pages.py``) once a visitor has asked for the
same page; each is measured as the rotation hits it (the share of requests the cache answered is
reported) and again with the cache emptied before every request ("not cached"): what a search
nobody made in the last half minute, or a need's first visit, costs.
"""

import gc
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from flask.testing import FlaskClient
from sqlmodel import select

from bench import floor_app
from bench.web_bench import DEMO_COORDINATOR, DEMO_VOLUNTEER, SEARCHES, log
from volunteer.app import create_app
from volunteer.models import User
from volunteer.platform.db import new_session
from volunteer.runtime import tune_gc
from volunteer.web.anonymous_pages import AnonymousPages

MARKERS = ("<!-- bench:cpu:start -->", "<!-- bench:cpu:end -->")
T = TypeVar("T")


@dataclass(frozen=True)
class CpuResult:
    page: str
    requests: int
    thread_ms: float  # the request thread's CPU per request
    process_ms: float  # the process's CPU per request, background threads included
    cached: float | None = None  # share of requests the anonymous pages' cache answered


def _client(app_config: dict[str, object], email: str | None) -> FlaskClient:
    app = create_app(app_config)
    client = app.test_client()
    if email is not None:
        with new_session(app) as s:
            user = s.exec(select(User).where(User.email_key == email)).first()
            if user is None:
                raise SystemExit(f"no demo account {email}: fill the database first")
            alternative_id = user.alternative_id
        with client.session_transaction() as sess:
            sess["_user_id"] = alternative_id
            sess["_fresh"] = True
    return client


def _time(
    name: str,
    n: int,
    call: Callable[[int], None],
    pages: AnonymousPages | None = None,
    empty: bool = False,
) -> CpuResult:
    """CPU per request of ``call``; with ``pages`` the share of requests that cache answered,
    and with ``empty`` that cache emptied before each request (outside the timed part)."""
    call(0)  # warm: the engine's index and the caches are built before anything is counted
    thread = process = 0.0
    hits = pages.hits if pages is not None else 0
    for i in range(1, n + 1):
        if pages is not None and empty:
            pages.clear()
        t0, p0 = time.thread_time(), time.process_time()
        call(i)
        thread += time.thread_time() - t0
        process += time.process_time() - p0
    cached = (pages.hits - hits) / n if pages is not None else None
    result = CpuResult(name, n, 1000 * thread / n, 1000 * process / n, cached)
    share = "" if cached is None else f", {cached:.0%} from the page cache"
    log(
        f"cpu {name}: {result.thread_ms:.1f} ms (thread), {result.process_ms:.1f} ms (process)"
        + share
    )
    return result


def page_filter(names: str) -> Callable[[str], bool]:
    """``--pages``: whether a page is measured (every page when ``names`` is empty)."""
    prefixes = tuple(n.strip() for n in names.split(",") if n.strip())
    return lambda name: not prefixes or name.startswith(prefixes)


def measure(
    url: str,
    n: int,
    needs: list[int],
    shifts: list[int],
    *,
    wanted: Callable[[str], bool] = page_filter(""),
    searches: Sequence[str] = (),
    every_need: Sequence[int] = (),
) -> list[CpuResult]:
    """CPU per request of every page ``wanted`` (and the floor) against the database at
    ``url`` (demo data in it). With ``searches`` (the wrk table's many different queries) and
    ``every_need`` (every listed need), also what a search nobody made and a need's first visit
    cost: spread over those lists by a stride, with the page cache emptied before each."""
    config: dict[str, object] = {
        "DATABASE_URL": url,
        "SECRET_KEY": "load-bench-secret-0123456789abcdef-0123456789",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
    }
    anonymous = _client(config, None)
    volunteer = _client(config, DEMO_VOLUNTEER)
    coordinator = _client(config, DEMO_COORDINATOR)
    floor = floor_app.app.test_client()
    thresholds = tune_gc()

    def get(client: FlaskClient, path: str, ok: tuple[int, ...] = (200,)) -> None:
        response = client.get(path)
        if response.status_code not in ok:
            raise SystemExit(f"{path} answered {response.status_code}")

    def sign_up(i: int) -> None:
        volunteer.post(f"/engagements/schichten/{shifts[i % len(shifts)]}/anmelden", data={})

    pages: AnonymousPages = anonymous.application.extensions["anonymous_pages"]
    anonymous_pages = [
        ("home", lambda i: get(anonymous, "/")),
        ("search", lambda i: get(anonymous, f"/engagements/?{SEARCHES[i % 8]}")),
        ("need page", lambda i: get(anonymous, f"/engagements/{needs[i % len(needs)]}")),
        ("district page", lambda i: get(anonymous, "/engagements/stadtteile")),
    ]

    results = []
    pages_timed: list[tuple[str, Callable[[int], None], AnonymousPages | None, bool]] = []
    for name, call in anonymous_pages:
        pages_timed += [(name, call, pages, False), (f"{name} (not cached)", call, pages, True)]
    if searches:
        # A page past the last one answers with a redirect to it, as it does for wrk.
        pages_timed.append(
            (
                f"search, {len(searches):,} different queries (not cached)",
                lambda i: get(anonymous, f"/engagements/?{_spread(searches, i)}", (200, 302)),
                pages,
                True,
            )
        )
    if every_need:
        pages_timed.append(
            (
                f"need page, all {len(every_need):,} listed (not cached)",
                lambda i: get(anonymous, f"/engagements/{_spread(every_need, i)}"),
                pages,
                True,
            )
        )
    pages_timed += [
        (
            "search as the volunteer",
            lambda i: get(volunteer, f"/engagements/?{SEARCHES[i % 8]}"),
            None,
            False,
        ),
        ("Für dich", lambda i: get(volunteer, "/ich/fuer-dich"), None, False),
        ("Meine Engagements", lambda i: get(volunteer, "/ich/engagements"), None, False),
        ("coordinator dashboard", lambda i: get(coordinator, "/koordination/"), None, False),
    ]
    try:
        results.append(_time("floor", n, lambda i: get(floor, "/")))
        for name, call, cache, empty in pages_timed:
            if wanted(name):
                results.append(_time(name, n, call, cache, empty))
        if wanted("sign-up POST"):
            results.append(_time("sign-up POST", min(n, len(shifts) // 2), sign_up))
        if wanted("search after a sign-up"):
            results.append(
                _after_sign_up(
                    n, shifts, sign_up, lambda i: get(anonymous, f"/engagements/?{SEARCHES[i % 8]}")
                )
            )
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
    return results


def _spread(items: Sequence[T], i: int) -> T:
    """The ``i``-th of a rotation that strides through ``items`` (neighbours in the list share
    words or sorts; a prime stride visits them all before repeating one)."""
    return items[(i * 101) % len(items)]


def _after_sign_up(
    n: int, shifts: list[int], sign_up: Callable[[int], None], search: Callable[[int], None]
) -> CpuResult:
    """A real sign-up, then one search, timed alone: what the first visitor after a change pays."""
    thread = process = 0.0
    rounds = min(n, len(shifts) // 2)
    for i in range(rounds):
        sign_up(len(shifts) // 2 + i)
        t0, p0 = time.thread_time(), time.process_time()
        search(i)
        thread += time.thread_time() - t0
        process += time.process_time() - p0
    result = CpuResult(
        "search after a sign-up", rounds, 1000 * thread / rounds, 1000 * process / rounds
    )
    log(f"cpu search after a sign-up: {result.thread_ms:.1f} ms (thread)")
    return result


def table(label: str, results: list[CpuResult]) -> list[str]:
    floor = next(r for r in results if r.page == "floor")
    lines = [
        f"**{label}, CPU per request**",
        "",
        "| page | requests | from the page cache | CPU ms (request thread) | CPU ms (process) "
        "| × floor |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        cached = "" if r.cached is None else f"{r.cached:.0%}"
        lines.append(
            f"| {r.page} | {r.requests} | {cached} | {r.thread_ms:.2f} | {r.process_ms:.2f} | "
            f"{r.process_ms / floor.process_ms:.1f} |"
        )
    return [*lines, ""]
