"""Independent exact solvers for the assignment, used to check ``assign`` on small instances."""

import itertools

import numpy as np
import scipy.sparse as sp
from ortools.graph.python import min_cost_flow
from scipy.optimize import linprog
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from matching.candidates import Candidates


def lp_optimum(c: Candidates, weights: np.ndarray, vcap: np.ndarray, ocap: np.ndarray) -> float:
    """Max total weight by linear programming (HiGHS). Bipartite b-matching constraint matrices
    are totally unimodular, so the LP optimum is the integer optimum."""
    n = len(c)
    if n == 0:
        return 0.0
    cols = np.arange(n)
    a = sp.vstack(
        [
            sp.csr_matrix((np.ones(n), (c.volunteer, cols)), shape=(vcap.shape[0], n)),
            sp.csr_matrix((np.ones(n), (c.opportunity, cols)), shape=(ocap.shape[0], n)),
        ]
    )
    res = linprog(
        -weights.astype(float),
        A_ub=a,
        b_ub=np.concatenate([vcap, ocap]).astype(float),
        bounds=(0, 1),
        method="highs",
    )
    assert res.status == 0
    return float(-res.fun)


def flow_optimum(
    c: Candidates, weights: np.ndarray, vcap: np.ndarray, ocap: np.ndarray, *, fair: bool = False
) -> tuple[int, int]:
    """(opportunities covered, total weight) of OR-Tools' min-cost flow over the classic network
    source -> volunteer -> opportunity -> sink with a source -> sink bypass (the engine's solver
    until December 2026); with ``fair`` each opportunity's first place is its own sink arc with
    a bonus above any total, so coverage comes first."""
    n_vol, n_opp, n = vcap.shape[0], ocap.shape[0], len(c)
    vcap, ocap = np.maximum(vcap, 0), np.maximum(ocap, 0)
    supply = int(vcap.sum())
    if n == 0 or supply == 0:
        return 0, 0
    source, sink = n_vol + n_opp, n_vol + n_opp + 1
    opp_nodes = np.arange(n_vol, n_vol + n_opp)
    bonus = (int(weights.sum()) + 1) if fair else 0
    tails = [np.full(n_vol, source), c.volunteer, opp_nodes, opp_nodes, [source]]
    heads = [np.arange(n_vol), n_vol + c.opportunity, np.full(n_opp, sink), np.full(n_opp, sink)]
    heads.append([sink])
    first = np.minimum(ocap, 1) if fair else np.zeros(n_opp, dtype=np.int64)
    caps = [vcap, np.ones(n), ocap - first, first, [supply]]
    costs = [np.zeros(n_vol), -weights, np.zeros(n_opp), np.full(n_opp, -bonus), [0]]
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(
        np.concatenate(tails).astype(np.int32),
        np.concatenate(heads).astype(np.int32),
        np.concatenate(caps).astype(np.int64),
        np.concatenate(costs).astype(np.int64),
    )
    flow.set_nodes_supplies(
        np.array([source, sink], dtype=np.int32), np.array([supply, -supply], dtype=np.int64)
    )
    assert flow.solve() == flow.OPTIMAL
    chosen = np.flatnonzero(flow.flows(np.arange(n_vol, n_vol + n, dtype=np.int32)) > 0)
    return len(set(c.opportunity[chosen].tolist())), int(weights[chosen].sum())


def matching_optimum(c: Candidates, weights: np.ndarray, n_vol: int, ocap: np.ndarray) -> float:
    """Max total weight for volunteers of capacity 1 with scipy's bipartite matching: one column
    per open place plus one private "unassigned" column per volunteer (weights shifted so all
    entries are positive; every row is matched once, so the shift is a constant)."""
    place_of = np.repeat(np.arange(ocap.shape[0]), ocap)
    first_place = np.concatenate([[0], np.cumsum(ocap)[:-1]])
    rows, cols, vals = [], [], []
    big = int(weights.max(initial=0)) + 1
    for k in range(len(c)):
        o = int(c.opportunity[k])
        for p in range(int(ocap[o])):
            rows.append(int(c.volunteer[k]))
            cols.append(int(first_place[o]) + p)
            vals.append(big - int(weights[k]))
    n_places = place_of.shape[0]
    for v in range(n_vol):
        rows.append(v)
        cols.append(n_places + v)
        vals.append(big)
    m = sp.csr_matrix((vals, (rows, cols)), shape=(n_vol, n_places + n_vol))
    r, col = min_weight_full_bipartite_matching(m)
    cost = float(np.asarray(m[r, col]).sum())
    return big * n_vol - cost


def brute_force(
    c: Candidates, weights: np.ndarray, vcap: np.ndarray, ocap: np.ndarray, *, fair: bool = False
) -> tuple[int, float]:
    """(opportunities covered, best total) over every subset of pairs; with ``fair`` the best is
    lexicographic (coverage first), otherwise coverage is reported for the best total."""
    best: tuple[float, ...] = (-1.0, -1.0)
    for mask in itertools.product((0, 1), repeat=len(c)):
        chosen = np.flatnonzero(mask)
        if np.any(np.bincount(c.volunteer[chosen], minlength=vcap.shape[0]) > vcap):
            continue
        if np.any(np.bincount(c.opportunity[chosen], minlength=ocap.shape[0]) > ocap):
            continue
        covered = len(set(c.opportunity[chosen].tolist()))
        total = float(weights[chosen].sum())
        key = (covered, total) if fair else (total, covered)
        best = max(best, key)
    return (int(best[0]), best[1]) if fair else (int(best[1]), best[0])
