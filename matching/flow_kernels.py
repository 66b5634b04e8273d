"""Compiled loops for the exact assignment on a reduced arc set (``matching/assign.py``).

Two jobs, each a loop over millions of arcs that numpy cannot express without sorting them all:
which pairs are among each group's best (the arcs the first solve gets), and the node
potentials of an optimal flow (shortest distances in its residual network), whose reduced costs
tell whether a dropped arc could improve the optimum.
"""

import numba
import numpy as np

from matching.geo import BoolArray, IntArray


@numba.njit(cache=True, nogil=True)
def best_in_groups(group: IntArray, weight: IntArray, keep: IntArray) -> BoolArray:
    """A 0/1 mask of the items at least as heavy as their group's ``keep[g]``-th heaviest.

    One min-heap of ``keep[g]`` weights per group, filled in one pass: O(n log k), no sort of
    the whole array. Ties with the threshold are kept too (the solve stays exact either way:
    this only chooses where it starts).
    """
    n_groups = keep.shape[0]
    counts = np.zeros(n_groups, np.int64)
    for i in range(group.shape[0]):
        counts[group[i]] += 1
    size = np.minimum(keep, counts)
    offsets = np.zeros(n_groups + 1, np.int64)
    for g in range(n_groups):
        offsets[g + 1] = offsets[g] + size[g]
    heap = np.empty(offsets[n_groups], np.int64)
    filled = np.zeros(n_groups, np.int64)
    for i in range(group.shape[0]):
        g = group[i]
        s = size[g]
        if s == 0:
            continue
        base = offsets[g]
        w = weight[i]
        if filled[g] < s:  # push, sift up
            j = filled[g]
            filled[g] += 1
            while j > 0:
                parent = (j - 1) // 2
                if heap[base + parent] <= w:
                    break
                heap[base + j] = heap[base + parent]
                j = parent
            heap[base + j] = w
        elif w > heap[base]:  # replace the smallest, sift down
            j = 0
            while True:
                child = 2 * j + 1
                if child >= s:
                    break
                if child + 1 < s and heap[base + child + 1] < heap[base + child]:
                    child += 1
                if heap[base + child] >= w:
                    break
                heap[base + j] = heap[base + child]
                j = child
            heap[base + j] = w
    mask = np.zeros(group.shape[0], np.bool_)
    for i in range(group.shape[0]):
        g = group[i]
        if size[g] > 0 and weight[i] >= heap[offsets[g]]:
            mask[i] = True
    return mask


@numba.njit(cache=True, nogil=True)
def potentials(
    n_nodes: int, tails: IntArray, heads: IntArray, costs: IntArray, max_relaxations: int
) -> tuple[IntArray, bool]:
    """Shortest distances from a virtual root joined to every node at cost 0 (SPFA).

    Run on the residual network of an *optimal* flow, which has no negative cycle, so the
    distances exist and ``cost(u, v) + d[u] - d[v] >= 0`` on every residual arc: they are
    optimal node potentials. Returns ``(d, True)``, or ``(d, False)`` when more than
    ``max_relaxations`` improvements were needed (the caller then solves the full network).
    """
    order = np.argsort(tails, kind="mergesort")
    start = np.zeros(n_nodes + 1, np.int64)
    for a in range(tails.shape[0]):
        start[tails[a] + 1] += 1
    for v in range(n_nodes):
        start[v + 1] += start[v]
    dist = np.zeros(n_nodes, np.int64)
    queue = np.empty(n_nodes, np.int64)  # ring buffer: each node at most once in it
    queued = np.ones(n_nodes, np.bool_)
    for v in range(n_nodes):
        queue[v] = v
    head, count = 0, n_nodes
    relaxations = 0
    while count > 0:
        u = queue[head]
        head = (head + 1) % n_nodes
        count -= 1
        queued[u] = False
        du = dist[u]
        for k in range(start[u], start[u + 1]):
            a = order[k]
            v = heads[a]
            nd = du + costs[a]
            if nd < dist[v]:
                dist[v] = nd
                relaxations += 1
                if relaxations > max_relaxations:
                    return dist, False
                if not queued[v]:
                    queued[v] = True
                    queue[(head + count) % n_nodes] = v
                    count += 1
    return dist, True
