"""A greedy assignment, the baseline the benchmark compares ``assign`` against.

Takes pairs best-first and keeps one whenever both sides still have capacity. It is what one
would write without a flow solver; it is not optimal (one early good pair can block two later
ones), and the benchmark measures by how much.

The pairs are sorted once; the walk through them is inherently sequential (each
choice uses up capacity the next one sees), so it is one compiled loop (numba, as
:mod:`matching.topk_kernel`): a city-wide run has millions of pairs, and the same loop in Python
took seconds.
"""

from typing import Any

import numba
import numpy as np

from matching.candidates import Candidates
from matching.geo import IntArray


@numba.njit(cache=True, nogil=True)
def _walk(order: Any, vols: Any, opps: Any, vcap: Any, ocap: Any) -> Any:  # pragma: no cover
    chosen = np.empty(order.shape[0], dtype=np.int64)
    n = 0
    for k in order:
        v = vols[k]
        o = opps[k]
        if vcap[v] > 0 and ocap[o] > 0:
            vcap[v] -= 1
            ocap[o] -= 1
            chosen[n] = k
            n += 1
    return chosen[:n]


def _best_first(c: Candidates) -> IntArray:
    """Pair positions by score descending, then volunteer, then opportunity, then position:
    the order of ``lexsort`` over those keys, for millions of pairs in half its time. One
    unstable sort by score, then only the runs of equal scores (a sixth of a city's pairs) are
    put in (volunteer, opportunity, position) order."""
    if not len(c) or int(c.opportunity.max()) >= 1 << 20 or int(c.volunteer.max()) >= 1 << 42:
        order: IntArray = np.lexsort((c.opportunity, c.volunteer, -c.score))
        return order
    neg = -c.score
    best: IntArray = np.argsort(neg)
    ranked = neg[best]
    same = ranked[1:] == ranked[:-1]
    tied = np.zeros(len(c), dtype=np.bool_)
    tied[1:] |= same
    tied[:-1] |= same
    at = np.flatnonzero(tied)
    if at.shape[0]:
        run = np.cumsum(np.append(True, ~same))[at]  # which run of equal scores
        tied_pairs = best[at]
        pair = (c.volunteer[tied_pairs] << 20) | c.opportunity[tied_pairs]
        best[at] = tied_pairs[np.lexsort((tied_pairs, pair, run))]
    return best


def greedy(
    candidates: Candidates, volunteer_capacity: IntArray, opportunity_capacity: IntArray
) -> IntArray:
    """Indices of the chosen candidate pairs, best score first (ties by volunteer, then
    opportunity position), in ascending order."""
    order = _best_first(candidates)
    chosen: IntArray = _walk(
        order.astype(np.int64, copy=False),
        candidates.volunteer.astype(np.int64, copy=False),
        candidates.opportunity.astype(np.int64, copy=False),
        np.maximum(volunteer_capacity, 0).astype(np.int64),  # copies: the walk uses them up
        np.maximum(opportunity_capacity, 0).astype(np.int64),
    )
    return np.sort(chosen)
