"""The compiled exact solver behind :func:`matching.assign.solve`: successive shortest
augmenting paths for the bipartite b-matching, one open place at a time.

The network seen from the needs: every open place of need ``j`` is one unit of flow that leaves
``j`` either along a candidate pair to a volunteer (cost ``-score``, capacity 1) and from there to
the sink ``T`` (at most the volunteer's capacity), or straight to ``T`` (the place stays empty,
cost 0; with fill fairly the *last* place of a need to stay empty costs the bonus ``B``, which
is the same as paying ``-B`` for the first volunteer). Routing every place at minimum cost is the
assignment of maximum score. Dijkstra over reduced costs ``cost + p(tail) - p(head)`` (never
negative) finds each unit's cheapest path to ``T``; with far more volunteers than places the
search stops after a few nodes, since a free volunteer is one arc from ``T``.

Why it is exact and how that is checked: the potentials ``p`` after the last augmentation are
dual prices under which no residual arc has a negative reduced cost, which proves that no
cheaper flow exists (the negative-cycle criterion). The kernel returns them and
:func:`matching.assign.solve` verifies that condition over every arc in numpy after each solve,
so the proof does not rest on this code being right.

Compiled with ``nogil``: a threaded server's other requests go on while it solves (OR-Tools'
solver held the GIL throughout).
"""

from typing import Any

import numba
import numpy as np

INF = np.int64(1) << np.int64(62)


@numba.njit(cache=True, nogil=True, inline="always")
def _sift_up(heap: Any, pos: Any, dist: Any, i: int) -> None:  # pragma: no cover - compiled
    node = heap[i]
    key = dist[node]
    while i > 0:
        parent = (i - 1) >> 1
        other = heap[parent]
        if dist[other] <= key:
            break
        heap[i] = other
        pos[other] = i
        i = parent
    heap[i] = node
    pos[node] = i


@numba.njit(cache=True, nogil=True, inline="always")
def _pop(heap: Any, pos: Any, dist: Any, size: int) -> int:  # pragma: no cover - compiled
    """Remove the root (the caller read it); returns the new size."""
    size -= 1
    pos[heap[0]] = -1
    if size == 0:
        return 0
    node = heap[size]
    key = dist[node]
    i = 0
    while True:
        child = 2 * i + 1
        if child >= size:
            break
        if child + 1 < size and dist[heap[child + 1]] < dist[heap[child]]:
            child += 1
        if dist[heap[child]] >= key:
            break
        heap[i] = heap[child]
        pos[heap[i]] = i
        i = child
    heap[i] = node
    pos[node] = i
    return size


@numba.njit(cache=True, nogil=True, inline="always")
def _relax(  # pragma: no cover - compiled
    heap: Any,
    pos: Any,
    dist: Any,
    pred: Any,
    touched: Any,
    counts: Any,
    y: int,
    nd: int,
    via: int,
) -> None:
    """Lower ``dist[y]`` to ``nd`` (reached by ``via``) if shorter; ``counts`` holds the heap's
    size and the number of touched nodes."""
    if nd >= dist[y]:
        return
    if dist[y] == INF:
        touched[counts[1]] = y
        counts[1] += 1
    dist[y] = nd
    pred[y] = via
    if pos[y] < 0:
        heap[counts[0]] = y
        pos[y] = counts[0]
        counts[0] += 1
    _sift_up(heap, pos, dist, pos[y])


@numba.njit(cache=True, nogil=True)
def shortest_paths(  # pragma: no cover - compiled
    need_ptr: Any,
    arc_volunteer: Any,
    arc_need: Any,
    arc_cost: Any,
    volunteer_capacity: Any,
    places: Any,
    bonus: int,
) -> tuple[Any, Any, Any]:
    """Route every place; returns (flow per arc, potentials of needs | volunteers | sink,
    empty places per need).

    Arcs are grouped by need (``need_ptr``), ``arc_cost`` is ``-score`` in millionths. Nodes:
    needs ``0..m-1``, volunteers ``m..m+n-1``, the sink ``m+n``. ``bonus`` > 0 is fill
    fairly's ``B``.
    """
    m = places.shape[0]
    n = volunteer_capacity.shape[0]
    sink = m + n
    n_nodes = m + n + 1
    n_arcs = arc_volunteer.shape[0]
    flow = np.zeros(n_arcs, dtype=np.int8)
    potential = np.zeros(n_nodes, dtype=np.int64)
    # Feasible start: no arc carries flow, so p(need) = its best score makes every reduced cost
    # of a pair arc non-negative (volunteers and the sink at 0).
    for j in range(m):
        best = np.int64(0)
        for a in range(need_ptr[j], need_ptr[j + 1]):
            best = max(best, -arc_cost[a])
        potential[j] = best
    # Each volunteer's assigned arcs in a slab of its own (capacity, at most its degree).
    degree = np.zeros(n, dtype=np.int64)
    for a in range(n_arcs):
        degree[arc_volunteer[a]] += 1
    slab_ptr = np.zeros(n + 1, dtype=np.int64)
    for v in range(n):
        slab_ptr[v + 1] = slab_ptr[v] + max(0, min(volunteer_capacity[v], degree[v]))
    slab = np.empty(slab_ptr[n], dtype=np.int64)
    held = np.zeros(n, dtype=np.int64)
    full = volunteer_capacity <= 0
    empty = np.zeros(m, dtype=np.int64)
    dist = np.full(n_nodes, INF, dtype=np.int64)
    pred = np.full(n_nodes, -1, dtype=np.int64)
    done = np.zeros(n_nodes, dtype=np.bool_)
    heap = np.empty(n_nodes, dtype=np.int64)
    pos = np.full(n_nodes, -1, dtype=np.int64)
    touched = np.empty(n_nodes, dtype=np.int64)
    settled = np.empty(n_nodes, dtype=np.int64)
    counts = np.zeros(2, dtype=np.int64)  # heap size, touched nodes
    for source in range(m):
        for _unit in range(max(places[source], 0)):
            counts[0] = 0
            counts[1] = 0
            n_settled = 0
            _relax(heap, pos, dist, pred, touched, counts, source, 0, -1)
            while counts[0] > 0:
                x = heap[0]
                counts[0] = _pop(heap, pos, dist, counts[0])
                done[x] = True
                settled[n_settled] = x
                n_settled += 1
                if x == sink:
                    break
                dx = dist[x] + potential[x]
                if x < m:
                    # Straight to the sink: the place stays empty, at cost 0 (with fill fairly
                    # the need's last place to stay empty costs the bonus).
                    if empty[x] < places[x]:
                        last_one = bonus > 0 and empty[x] == places[x] - 1
                        nd = dx + (bonus if last_one else 0) - potential[sink]
                        _relax(heap, pos, dist, pred, touched, counts, sink, nd, x)
                    # Every volunteer's potential is at most the sink's, and one with spare
                    # room has exactly the sink's (it was never settled), so such a volunteer
                    # is the sink at the same distance and the cheapest of them is all that
                    # counts; a volunteer without room matters only if it is nearer than that.
                    best = INF
                    via = -1
                    for a in range(need_ptr[x], need_ptr[x + 1]):
                        if not flow[a] and not full[arc_volunteer[a]] and arc_cost[a] < best:
                            best = arc_cost[a]
                            via = a
                    if via >= 0:
                        nd = dx + best - potential[sink]
                        _relax(heap, pos, dist, pred, touched, counts, sink, nd, via + sink)
                    for a in range(need_ptr[x], need_ptr[x + 1]):
                        v = arc_volunteer[a]
                        if flow[a] or not full[v]:
                            continue
                        y = m + v
                        nd = dx + arc_cost[a] - potential[y]
                        if nd < dist[sink] and not done[y]:
                            _relax(heap, pos, dist, pred, touched, counts, y, nd, a)
                else:
                    v = x - m
                    for s in range(slab_ptr[v], slab_ptr[v] + held[v]):
                        a = slab[s]
                        y = arc_need[a]
                        if not done[y]:
                            nd = dx - arc_cost[a] - potential[y]
                            if nd < dist[sink]:
                                _relax(heap, pos, dist, pred, touched, counts, y, nd, a)
            # Potentials: settled nodes move by their distance minus the sink's, the rest stay.
            reach = dist[sink]
            for q in range(n_settled):
                x = settled[q]
                potential[x] += dist[x] - reach
            # Augment one unit along the predecessors, from the sink back to the source. The
            # sink's predecessor is a need (its place stays empty) or, offset by ``sink``, the
            # arc into a volunteer with spare room (that volunteer is never a node on the heap).
            last = pred[sink]
            if last < m:
                empty[last] += 1
                x = last
            else:
                a = last - sink
                v = arc_volunteer[a]
                flow[a] = 1
                slab[slab_ptr[v] + held[v]] = a
                held[v] += 1
                full[v] = held[v] >= volunteer_capacity[v]
                x = arc_need[a]
            while x != source:
                a = pred[x]
                if x >= m:
                    v = x - m
                    flow[a] = 1
                    slab[slab_ptr[v] + held[v]] = a
                    held[v] += 1
                    x = arc_need[a]
                else:
                    v = arc_volunteer[a]
                    flow[a] = 0
                    for s in range(slab_ptr[v], slab_ptr[v] + held[v]):
                        if slab[s] == a:
                            held[v] -= 1
                            slab[s] = slab[slab_ptr[v] + held[v]]
                            break
                    x = m + v
            for q in range(counts[1]):
                x = touched[q]
                dist[x] = INF
                done[x] = False
                pos[x] = -1
    return flow, potential, empty


@numba.njit(cache=True, nogil=True)
def arcs_by_need(need: Any, n_needs: int) -> tuple[Any, Any]:  # pragma: no cover - compiled
    """(order, ptr): pair positions grouped by need, each group in the pairs' own order
    (a counting sort: one pass to count, one to place), and where each need's group starts."""
    ptr = np.zeros(n_needs + 1, dtype=np.int64)
    for k in range(need.shape[0]):
        ptr[need[k] + 1] += 1
    for j in range(n_needs):
        ptr[j + 1] += ptr[j]
    fill = ptr[:-1].copy()
    order = np.empty(need.shape[0], dtype=np.int64)
    for k in range(need.shape[0]):
        j = need[k]
        order[fill[j]] = k
        fill[j] += 1
    return order, ptr
