"""A greedy assignment, the baseline the benchmark compares ``assign`` against.

Takes pairs best-first and keeps one whenever both sides still have capacity. It is what one
would write without a flow solver; it is not optimal (one early good pair can block two later
ones), and the benchmark measures by how much.
"""

import numpy as np

from matching.candidates import Candidates
from matching.geo import IntArray


def greedy(
    candidates: Candidates, volunteer_capacity: IntArray, opportunity_capacity: IntArray
) -> IntArray:
    """Indices of the chosen candidate pairs, best score first (ties by position)."""
    order = np.lexsort((candidates.opportunity, candidates.volunteer, -candidates.score))
    vcap = np.maximum(volunteer_capacity, 0).tolist()
    ocap = np.maximum(opportunity_capacity, 0).tolist()
    vols = candidates.volunteer[order].tolist()
    opps = candidates.opportunity[order].tolist()
    chosen: list[int] = []
    for k, v, o in zip(order.tolist(), vols, opps, strict=True):
        if vcap[v] and ocap[o]:
            vcap[v] -= 1
            ocap[o] -= 1
            chosen.append(k)
    return np.sort(np.asarray(chosen, dtype=np.int64))
