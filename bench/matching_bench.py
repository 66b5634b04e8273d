"""The matching benchmark: ranking latency against plain-Python baselines, and assignment time,
optimality and the cost of approximations on realistic Bochum instances.

``python -m bench matching [--sizes S,M,L] [--oracle-seconds N] [--write-readme]``. Prints a
Markdown report; ``--write-readme`` replaces the text between the README's
``<!-- bench:matching:start -->`` and ``<!-- bench:matching:end -->`` markers with it.
"""

import argparse
import heapq
import math
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from functools import partial
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from geopy.distance import geodesic
from scipy.optimize import linprog

from bench.instances import DENSE_SIZES, NOW, SIZES, Generator, instance, skill_category
from matching.assign import integer_scores, solve
from matching.candidates import Candidates, candidate_pairs
from matching.greedy import greedy
from matching.index import OpportunityIndex, VolunteerIndex
from matching.model import Opportunity, Volunteer
from matching.rank import rank_opportunities, rank_volunteers
from matching.scoring import DEFAULT_WEIGHTS, Weights, opportunity_urgency

README = Path(__file__).resolve().parent.parent / "README.md"
START, END = "<!-- bench:matching:start -->", "<!-- bench:matching:end -->"
L_TOP_K = 50


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


# --- Pure-Python baselines -----------------------------------------------------------------


def _python_score(
    v: Volunteer, o: Opportunity, km: float | None, cats: dict[str, str], w: Weights, now: datetime
) -> float:
    """The engine's score formula in plain Python (for the baselines only)."""
    wanted = len(o.required_skills) + len(o.optional_skills)
    held_cats = {cats[s] for s in v.skills if s in cats}
    matched = len(o.optional_skills & v.skills)
    related = sum(1 for s in o.optional_skills - v.skills if cats.get(s) in held_cats)
    skills = (
        1.0
        if not wanted
        else (len(o.required_skills) + matched + w.related_credit * related) / wanted
    )
    distance = w.remote_credit if km is None else 0.5 ** (km / w.distance_half_life_km)
    n_slots = o.slots.bit_count()
    availability = 1.0 if not n_slots else (o.slots & v.availability).bit_count() / n_slots
    if not o.causes or not v.causes:
        causes = w.cause_unknown
    else:
        causes = 1.0 if o.causes & v.causes else 0.0
    language = 1.0 if not o.languages else len(o.languages & v.languages) / len(o.languages)
    urgency = 0.0
    if o.starts_at is not None:
        hours = (o.starts_at - now).total_seconds() / 3600
        if hours >= 0:
            soon = min(1.0, max(0.0, 1 - hours / w.urgency_horizon_hours))
            urgency = soon * o.capacity / max(o.capacity + o.filled, 1)
    total = (
        w.skills * skills
        + w.distance * distance
        + w.availability * availability
        + w.causes * causes
        + w.language * language
        + w.urgency * urgency
    )
    return total / w.total


def _haversine(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(math.sqrt(min(1.0, a)))


def best_plain_loop(
    v: Volunteer, opps: Sequence[Opportunity], cats: dict[str, str], limit: int
) -> list[tuple[float, str]]:
    """The best plain loop: cheap filters first, ``math`` haversine only for survivors."""
    found = []
    for o in opps:
        if o.capacity < 1 or not o.required_skills <= v.skills:
            continue
        if o.slots and not o.slots & v.availability:
            continue
        if o.languages and not o.languages & v.languages:
            continue
        if o.adults_only and not v.adult:
            continue
        km = None
        if o.lat is not None and o.lon is not None:
            if v.lat is None or v.lon is None:
                continue
            km = _haversine(v.lat, v.lon, o.lat, o.lon)
            if km > v.max_km:
                continue
        found.append((_python_score(v, o, km, cats, DEFAULT_WEIGHTS, NOW), o.id))
    return heapq.nsmallest(limit, found, key=lambda x: (-x[0], x[1]))


def geopy_loop(
    v: Volunteer, opps: Sequence[Opportunity], cats: dict[str, str], limit: int
) -> list[tuple[float, str]]:
    """The naive loop: ``geopy.distance.geodesic`` for every pair, then the rules."""
    found = []
    for o in opps:
        km = None
        if o.lat is not None and v.lat is not None:
            km = geodesic((v.lat, v.lon), (o.lat, o.lon)).km
        if o.lat is not None and (km is None or km > v.max_km):
            continue
        if o.capacity < 1 or not o.required_skills <= v.skills:
            continue
        if (o.slots and not o.slots & v.availability) or (
            o.languages and not o.languages & v.languages
        ):
            continue
        if o.adults_only and not v.adult:
            continue
        found.append((_python_score(v, o, km, cats, DEFAULT_WEIGHTS, NOW), o.id))
    return heapq.nsmallest(limit, found, key=lambda x: (-x[0], x[1]))


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def bench_ranking() -> list[str]:
    cats = skill_category()
    gen = Generator(7)
    opps = [gen.opportunity(j) for j in range(10_000)]
    vols = [gen.volunteer(i) for i in range(20_000)]
    log("ranking: building indexes")
    t = time.perf_counter()
    opp_index = OpportunityIndex(opps, skill_category=cats)
    opp_build = time.perf_counter() - t
    t = time.perf_counter()
    vol_index = VolunteerIndex(vols, skill_category=cats)
    vol_build = time.perf_counter() - t
    sample = vols[:400]
    for v in sample[:20]:  # warm-up, and a check that the baseline computes the same thing
        ours = [
            (round(m.score, 9), m.opportunity) for m in rank_opportunities(v, opp_index, now=NOW)
        ]
        plain = [(round(s, 9), i) for s, i in best_plain_loop(v, opps, cats, 10)]
        assert ours == plain, (v.id, ours, plain)
    engine = [
        t for v in sample for t in timed(partial(rank_opportunities, v, opp_index, now=NOW), 1)
    ]
    log("ranking: plain loop baseline")
    plain_t = [
        t for v in sample[:40] for t in timed(partial(best_plain_loop, v, opps, cats, 10), 1)
    ]
    log("ranking: geopy baseline")
    geo_t = [t for v in sample[:4] for t in timed(partial(geopy_loop, v, opps, cats, 10), 1)]
    log("ranking: reverse")
    reverse = [
        t for o in opps[:400] for t in timed(partial(rank_volunteers, o, vol_index, now=NOW), 1)
    ]
    med = statistics.median(engine)
    return [
        "### Ranking (top 10, with explanations)",
        "",
        "| Query | median | p95 | vs best plain loop | vs geopy loop |",
        "|---|---:|---:|---:|---:|",
        f"| `rank_opportunities`: 1 volunteer vs 10,000 opportunities | {ms(med)} "
        f"| {ms(percentile(engine, 95))} | {statistics.median(plain_t) / med:.0f}x faster "
        f"| {statistics.median(geo_t) / med:.0f}x faster |",
        f"| best plain loop (filters first, `math` haversine) | {ms(statistics.median(plain_t))} "
        f"| {ms(percentile(plain_t, 95))} | 1x | |",
        f"| plain loop with `geopy.distance.geodesic` per pair | {ms(statistics.median(geo_t))} "
        f"| {ms(percentile(geo_t, 95))} | | 1x |",
        "| `rank_volunteers`: 1 opportunity vs 20,000 volunteers "
        f"| {ms(statistics.median(reverse))} "
        f"| {ms(percentile(reverse, 95))} | | |",
        "",
        f"Index build (once, reused by every query): `OpportunityIndex` over 10,000 in "
        f"{opp_build:.2f} s, `VolunteerIndex` over 20,000 in {vol_build:.2f} s. Targets: median "
        "≤ 1 ms, p95 ≤ 5 ms, ≥ 5x the best plain loop; reverse p95 ≤ 20 ms.",
        "",
    ]


# --- Assignment ----------------------------------------------------------------------------


def lp_oracle(
    c: Candidates, w: np.ndarray, vcap: np.ndarray, ocap: np.ndarray, seconds: float
) -> tuple[float | None, float]:
    """Exact optimum by linear programming (HiGHS); the bipartite constraint matrix is totally
    unimodular, so the LP optimum is the integer optimum. ``None`` if over the time limit."""
    n = len(c)
    cols = np.arange(n)
    a = sp.vstack(
        [
            sp.csr_matrix((np.ones(n), (c.volunteer, cols)), shape=(vcap.shape[0], n)),
            sp.csr_matrix((np.ones(n), (c.opportunity, cols)), shape=(ocap.shape[0], n)),
        ]
    ).tocsr()
    t = time.perf_counter()
    res = linprog(
        -w.astype(float),
        A_ub=a,
        b_ub=np.concatenate([vcap, ocap]).astype(float),
        bounds=(0, 1),
        method="highs",
        options={"time_limit": seconds},
    )
    elapsed = time.perf_counter() - t
    return (float(-res.fun) if res.status == 0 else None), elapsed


def bench_assignment(sizes: list[str], oracle_seconds: float) -> list[str]:
    cats = skill_category()
    rows = []
    fair_rows = []
    topk_rows = []
    for size in sizes:
        log(f"assign {size}: generating")
        vols, opps = instance(size)
        top_k = L_TOP_K if size == "L" else None
        ocap = np.array([o.capacity for o in opps], dtype=np.int64)
        t0 = time.perf_counter()
        index = VolunteerIndex(vols, skill_category=cats)
        cands = candidate_pairs(index, opps, now=NOW, top_k=top_k)
        t1 = time.perf_counter()
        chosen = solve(cands, index.capacity, ocap)
        t2 = time.perf_counter()
        w = integer_scores(cands.score)
        total = int(w[chosen].sum())
        log(f"assign {size}: {len(cands)} pairs, candidates {t1 - t0:.2f} s, solve {t2 - t1:.2f} s")
        tg = time.perf_counter()
        g = greedy(cands, index.capacity, ocap)
        greedy_s = time.perf_counter() - tg
        g_total = int(w[g].sum())
        oracle = "skipped (too large)"
        if size != "L" and oracle_seconds > 0:
            log(f"assign {size}: LP oracle")
            value, took = lp_oracle(cands, w, index.capacity, ocap, oracle_seconds)
            if value is None:
                oracle = f"no result in {oracle_seconds:.0f} s"
            else:
                verdict = "equal" if round(value) == total else f"DIFFERS ({value:.0f})"
                oracle = f"{verdict}, {took:.1f} s"
        rows.append(
            f"| {size} | {len(vols):,} × {len(opps):,} "
            f"| {'all' if top_k is None else f'top {top_k}'} "
            f"| {len(cands):,} | {t1 - t0:.2f} s | {t2 - t1:.2f} s | **{t2 - t0:.2f} s** "
            f"| {total / 1e6:,.1f} | {len(chosen):,} | {oracle} "
            f"| {100 * (total - g_total) / max(total, 1):.2f} % lower, {greedy_s:.2f} s |"
        )
        tf = time.perf_counter()
        fair = solve(cands, index.capacity, ocap, fill_fairly=True)
        fair_s = time.perf_counter() - tf
        covered = np.unique(cands.opportunity[chosen]).shape[0]
        fair_covered = np.unique(cands.opportunity[fair]).shape[0]
        reachable = np.unique(cands.opportunity[ocap[cands.opportunity] > 0]).shape[0]
        fair_total = int(w[fair].sum())
        fair_rows.append(
            f"| {size} | {covered:,} / {reachable:,} | {fair_covered:,} / {reachable:,} "
            f"| {100 * (total - fair_total) / max(total, 1):.2f} % | {fair_s:.2f} s |"
        )
        if size == "M":
            for k in (50, 100):
                log(f"assign M: top_k {k}")
                tk = time.perf_counter()
                kept = candidate_pairs(index, opps, now=NOW, top_k=k)
                kc = solve(kept, index.capacity, ocap)
                k_s = time.perf_counter() - tk
                k_total = int(integer_scores(kept.score)[kc].sum())
                topk_rows.append(
                    f"| M | top {k} | {len(kept):,} | {100 * (total - k_total) / total:.2f} % "
                    f"| {len(chosen) - len(kc):,} | {k_s:.2f} s |"
                )
    lines = [
        "### Assignment (exact min-cost flow, OR-Tools `SimpleMinCostFlow`)",
        "",
        "| Size | volunteers × opportunities | candidates | pairs | candidate generation "
        "| solve | end to end | total score | pairs assigned | exact LP oracle (HiGHS) "
        "| greedy, same candidates |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---|---|",
        *rows,
        "",
        "Targets: S ≤ 1 s end to end, M ≤ 10 s and optimal, L ≤ 30 s.",
        "",
    ]
    if topk_rows:
        lines += [
            "**Cost of `top_k`** (against the optimum over all pairs):",
            "",
            "| Size | kept | pairs | total score lost | fewer pairs assigned | time |",
            "|---|---|---:|---:|---:|---:|",
            *topk_rows,
            "",
        ]
    lines += [
        "**Fill fairly** (opportunities with at least one volunteer, of those anyone can fill):",
        "",
        "| Size | max score | fill fairly | total score given up | solve |",
        "|---|---:|---:|---:|---:|",
        *fair_rows,
        "",
    ]
    return lines


def _dense_child(size: str, oracle_seconds: float) -> dict[str, float | int | str]:
    """One dense instance, end to end, in this (child) process: its own peak memory."""
    import json
    import resource
    import tempfile

    from matching.columnar import instance_from_arrays, instance_to_arrays
    from matching.interchange import Instance, instance_to_dict, parse_instance

    vols, opps = instance(size)
    inst = Instance(tuple(vols), tuple(opps), skill_category(), NOW)
    out: dict[str, float | int | str] = {
        "size": size,
        "volunteers": len(vols),
        "opportunities": len(opps),
    }
    with tempfile.TemporaryDirectory() as tmp:
        npz, js = Path(tmp) / "i.npz", Path(tmp) / "i.json"
        np.savez_compressed(npz, **instance_to_arrays(inst))
        js.write_text(json.dumps(instance_to_dict(inst)), encoding="utf-8")
        del vols, opps, inst
        t, c = time.perf_counter(), time.process_time()
        parse_instance(json.loads(js.read_text(encoding="utf-8")))
        out["json_read_s"] = time.perf_counter() - t
        out["json_read_cpu"] = time.process_time() - c
        t0, c0 = time.perf_counter(), time.process_time()
        with np.load(npz, allow_pickle=False) as arrays:
            loaded = instance_from_arrays({k: arrays[k] for k in arrays.files})
        t1, c1 = time.perf_counter(), time.process_time()
    index = VolunteerIndex(loaded.volunteers, skill_category=loaded.skill_category)
    workers = os.cpu_count() or 1
    cands = candidate_pairs(
        index, loaded.opportunities, now=loaded.now, top_k=L_TOP_K, workers=workers
    )
    out["workers"] = workers
    t2, c2 = time.perf_counter(), time.process_time()
    ocap = np.array([o.capacity for o in loaded.opportunities], dtype=np.int64)
    chosen = solve(cands, index.capacity, ocap)
    t3, c3 = time.perf_counter(), time.process_time()
    out.update(
        read_s=t1 - t0,
        read_cpu=c1 - c0,
        candidates_s=t2 - t1,
        candidates_cpu=c2 - c1,
        solve_s=t3 - t2,
        solve_cpu=c3 - c2,
        total_s=t3 - t0,
        total_cpu=c3 - c0,
        kept=len(cands),
        assigned=len(chosen),
        peak_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    )
    # Eligible pairs (before top_k): counted on every 20th opportunity, scaled up.
    sample = loaded.opportunities[::20]
    urgency = opportunity_urgency(sample, loaded.now, DEFAULT_WEIGHTS)
    counted = sum(
        index.scores(o, weights=DEFAULT_WEIGHTS, urgency=float(u), ordered=False)[0].shape[0]
        for o, u in zip(sample, urgency, strict=True)
    )
    out["eligible_estimate"] = int(counted * len(loaded.opportunities) / max(len(sample), 1))
    total = int(integer_scores(cands.score)[chosen].sum())
    out["oracle"] = "skipped (too large)" if oracle_seconds > 0 else "not run (--oracle-seconds 0)"
    if len(cands) <= 1_500_000 and oracle_seconds > 0:
        value, took = lp_oracle(
            cands, integer_scores(cands.score), index.capacity, ocap, oracle_seconds
        )
        if value is None:
            out["oracle"] = f"no result in {oracle_seconds:.0f} s"
        else:
            out["oracle"] = f"{'equal' if round(value) == total else 'DIFFERS'}, {took:.1f} s"
    return out


DENSE_TARGETS = {"dense-L": 15.0, "dense-NRW": 60.0}
MEMORY_TARGET_MB = 4096


def bench_dense(sizes: list[str], oracle_seconds: float) -> list[str]:
    """The dense family, each size in a child process (so peak memory is its own)."""
    import json
    import subprocess

    rows = []
    load_before = os.getloadavg()[0]
    for size in sizes:
        log(f"dense {size}: running in a child process")
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.matching_bench",
                "--dense-child",
                size,
                "--oracle-seconds",
                str(oracle_seconds),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        r = json.loads(done.stdout.strip().splitlines()[-1])
        target = DENSE_TARGETS.get(size)
        goal = "" if target is None else f"≤ {target:.0f} s"
        met = (
            "—"
            if target is None
            else (
                "yes" if r["total_s"] <= target and r["peak_mb"] <= MEMORY_TARGET_MB else "**no**"
            )
        )
        rows.append(
            f"| {size} | {r['volunteers']:,} × {r['opportunities']:,} "
            f"| ≈ {r['eligible_estimate']:,} "
            f"| {r['kept']:,} | {r['json_read_s']:.1f} s "
            f"| {r['read_s']:.1f} s ({r['read_cpu']:.1f}) "
            f"| {r['candidates_s']:.1f} s ({r['candidates_cpu']:.1f}) | {r['solve_s']:.1f} s "
            f"({r['solve_cpu']:.1f}) | **{r['total_s']:.1f} s** ({r['total_cpu']:.1f}) "
            f"| {r['peak_mb']:,.0f} MB | {r['oracle']} | {goal} {met} |"
        )
    return [
        "### Dense cities (radii 5–25 km, availability on many slots, skills less selective;"
        " top 50)",
        "",
        "`dense-NRW` is eight Bochum-shaped cities 40 km apart (the gazetteer ships only Bochum). "
        "End to end = reading the `.npz` input, the index, candidate generation and the exact "
        "solve; in brackets the process's CPU seconds (the machine is shared, so wall time "
        "includes waiting for a core). Eligible pairs are counted on every 20th opportunity and "
        "scaled up; JSON read is parsing the same instance from the JSON interchange, for "
        f"comparison. Load average {load_before:.1f} before the first size, "
        f"{os.getloadavg()[0]:.1f} after the last.",
        "",
        "| Size | volunteers × opportunities | eligible pairs | kept (top 50) | JSON read "
        "| `.npz` read | candidates | solve | end to end | peak memory | exact LP oracle (HiGHS) "
        "| target |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
        *rows,
        "",
    ]


DESCRIPTION = """\
## Matching engine

`matching/` is pure (plain data in, results out; no Flask, database, clock or I/O). Build an
`OpportunityIndex` / `VolunteerIndex` once, then `rank_opportunities`, `rank_volunteers`,
`near_misses`, `explain` and `assign` are array work. `volunteer match assign|rank` runs it on
JSON files.

**Eligible** pair (`matching/rules.py`): an open place; the opportunity is remote, or both have
a location and the great-circle distance ≤ the volunteer's radius; every required skill held;
a common slot when the opportunity names slots; a common language when it names languages;
adults-only needs an adult. Each failed rule has a near-miss code (`missing_skill`,
`beyond_radius` with `km_over`, `no_location`, `no_common_slot`, `no_common_language`,
`adults_only`, `no_open_place`).

**Score** (`matching/scoring.py`) = Σ w·x / Σ w over six components x ∈ [0, 1], with
configurable `Weights` (defaults): skills 0.35 ((required + optional held + 0.5 × optional
not held but of a held skill's category) / wanted), distance 0.25 (0.5^(km / 3 km); remote
0.75), availability 0.15 (share of the opportunity's slots covered), causes 0.10 (1 shared,
0 none, 0.5 unknown), language 0.05 (share of the opportunity's languages spoken), urgency 0.10
(linear from 14 days ahead to the start, × share of places open). Every match carries the
contributions (they add up to the score) and reason codes with parameters.

**Assignment** (`matching/assign.py`): maximum total score (scores as integers in millionths)
under all capacities, as a min-cost flow solved exactly by OR-Tools `SimpleMinCostFlow` —
chosen by measurement: it is faster than the exact alternatives (scipy's
`min_weight_full_bipartite_matching` on an expanded graph, HiGHS on the LP, both used here as
oracles) and handles capacities natively. **Fill fairly** adds a bonus B = (P + 1) × 10⁶ on
each opportunity's first place (P bounds the number of assigned pairs), so the solver maximises
exactly, in this order: (1) the number of opportunities with at least one volunteer, (2) the
total score among those assignments. Candidates are all eligible pairs by default; `top_k`
keeps each volunteer's K best (an approximation, costed below). **Candidate generation**
(`matching/candidates.py`) goes opportunity by opportunity over volunteers stored in grid order
(1 km cells, split by radius band): boolean column tests, then the exact distance only in
reachable cells, then the score alone. With `top_k` a compiled pre-filter finds the pairs that
may be among each volunteer's K best, only those are scored exactly, and each pair becomes one
int64 key (volunteer, score in millionths, opportunity id) for the exact cut (see "Dense
cities"); the result is exactly each volunteer's K best, checked pair for pair against a
straightforward generation in the tests.
"""


def report(sizes: list[str], oracle_seconds: float, skip_ranking: bool, dense: list[str]) -> str:
    lines = [
        DESCRIPTION,
        f"### Measured figures (`make bench`; {platform.machine()}, "
        f"Python {platform.python_version()}, one process, {os.cpu_count()} cores, load average "
        f"{os.getloadavg()[0]:.1f} at start: figures include other jobs' contention; instances "
        "from `bench/instances.py`)",
        "",
    ]
    if not skip_ranking:
        lines += bench_ranking()
    lines += bench_assignment(sizes, oracle_seconds)
    if dense:
        lines += bench_dense(dense, oracle_seconds)
    return "\n".join(lines).rstrip() + "\n"


def write_readme(text: str, path: Path = README) -> None:
    content = path.read_text(encoding="utf-8")
    if START not in content or END not in content:
        raise SystemExit(f"Error: {path} lacks the {START} / {END} markers")
    head, rest = content.split(START, 1)
    _, tail = rest.split(END, 1)
    path.write_text(f"{head}{START}\n{text}{END}{tail}", encoding="utf-8")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench matching")
    parser.add_argument("--sizes", default="S,M,L", help="comma-separated subset of S,M,L")
    parser.add_argument("--oracle-seconds", type=float, default=180.0)
    parser.add_argument("--skip-ranking", action="store_true")
    parser.add_argument("--write-readme", action="store_true")
    parser.add_argument(
        "--dense-sizes", default="dense-M,dense-L,dense-NRW", help="dense family sizes ('' skips)"
    )
    parser.add_argument("--dense-child", default="", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.dense_child:
        import json

        print(json.dumps(_dense_child(args.dense_child, args.oracle_seconds)))
        return 0
    sizes = [s for s in args.sizes.split(",") if s]
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        parser.error(f"unknown size {unknown[0]!r}")
    dense = [d for d in args.dense_sizes.split(",") if d]
    unknown_dense = [d for d in dense if d not in DENSE_SIZES]
    if unknown_dense:
        parser.error(f"unknown dense size {unknown_dense[0]!r}")
    text = report(sizes, args.oracle_seconds, args.skip_ranking, dense)
    print(text)
    if args.write_readme:
        write_readme(text)
        log(f"wrote {README}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
