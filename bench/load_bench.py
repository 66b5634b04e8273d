"""Load benchmark: the real server under concurrent load, against a floor measured in the same run.

``python -m bench load [--sqlite PATH] [--postgres URL] [--seconds N] [--connections 1,8,32]
[--write-readme]``; ``python -m bench load --cpu [--requests N]`` counts CPU time per request
instead (``bench/load_cpu.py``), which a loaded machine does not distort.

For each backend (a database filled with ``volunteer demo-data --scale bochum``; an empty one is
filled first, which takes minutes), the app is started exactly as ``volunteer serve`` runs it
(gunicorn, 2 workers x 4 threads, gthread; no scheduler), and wrk (Debian's package; loopback only,
each run bounded by ``--seconds``) drives each page at 1, 8 and 32 connections: home, search (varied
queries and sorts), a need's page (rotating over listed needs), the district page, "Für dich" and
"Meine Engagements" as the demo volunteer, a sign-up POST (rotating over open shifts, as the demo
volunteer; later ones answer "already signed up" or "full", which is a normal page too), and the
coordinators' dashboard as the demo coordinator. The floor is a minimal Flask app rendering a small
Jinja template (``bench/floor_app.py``) on the same gunicorn settings, measured in the same run;
every page's throughput is given as a share of the floor's at the same concurrency.

Before the first page is measured, the benchmark waits until both workers' start-up warm-up
(``volunteer.runtime.warm_caches``) has finished, as ``/metrics`` counts it; every request names the
same user agent, the login's and wrk's, as a browser does (see ``USER_AGENT``).

Figures per run: requests/s, p50, p95, p99, the slowest request and errors (non-2xx/3xx answers
and socket errors). The machine's load average is printed before and after.
"""

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import col, select

from bench import load_cpu
from bench.load_targets import Result, table
from bench.readme import write_section
from bench.web_bench import (
    DEMO_COORDINATOR,
    DEMO_VOLUNTEER,
    SEARCHES,
    _prepare,
    database_arguments,
    databases,
    load_average,
    log,
)
from volunteer.app import create_app
from volunteer.models import Opportunity, Organisation, Shift, Signup, User
from volunteer.platform.db import new_session
from volunteer.services.discovery.listing import listed_clause

# Warm-up requests per path sent at once: more than one worker's threads, so both workers serve.
WARM_PARALLEL = 8
# A warm-up request may wait this long: eight cold dashboards at once on a loaded 2-core
# machine took over 30 s (the old limit) and ended the whole benchmark.
REQUEST_TIMEOUT = 180
START, END = "<!-- bench:load:start -->", "<!-- bench:load:end -->"
DEMO_PASSWORD = "Mitwirken-Demo-2026"
BIN = Path(sys.executable).parent
SECRET = "load-bench-secret-0123456789abcdef-0123456789"
# As `volunteer serve` runs gunicorn (and so the floor): the warm-up waits for each worker.
WORKERS = 2
GUNICORN_SETTINGS = ["--workers", str(WORKERS), "--threads", "4", "--worker-class", "gthread"]
# Every request, the login's and wrk's alike, names the same client, as a browser does: Flask-Login
# ties a session to the client's address and user agent, and wrk (which sends none) replaying a
# session made with urllib's looked like the cookie used from another device on every request:
# the session was marked not fresh, signed and sent back each time, work no browser causes.
USER_AGENT = "Mozilla/5.0 (mitwirken-load-bench)"


@dataclass(frozen=True)
class Page:
    name: str
    paths: list[str]
    who: str | None = None  # "volunteer" | "coordinator"
    post: bool = False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_healthy(url: str, seconds: float = 180.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer within {seconds:.0f} s")


def _warmed(metrics: str, workers: int) -> bool:
    """Whether every worker's start-up warm-up (``volunteer.runtime.warm_caches``) has run its
    last step, ok or not, by the job counters of a ``/metrics`` scrape (all workers summed)."""
    runs = 0.0
    for line in metrics.splitlines():
        if line.startswith("mitwirken_job_runs_total{") and 'job="warm_coordination"' in line:
            runs += float(line.rpartition(" ")[2])
    return runs >= workers


def _wait_warm(base: str, workers: int = WORKERS, seconds: float = 600.0) -> None:
    """Wait until both workers have built what their first visitors would otherwise wait for:
    the warm-up runs in a background thread of each worker (seconds of CPU at city scale), and
    measuring while it ran counted a tenth of the workers' time against the first page."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with urllib.request.urlopen(base + "/metrics", timeout=REQUEST_TIMEOUT) as r:
            if _warmed(r.read().decode(), workers):
                return
        time.sleep(1.0)
    raise RuntimeError(f"the workers' warm-up did not finish within {seconds:.0f} s")


@contextmanager
def _server(argv: list[str], env: dict[str, str], health: str) -> Iterator[None]:
    proc = subprocess.Popen(
        argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        _wait_healthy(health)
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def _cookies(headers: list[str]) -> dict[str, str]:
    """Cookie name -> value from Set-Cookie headers (the Secure flag does not matter to wrk)."""
    out: dict[str, str] = {}
    for header in headers:
        name, _, rest = header.partition("=")
        out[name.strip()] = rest.split(";", 1)[0]
    return out


def _request(
    base: str, path: str, cookies: dict[str, str], data: dict[str, str] | None = None
) -> tuple[int, str, dict[str, str]]:
    opener = urllib.request.build_opener(_NoRedirect)
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    req = urllib.request.Request(base + path, data=body, headers={"User-Agent": USER_AGENT})
    if cookies:
        req.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in cookies.items()))
    try:
        with opener.open(req, timeout=REQUEST_TIMEOUT) as r:
            status, page, set_cookie = r.status, r.read().decode(), r.headers.get_all("Set-Cookie")
    except urllib.error.HTTPError as e:
        status, page, set_cookie = e.code, e.read().decode(), e.headers.get_all("Set-Cookie")
    return status, page, {**cookies, **_cookies(set_cookie or [])}


def _cookie_dict(header: str | None) -> dict[str, str]:
    return _cookies(header.split("; ")) if header else {}


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    if not found:
        raise RuntimeError("no CSRF token on the page")
    return found.group(1)


def login(base: str, email: str) -> tuple[str, str]:
    """The Cookie header of a logged-in session and a CSRF token valid for it."""
    _, page, cookies = _request(base, "/konto/anmelden", {})
    status, _, cookies = _request(
        base,
        "/konto/anmelden",
        cookies,
        {"email": email, "password": DEMO_PASSWORD, "csrf_token": _csrf(page)},
    )
    if status not in (302, 303):
        raise RuntimeError(f"login of {email} answered {status}")
    _, page, cookies = _request(base, "/ich/engagements", cookies)
    header = "; ".join(f"{k}={v}" for k, v in cookies.items())
    return header, _csrf(page)


def _sample_ids(url: str) -> tuple[list[int], list[int]]:
    """Listed needs and open future shifts of listed needs, a deterministic sample of each."""
    needs, shifts = _listed_ids(url)
    step_n, step_s = max(1, len(needs) // 64), max(1, len(shifts) // 256)
    return needs[::step_n][:64], shifts[::step_s][:256]


def _listed_ids(url: str) -> tuple[list[int], list[int]]:
    """Every listed need, and every future shift of a listed need the demo volunteer is not on."""
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET})
    listed = (
        select(Opportunity.id)
        .join(Organisation, col(Organisation.id) == col(Opportunity.organisation_id))
        .where(listed_clause())
        .order_by(col(Opportunity.id))
    )
    with new_session(app) as s:
        needs = [int(i) for i in s.exec(listed).all() if i is not None]
        # Not the shifts the demo volunteer is already on: each run's sign-ups are real changes
        # (an earlier run's sign-ups would answer "already signed up" and change nothing).
        taken = (
            select(Signup.shift_id)
            .join(User, col(User.id) == col(Signup.user_id))
            .where(User.email_key == DEMO_VOLUNTEER)
        )
        upcoming = (
            select(Shift.id)
            .where(col(Shift.opportunity_id).in_(listed))
            .where(col(Shift.cancelled_at).is_(None))
            .where(col(Shift.starts_at) > datetime.now(UTC))
            .where(col(Shift.id).not_in(taken))
            .order_by(col(Shift.id))
        )
        shifts = [int(i) for i in s.exec(upcoming).all() if i is not None]
    return needs, shifts


LUA = """
local paths = {%(paths)s}
local method = "%(method)s"
local body = "%(body)s"
local headers = {}
%(headers)s
local i = 0
-- Each thread (and each run, by the clock) starts elsewhere in a long list of paths, so the
-- threads of one run and the runs one after another do not ask for the same pages in step.
local threads = 0
setup = function(thread)
  thread:set("offset", threads * 7919 + os.time() * 997)
  threads = threads + 1
end
init = function(args)
  i = (offset or 0) %% #paths
end
request = function()
  i = i + 1
  return wrk.format(method, paths[(i %% #paths) + 1], headers, method == "POST" and body or nil)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %%d %%d %%d %%d %%d %%d %%d\\n", summary.requests,
    summary.duration, e.status + e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"""


def _lua(page: Page, cookie: str | None, csrf: str | None) -> str:
    def quote(s: str) -> str:
        return s.replace("\\", "\\\\").replace('"', '\\"')

    headers = [f'headers["User-Agent"] = "{quote(USER_AGENT)}"']
    if cookie:
        headers.append(f'headers["Cookie"] = "{quote(cookie)}"')
    body = ""
    if page.post:
        headers.append('headers["Content-Type"] = "application/x-www-form-urlencoded"')
        body = urllib.parse.urlencode({"csrf_token": csrf or ""})
    return LUA % {
        "paths": ", ".join(f'"{quote(p)}"' for p in page.paths),
        "method": "POST" if page.post else "GET",
        "body": quote(body),
        "headers": "\n".join(headers),
    }


def run_wrk(
    base: str, page: Page, connections: int, seconds: int, cookie: str | None, csrf: str | None
) -> Result:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise RuntimeError("wrk is missing: apt-get install wrk")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(_lua(page, cookie, csrf))
        script = f.name
    try:
        out = subprocess.run(
            [
                wrk,
                "-t",
                str(min(2, connections)),
                "-c",
                str(connections),
                "-d",
                f"{seconds}s",
                "--timeout",
                "10s",
                "-s",
                script,
                base,
            ],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
            check=True,
        ).stdout
    finally:
        os.unlink(script)
    line = next(x for x in out.splitlines() if x.startswith("RESULT "))
    n, duration_us, errors, p50, p95, p99, worst = (int(x) for x in line.split()[1:])
    return Result(
        page.name,
        connections,
        n / (duration_us / 1e6),
        p50 / 1000,
        p95 / 1000,
        p99 / 1000,
        worst / 1000,
        errors,
        n,
    )


# Searches nobody repeats within the anonymous pages' cache lifetime (30 s): 1,296 different
# query strings (words, sorts, kinds, pages, flags), for what a search the cache has not seen costs
# under load. The 8 queries above are the popular ones, answered from the cache once asked.
WORDS = (
    "garten",
    "lesen",
    "hilfe",
    "kinder",
    "tafel",
    "sport",
    "musik",
    "senioren",
    "umwelt",
    "sprache",
    "begleiten",
    "café",
)
MANY_SEARCHES = [
    urllib.parse.urlencode(
        {name: v for name, v in (("q", w), ("sort", s), ("kind", k), ("page", p), *flags) if v}
    )
    for w in WORDS
    for s in ("", "soonest", "nearest")
    for k in ("", "oneoff", "regular")
    for p in ("", "2", "3")
    for flags in (
        (),
        (("minors", "1"),),
        (("step_free", "1"),),
        (("minors", "1"), ("step_free", "1")),
    )
]


def pages(needs: list[int], shifts: list[int], every_need: list[int]) -> list[Page]:
    return [
        Page("home", ["/"]),
        Page("search (8 varied queries and sorts)", [f"/engagements/?{q}" for q in SEARCHES[:8]]),
        Page(
            f"search ({len(MANY_SEARCHES):,} different queries)",
            [f"/engagements/?{q}" for q in MANY_SEARCHES],
        ),
        Page("need page", [f"/engagements/{i}" for i in needs]),
        Page(
            f"need page (all {len(every_need):,} listed)", [f"/engagements/{i}" for i in every_need]
        ),
        Page("district page", ["/engagements/stadtteile"]),
        Page("Für dich", ["/ich/fuer-dich"], who="volunteer"),
        Page("Meine Engagements", ["/ich/engagements"], who="volunteer"),
        Page(
            "sign-up POST",
            [f"/engagements/schichten/{i}/anmelden" for i in shifts],
            who="volunteer",
            post=True,
        ),
        Page("coordinator dashboard", ["/koordination/"], who="coordinator"),
    ]


def bench_backend(
    label: str,
    url: str,
    connections: list[int],
    seconds: int,
    wanted: Callable[[str], bool] = lambda _name: True,
) -> list[Result]:
    env = {
        **os.environ,
        "VOLUNTEER_DATABASE_URL": url,
        "VOLUNTEER_SECRET_KEY": SECRET,
        "VOLUNTEER_RATELIMIT_ENABLED": "false",
    }
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    results: list[Result] = []
    floor_port = _free_port()
    floor_base = f"http://127.0.0.1:{floor_port}"
    floor = [
        str(BIN / "gunicorn"),
        "--bind",
        f"127.0.0.1:{floor_port}",
        *GUNICORN_SETTINGS,
        "bench.floor_app:app",
    ]
    with _server(floor, env, floor_base + "/"):
        for c in connections:
            results.append(run_wrk(floor_base, Page("floor", ["/"]), c, seconds, None, None))
            log(f"{label} floor c={c}: {results[-1].rps:.0f} req/s")
    needs, shifts = _sample_ids(url)
    serve = [
        str(BIN / "volunteer"),
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(WORKERS),
        "--no-scheduler",
    ]
    with _server(serve, env, base + "/healthz"):
        _wait_warm(base)
        sessions = {
            "volunteer": login(base, DEMO_VOLUNTEER),
            "coordinator": login(base, DEMO_COORDINATOR),
        }
        for page in [p for p in pages(needs, shifts, _listed_ids(url)[0]) if wanted(p.name)]:
            cookie, csrf = sessions[page.who] if page.who else (None, None)
            # Warm up: the first paths, each asked eight times at once so that both workers
            # (not only the one that happens to accept) build the engine's index and the caches
            # before anything is measured; a cold worker's first "Für dich" takes seconds.
            cookies = _cookie_dict(cookie)
            data = {"csrf_token": csrf or ""} if page.post else None
            with ThreadPoolExecutor(WARM_PARALLEL) as pool:
                for path in page.paths[:8]:
                    asked = [
                        pool.submit(_request, base, path, cookies, data)
                        for _ in range(WARM_PARALLEL)
                    ]
                    for answer in asked:
                        answer.result()
            for c in connections:
                results.append(run_wrk(base, page, c, seconds, cookie, csrf))
                log(
                    f"{label} {page.name} c={c}: {results[-1].rps:.0f} req/s, "
                    f"p95 {results[-1].p95_ms:.0f} ms, errors {results[-1].errors}"
                )
    return results


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench load", description=__doc__)
    database_arguments(parser)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", default="1,8,32")
    parser.add_argument("--write-readme", action="store_true")
    parser.add_argument("--cpu", action="store_true", help="CPU per request, in one process")
    parser.add_argument("--requests", type=int, default=40, help="requests per page (--cpu)")
    parser.add_argument(
        "--pages",
        default="",
        help="only the pages whose names start with one of these, comma-separated (and the "
        'floor), e.g. --pages "Für dich,Meine Engagements"',
    )
    args = parser.parse_args(argv)
    wanted = load_cpu.page_filter(args.pages)
    connections = [int(c) for c in args.connections.split(",")]
    backends = databases(args)
    before = load_average()
    lines = [
        f"Load benchmark: wrk on loopback, {args.seconds} s per run, the app as `volunteer serve` "
        f"runs it (gunicorn {' '.join(GUNICORN_SETTINGS)}), Bochum-scale demo data; "
        f"{os.cpu_count()} cores. Load average before: {before}.",
        "",
    ]
    for label, url in backends:
        _prepare(url)  # fills an empty database at Bochum scale (minutes), else does nothing
        if args.cpu:
            found = load_cpu.measure(
                url,
                args.requests,
                *_sample_ids(url),
                wanted=wanted,
                searches=MANY_SEARCHES,
                every_need=_listed_ids(url)[0],
            )
            lines += load_cpu.table(label, found)
        else:
            lines += table(label, bench_backend(label, url, connections, args.seconds, wanted))
    lines.append(f"Load average after: {load_average()} (1 / 5 / 15 min).")
    report = "\n".join(lines) + "\n"
    print(report)
    if args.write_readme:
        write_section(report, load_cpu.MARKERS if args.cpu else (START, END))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
