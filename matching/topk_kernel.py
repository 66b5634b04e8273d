"""The compiled loop of :mod:`matching.prefilter`: per volunteer, every opportunity in reach,
nearest grid cells first, with the running K-th best score (a min-heap) as the bar a pair must
clear.

Bounds skip work before it is done: a whole opportunity when even a perfect fit on the
components not yet known could not clear the bar; the optional-skill loop and the distance's
``asin``/``exp`` likewise. Compiled by numba with ``nogil`` (the caller runs chunks of volunteers
on plain threads) and ``cache`` (compiled once per machine, not per process). Not covered by
coverage tools (compiled), but by ``tests/matching/test_candidates.py`` through every path.
"""

import math
from typing import Any

import numba
import numpy as np


@numba.njit(cache=True, nogil=True, inline="always")
def _popcount(x: Any) -> Any:  # pragma: no cover - compiled
    x = x - ((x >> np.uint64(1)) & np.uint64(0x5555555555555555))
    x = (x & np.uint64(0x3333333333333333)) + ((x >> np.uint64(2)) & np.uint64(0x3333333333333333))
    x = (x + (x >> np.uint64(4))) & np.uint64(0x0F0F0F0F0F0F0F0F)
    return (x * np.uint64(0x0101010101010101)) >> np.uint64(56)


@numba.njit(cache=True, nogil=True, inline="always")
def _push(heap: Any, size: int, value: float) -> int:  # pragma: no cover - compiled
    """Keep the ``heap.shape[0]`` largest values in a min-heap; returns the new size."""
    if size < heap.shape[0]:
        i = size
        heap[i] = value
        while i > 0:
            parent = (i - 1) >> 1
            if heap[parent] <= heap[i]:
                break
            heap[parent], heap[i] = heap[i], heap[parent]
            i = parent
        return size + 1
    if value <= heap[0]:
        return size
    heap[0] = value
    i = 0
    while True:
        left = 2 * i + 1
        if left >= size:
            break
        child = left
        if left + 1 < size and heap[left + 1] < heap[left]:
            child = left + 1
        if heap[i] <= heap[child]:
            break
        heap[i], heap[child] = heap[child], heap[i]
        i = child
    return size


@numba.njit(cache=True, nogil=True)
def survivors_of(  # pragma: no cover - compiled
    lo: int,
    hi: int,
    vs: Any,
    os_: Any,
    grid: Any,
    shares: Any,
    params: Any,
    top_k: int,
    width: int,
    only: Any,
    counts: Any,
    out: Any,
) -> None:
    """Survivors of volunteers ``only[lo:hi]``: for position ``t`` in ``only``,
    ``out[t, :counts[t]]`` (``counts[t]`` is the number found; beyond ``width`` the rest is
    not written and the caller runs that volunteer again with more room)."""
    # Every array taken out of its tuple once: per-pair tuple access costs reference counts.
    (v_x, v_y, v_z, v_lat, v_located, v_maxkm) = vs[:6]
    (v_skills, v_cats, v_langs, v_causes, v_ncauses, v_slots, v_adult) = vs[6:]
    (o_x, o_y, o_z, o_req, o_nreq, o_nwanted, o_ptr, o_optskill, o_optcat) = os_[:9]
    (o_slots, o_nslots, o_adults, o_langs, o_nlangs, o_causes, o_ncauses, o_urgency) = os_[9:]
    lat0, lon0, step_lat, step_lon, rows, cols, cell_ptr, remote_from = grid
    s_skills, s_distance, s_availability, s_causes, s_language, s_urgency = shares
    related_credit, cause_unknown, half_life, remote_credit, margin, boundary = params
    skill_words, language_words, cause_words = o_req.shape[1], o_langs.shape[1], o_causes.shape[1]
    m = o_x.shape[0]
    one = np.uint64(1)
    radius = 6371.0088
    decay = math.log(2.0) / half_life
    # The most any pair can score before its distance is known (urgency is the opportunity's).
    fixed = s_skills + s_availability + s_causes + s_language
    # Largest distance from a cell's centre to its corners (lon cells are widest at the equator).
    half_diagonal = 0.5 * math.sqrt((step_lat * radius) ** 2 + (step_lon * radius) ** 2)
    heap = np.empty(top_k, dtype=np.float64)
    for t in range(lo, hi):
        v = only[t]
        score_buf = np.empty(4 * top_k, dtype=np.float64)
        j_buf = np.empty(4 * top_k, dtype=np.int32)
        sure_buf = np.empty(4 * top_k, dtype=np.bool_)
        n = 0
        size = 0
        threshold = -1.0
        # This volunteer's values as locals (kept in registers and L1 across the inner loop).
        vx, vy, vz = v_x[v], v_y[v], v_z[v]
        vslots, adult = v_slots[v], v_adult[v]
        v_skill_words = v_skills[v].copy()
        v_category_words = v_cats[v].copy()
        v_language_words = v_langs[v].copy()
        v_cause_words = v_causes[v].copy()
        # Cells in reach, nearest first, each with a lower bound of its distance.
        if v_located[v]:
            r = v_maxkm[v] + boundary
            dlat = r / radius
            lat_far = min(abs(v_lat[v]) + dlat, 1.5)
            dlon = dlat / max(math.cos(lat_far), 0.05)
            lon_v = math.atan2(v_y[v], v_x[v])
            r0 = max(int((v_lat[v] - dlat - lat0) / step_lat), 0)
            r1 = min(int((v_lat[v] + dlat - lat0) / step_lat), rows - 1)
            c0 = max(int((lon_v - dlon - lon0) / step_lon), 0)
            c1 = min(int((lon_v + dlon - lon0) / step_lon), cols - 1)
            half = math.sin(min(r / (2.0 * radius), 1.5))
            chord2 = 4.0 * half * half
            n_cells = max(r1 - r0 + 1, 0) * max(c1 - c0 + 1, 0)
        else:
            r0 = r1 = c0 = c1 = 0
            chord2 = 0.0
            n_cells = 0
        cells = np.empty(n_cells, dtype=np.int64)
        near = np.empty(n_cells, dtype=np.float64)
        k = 0
        for row in range(r0, r1 + 1):
            for col in range(c0, c1 + 1):
                if n_cells == 0:
                    break
                base = row * cols + col
                if cell_ptr[base] == cell_ptr[base + 1]:
                    continue
                # A lower bound of the distance to anything in the cell: the centre's distance
                # minus the half diagonal (and a margin for the sphere).
                clat = lat0 + (row + 0.5) * step_lat
                clon = lon0 + (col + 0.5) * step_lon
                cx = math.cos(clat) * math.cos(clon)
                cy = math.cos(clat) * math.sin(clon)
                cz = math.sin(clat)
                ddx, ddy, ddz = v_x[v] - cx, v_y[v] - cy, v_z[v] - cz
                centre = (
                    2.0
                    * radius
                    * math.asin(min(math.sqrt(ddx * ddx + ddy * ddy + ddz * ddz) * 0.5, 1.0))
                )
                cells[k] = base
                near[k] = max(centre - half_diagonal * 1.01 - 0.01, 0.0)
                k += 1
        by_distance = np.argsort(near[:k])
        for step in range(k + 1):
            if step < k:
                base = cells[by_distance[step]]
                start, stop = cell_ptr[base], cell_ptr[base + 1]
                distance_bound = s_distance * math.exp(-decay * near[by_distance[step]])
                located = True
            else:
                start, stop = remote_from, m
                distance_bound = s_distance * remote_credit
                located = False
            for j in range(start, stop):
                if fixed + o_urgency[j] * s_urgency + distance_bound < threshold:
                    continue
                # The rules, branch-free (one unpredictable branch instead of five).
                ok = True
                c2 = 0.0
                if located:
                    dx = vx - o_x[j]
                    dy = vy - o_y[j]
                    dz = vz - o_z[j]
                    c2 = dx * dx + dy * dy + dz * dz
                    ok = c2 <= chord2
                common = vslots & o_slots[j]
                ok &= (o_nslots[j] == 0) | (common != 0)
                ok &= adult | ~o_adults[j]
                missing = np.uint64(0)
                for w in range(skill_words):
                    missing |= o_req[j, w] & ~v_skill_words[w]
                ok &= missing == 0
                speaks = 0
                for w in range(language_words):
                    speaks += _popcount(o_langs[j, w] & v_language_words[w])
                ok &= (o_nlangs[j] == 0) | (speaks > 0)
                if not ok:
                    continue
                if o_nslots[j] == 0:
                    availability = 1.0
                else:
                    availability = _popcount(np.uint64(common)) / o_nslots[j]
                if v_ncauses[v] == 0 or o_ncauses[j] == 0:
                    causes = cause_unknown
                else:
                    shared = 0
                    for w in range(cause_words):
                        shared += _popcount(o_causes[j, w] & v_cause_words[w])
                    causes = 1.0 if shared > 0 else 0.0
                language = speaks / o_nlangs[j] if o_nlangs[j] > 1 else 1.0
                partial = (
                    availability * s_availability
                    + causes * s_causes
                    + language * s_language
                    + o_urgency[j] * s_urgency
                )
                # Best case for the skills (all of them): skip the optional-skill loop when even
                # that cannot reach the threshold.
                if partial + s_skills + distance_bound < threshold:
                    continue
                if o_nwanted[j] == 0:
                    skills = 1.0
                else:
                    matched = 0
                    related = 0
                    for q in range(o_ptr[j], o_ptr[j + 1]):
                        bit = o_optskill[q]
                        held = False
                        if bit >= 0:
                            held = (v_skill_words[bit >> 6] >> np.uint64(bit & 63)) & one == one
                        if held:
                            matched += 1
                        else:
                            cat = o_optcat[q]
                            if cat >= 0:
                                word = v_category_words[cat >> 6]
                                if (word >> np.uint64(cat & 63)) & one == one:
                                    related += 1
                    skills = (o_nreq[j] + matched + related_credit * related) / o_nwanted[j]
                rest = (
                    skills * s_skills
                    + availability * s_availability
                    + causes * s_causes
                    + language * s_language
                    + o_urgency[j] * s_urgency
                )  # the score's order of additions, as in :mod:`matching.scoring`
                sure = True
                if located:
                    if rest + distance_bound < threshold:
                        continue
                    km = 2.0 * radius * math.asin(min(math.sqrt(c2) * 0.5, 1.0))
                    if km > v_maxkm[v] + boundary:
                        continue
                    sure = km < v_maxkm[v] - boundary
                    score = rest + s_distance * math.exp(-decay * km)
                else:
                    score = rest + distance_bound
                if sure:
                    if score < threshold:
                        continue
                    size = _push(heap, size, score)
                    if size == top_k:
                        threshold = max(threshold, heap[0] - margin)
                if n == score_buf.shape[0]:
                    kept = 0
                    for q in range(n):
                        if score_buf[q] >= threshold or not sure_buf[q]:
                            score_buf[kept] = score_buf[q]
                            j_buf[kept] = j_buf[q]
                            sure_buf[kept] = sure_buf[q]
                            kept += 1
                    n = kept
                    if n > score_buf.shape[0] // 2:  # many ties: grow
                        bigger = score_buf.shape[0] * 2
                        s2 = np.empty(bigger, dtype=np.float64)
                        j2 = np.empty(bigger, dtype=np.int32)
                        b2 = np.empty(bigger, dtype=np.bool_)
                        s2[:n] = score_buf[:n]
                        j2[:n] = j_buf[:n]
                        b2[:n] = sure_buf[:n]
                        score_buf, j_buf, sure_buf = s2, j2, b2
                score_buf[n] = score
                j_buf[n] = j
                sure_buf[n] = sure
                n += 1
        kept = 0
        for q in range(n):
            if score_buf[q] >= threshold or not sure_buf[q]:
                if kept < width:
                    out[t, kept] = j_buf[q]
                kept += 1
        counts[t] = kept
