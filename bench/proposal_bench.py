"""Proposal benchmark: how long the worker takes for a city-wide proposal at Bochum scale.

``python -m bench proposal [--sqlite PATH] [--postgres URL] [--runs N] [--profile]``

Each backend needs a database filled with ``volunteer demo-data --scale bochum``. A run is
queued as the demo coordinator with the default options (the next four weeks, the whole city,
every cause), then computed by the job the scheduler calls
(``notifications.proposals.run_next_proposal``), so the figure is what a coordinator waits for
on the status page. The first run of a process also builds the engine's volunteer pool; it is
reported separately ("cold"). Then the process forgets what it built and warms up as a worker
process does before its first run (the scheduler's idle tick, ``ProposalJob``), timed apart,
and runs once more ("first after the worker warmed up"); then the warm runs. Then the gap
map's rule runs once on the pool the proposal left warm, as the scheduler runs it (no target
of its own: it runs in the background every 15 minutes). Wall and CPU seconds
(``time.process_time``) and the load average are reported for each, and each run's phases
(pool, needs, candidates, ..., from the run's stored figures): on a shared machine the CPU
figure is the comparable one. Baselines in the same run: the greedy
assignment's pairs on the same kept candidates (stored with every run), and the last run's
exact assignment over every eligible pair, which prints what the candidate cut
(``proposal.kept``) costs in total match, places and needs. Target: a run finishes in
<= 10 s. ``--profile`` profiles the last run instead of timing it and prints its 25 most
expensive functions (with ``--runs 0``: the first run after the warm-up).
"""

import argparse
import cProfile
import os
import pstats
import sys
import time
from datetime import UTC, datetime

import numpy as np
from sqlmodel import select

from matching.assign import solve
from notifications.proposals import run_next_proposal, warm_worker
from notifications.scheduler import rules, run_rule
from volunteer.app import create_app
from volunteer.demo.city import DEMO_COORDINATOR
from volunteer.models import GapReport, ProposalRun, User
from volunteer.platform import migrate
from volunteer.platform.db import new_session
from volunteer.services.coordination import proposal
from volunteer.services.discovery import engine

TARGET_S = 10.0


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _one(app: object, now: datetime) -> tuple[float, float, dict[str, object], int]:
    from flask import Flask

    assert isinstance(app, Flask)
    with new_session(app) as s:
        by = s.exec(select(User).where(User.email_key == DEMO_COORDINATOR)).one()
        run = proposal.queue(s, proposal.default_options(now=now), by=by, now=now)
        s.commit()
        run_id = run.id
    start, cpu = time.perf_counter(), time.process_time()
    done = run_next_proposal(app, worker="bench", now=now)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    assert done == run_id, (done, run_id)
    with new_session(app) as s:
        stored = s.get(ProposalRun, run_id)
        assert stored is not None and stored.status == "done", stored and stored.error
        assert stored.id is not None
        return seconds, cpu, dict(stored.figures), stored.id


def _over_every_pair(
    app: object, run_id: int, now: datetime
) -> tuple[str, float, float, str, bool]:
    """The baseline of the candidate cut: the same run's exact assignment over *every* eligible
    pair (what the worker solved before :mod:`~volunteer.services.coordination.proposal.kept`),
    against what the run stored. The loss is the cut's price; the README states it."""
    from flask import Flask

    assert isinstance(app, Flask)
    with new_session(app) as s:
        run = s.get(ProposalRun, run_id)
        assert run is not None
        kept = dict(run.figures)
        found = proposal.run_candidates(s, run, now=now)
    c = found.candidates
    start, cpu = time.perf_counter(), time.process_time()
    chosen = solve(c, found.pool.index.capacity, found.places, fill_fairly=run.fill_fairly)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    total = float(c.score[chosen].sum())
    needs = int(np.unique(c.opportunity[chosen]).shape[0])
    loss = 100 * (total - float(kept["total_score"])) / total if total else 0.0
    detail = (
        f"all {len(c):,} pairs: score {total:,.1f}, {len(chosen):,} places, {needs:,} needs; "
        f"kept {kept['kept_pairs']:,}: score {kept['total_score']:,}, {kept['pairs']:,} places, "
        f"{kept['needs_filled']:,} needs; the cut loses {loss:.3f} % of the total match"
    )
    log(
        f"{'':10} {'exact over every pair':35} {seconds:6.2f} s wall, {cpu:6.2f} s CPU "
        f"(solve only), {detail}"
    )
    return ("exact over every pair (baseline of the cut, solve only)", seconds, cpu, detail, False)


def run_backend(
    name: str, url: str, runs: int, profile: bool
) -> list[tuple[str, float, float, str, bool]]:
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-" * 8})
    migrate.upgrade(app)
    now = datetime.now(UTC)
    rows = []
    # 0: truly cold (nothing built in this process); 1: as a worker runs its first proposal,
    # after its idle tick warmed the pool (``ProposalJob``); then the warm runs.
    for i in range(runs + 2):
        if i == 1:
            rows.append(_warm_up(app, name))
        if profile and i == runs + 1:
            profiler = cProfile.Profile()
            profiler.enable()
            _one(app, now)
            profiler.disable()
            pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(25)
            break
        load_before = os.getloadavg()[0]
        seconds, cpu, figures, run_id = _one(app, now)
        label = (
            (
                "cold (nothing warm: builds the pool)",
                "first after the worker warmed up",
            )[i]
            if i < 2
            else f"warm {i - 1}"
        )
        detail = (
            f"{figures['volunteers']:,} volunteers, {figures['needs']:,} needs, "
            f"{figures['candidate_pairs']:,} candidate pairs, {figures['kept_pairs']:,} kept, "
            f"{figures['pairs']:,} pairs "
            f"(greedy {figures['greedy_pairs']:,}), compute {figures['seconds']} s"
        )
        load = f"load {load_before:.1f} -> {os.getloadavg()[0]:.1f}"
        log(f"{name:10} {label:35} {seconds:6.2f} s wall, {cpu:6.2f} s CPU, {load}  {detail}")
        phases = dict(figures.get("phases") or {})  # type: ignore[call-overload]
        log(
            "  phases (wall / CPU s): "
            + ", ".join(f"{k} {w:.2f} / {c:.2f}" for k, (w, c) in phases.items())
        )
        # The truly cold run has a target too: a worker that never got an idle tick.
        rows.append((f"{name} | {label}", seconds, cpu, f"{detail}; {load}", True))
    if rows:
        label, seconds, cpu, detail, targeted = _over_every_pair(app, run_id, now)
        rows.append((f"{name} | {label}", seconds, cpu, detail, targeted))
    rows.append(_gaps(app, name, now))
    return rows


def _warm_up(app: object, name: str) -> tuple[str, float, float, str, bool]:
    """A worker process's start: everything this process built is forgotten, then the
    scheduler's proposals job has its first idle tick (kernels, then the volunteer pool)."""
    from flask import Flask

    assert isinstance(app, Flask)
    engine.invalidate()
    load_before = os.getloadavg()[0]
    start, cpu = time.perf_counter(), time.process_time()
    warm_worker(app)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    load = f"load {load_before:.1f} -> {os.getloadavg()[0]:.1f}"
    detail = f"the worker's first idle tick: kernels and the volunteer pool, before any run; {load}"
    log(f"{name:10} {'worker warm-up (idle tick)':35} {seconds:6.2f} s wall, {cpu:6.2f} s CPU")
    return (f"{name} | worker warm-up (no run waits for it)", seconds, cpu, detail, False)


def _gaps(app: object, name: str, now: datetime) -> tuple[str, float, float, str, bool]:
    """The gap map's rule as the scheduler runs it, on the pool the proposal left warm."""
    from flask import Flask

    assert isinstance(app, Flask)
    load_before = os.getloadavg()[0]
    start, cpu = time.perf_counter(), time.process_time()
    run_rule(app, "gaps", rules()["gaps"], now=now)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    load = f"load {load_before:.1f} -> {os.getloadavg()[0]:.1f}"
    with new_session(app) as s:
        report = s.exec(select(GapReport)).one()
        detail = f"{len(report.rows)} gaps ranked, warm pool; {load}"
    log(f"{name:10} {'gap rule':35} {seconds:6.2f} s wall, {cpu:6.2f} s CPU, {detail}")
    return (f"{name} | gap rule (warm pool)", seconds, cpu, detail, False)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench proposal", description=__doc__)
    parser.add_argument(
        "--sqlite",
        default=os.environ.get("VOLUNTEER_BENCH_SQLITE", "instance/bench-bochum.sqlite3"),
    )
    parser.add_argument("--postgres", default=os.environ.get("VOLUNTEER_BENCH_POSTGRES_URL", ""))
    parser.add_argument(
        "--runs", type=int, default=2, help="warm runs after the first one after the warm-up"
    )
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)
    backends = [("SQLite", f"sqlite:///{os.path.abspath(args.sqlite)}")]
    if args.postgres:
        backends.append(("PostgreSQL", args.postgres))
    rows = []
    for name, url in backends:
        rows += run_backend(name, url, args.runs, args.profile)
    print(f"## City-wide proposal at Bochum scale (target <= {TARGET_S:.0f} s)\n")
    print(f"Load average before/after in stderr; {os.cpu_count()} cores.\n")
    print("| backend | run | wall | CPU | target met | what it computed |")
    print("|---|---|---:|---:|---|---|")
    ok = True
    for label, seconds, cpu, detail, targeted in rows:
        met = seconds <= TARGET_S
        ok = ok and (met or not targeted)
        verdict = ("yes" if met else "NO") if targeted else "(no target)"
        print(f"| {label} | {seconds:.1f} s | {cpu:.1f} s | {verdict} | {detail} |")
    return 0 if ok else 1
