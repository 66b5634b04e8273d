"""The assignment half of the matching benchmark on ``bench/instances.py``'s S, M and L: candidate
generation, the exact solve, HiGHS as the exactness oracle, greedy on the same candidates, the
cost of ``top_k`` and of filling fairly.
"""

import sys
import time

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog

from bench.instances import NOW, instance, skill_category
from matching.assign import integer_scores, solve
from matching.candidates import Candidates, candidate_pairs
from matching.greedy import greedy
from matching.index import VolunteerIndex
from matching.warm import compile_kernels

L_TOP_K = 50


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


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
    # Numba's one-time start-up in a process (about 0.5 s, paid by the first compiled kernel
    # loaded from the cache) is not the solve: load the kernels first, as a deployment does
    # after installing (``python -m matching.warm``). The dense runs keep it in their total.
    compile_kernels()
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
        "### Assignment (exact min-cost flow, `matching.flow_kernel`)",
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
