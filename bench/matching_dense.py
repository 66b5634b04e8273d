"""The dense-city half of the matching benchmark: each dense size end to end (reading the ``.npz``
input, the index, top-50 candidates on every core, the exact solve) in a child process of its
own, so the peak memory it reports is that size's alone.

``python -m bench.matching_dense SIZE [--oracle-seconds N]`` is the child: it prints one JSON
line; :func:`bench_dense` runs it per size and makes the table.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.instances import DENSE_SIZES, NOW, instance, skill_category
from bench.matching_assign import L_TOP_K, log, lp_oracle
from matching.assign import integer_scores, solve
from matching.batch_scores import opportunity_scores
from matching.candidates import candidate_pairs
from matching.columnar import instance_from_arrays, instance_to_arrays
from matching.index import VolunteerIndex
from matching.interchange import Instance, instance_to_dict, parse_instance
from matching.scoring import DEFAULT_WEIGHTS, opportunity_urgency


def dense_run(size: str, oracle_seconds: float) -> dict[str, float | int | str]:
    """One dense instance, end to end, in this (child) process: its own peak memory."""
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
        opportunity_scores(index, o, weights=DEFAULT_WEIGHTS, urgency=float(u), ordered=False)[
            0
        ].shape[0]
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
    rows = []
    load_before = os.getloadavg()[0]
    for size in sizes:
        log(f"dense {size}: running in a child process")
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.matching_dense",
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


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.matching_dense")
    parser.add_argument("size", choices=sorted(DENSE_SIZES))
    parser.add_argument("--oracle-seconds", type=float, default=0.0)
    args = parser.parse_args(argv)
    print(json.dumps(dense_run(args.size, args.oracle_seconds)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
