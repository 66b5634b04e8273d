"""The compiled loop of :mod:`matching.prefilter`: per volunteer, every opportunity in reach,
nearest grid cells first, with the running K-th best score (a min-heap) as the bar a pair must
clear.

Bounds skip work before it is done: a whole cell (and every farther one) when even the most
urgent opportunity with perfect components could not clear the bar; within a cell (most urgent
first) the tail that could not; the distance's ``asin``/``exp`` of a pair whose other components
already fall short. The rest of a cell runs in loops without data-dependent branches (the rules
and components as bit operations over contiguous arrays), since on dense cities about half of the
pairs pass the rules, so a branch per rule was a coin toss the processor kept losing. Compiled by
numba with ``nogil`` (the caller runs chunks of volunteers on plain threads) and ``cache``
(compiled once per machine, not per process). Not covered by coverage tools (compiled), but by
``tests/matching/test_candidates.py`` through every path.
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
    not written and the caller runs that volunteer again with more room).

    Each cell is done in two passes. The first is branch-free over the cell's opportunities
    (contiguous): the rules and every component but the distance as bit operations, and the
    index of each pair whose bound clears the bar appended to a short list (a store and an
    add, no jump the processor could mispredict). The second computes the distance of those
    few and keeps them.
    """
    # Every array taken out of its tuple once: per-pair tuple access costs reference counts.
    (v_x, v_y, v_z, v_lat, v_located, v_maxkm) = vs[:6]
    (v_skills, v_related, v_langs, v_causes, v_ncauses, v_slots, v_adult) = vs[6:]
    (o_x, o_y, o_z, o_remote, o_req, o_opt, o_skill_base, o_invw) = os_[:8]
    (o_slots, o_noslot, o_slot_base, o_invslots, o_adults) = os_[8:13]
    (o_langs, o_nolang, o_lang_base, o_invlangs, o_causes, o_hascause, o_urgency) = os_[13:]
    lat0, lon0, step_lat, step_lon, rows, cols, cell_ptr, remote_from = grid[:8]
    centre_x, centre_y, centre_z, top_urgency = grid[8:]
    s_skills, s_distance, s_availability, s_causes, s_language, s_urgency = shares
    related_credit, cause_unknown, half_life, remote_credit, margin, boundary = params
    skill_words, language_words, cause_words = o_req.shape[0], o_langs.shape[0], o_causes.shape[0]
    m = o_x.shape[0]
    radius = 6371.0088
    decay = math.log(2.0) / half_life
    # The most any pair can score before its distance is known (urgency is the opportunity's);
    # a volunteer naming no cause gets ``cause_unknown`` (<= 1) from every opportunity.
    fixed_known = s_skills + s_availability + s_causes + s_language
    fixed_unknown = s_skills + s_availability + cause_unknown * s_causes + s_language
    # Largest distance from a cell's centre to its corners (lon cells are widest at the equator).
    half_diagonal = 0.5 * math.sqrt((step_lat * radius) ** 2 + (step_lon * radius) ** 2)
    widest = m - remote_from
    for c in range(rows * cols):
        widest = max(widest, cell_ptr[c + 1] - cell_ptr[c])
    acc_missing = np.empty(widest + 1, dtype=np.uint64)
    acc_matched = np.empty(widest + 1, dtype=np.int64)
    acc_related = np.empty(widest + 1, dtype=np.int64)
    acc_speaks = np.empty(widest + 1, dtype=np.int64)
    acc_shared = np.empty(widest + 1, dtype=np.int64)
    acc_rest = np.empty(widest + 1, dtype=np.float64)
    acc_c2 = np.empty(widest + 1, dtype=np.float64)
    acc_ok = np.empty(widest + 1, dtype=np.bool_)
    pick_j = np.empty(widest + 1, dtype=np.int64)
    pick_rest = np.empty(widest + 1, dtype=np.float64)
    pick_c2 = np.empty(widest + 1, dtype=np.float64)
    heap = np.empty(top_k, dtype=np.float64)
    v_skill_words = np.empty(skill_words, dtype=np.uint64)
    v_related_words = np.empty(skill_words, dtype=np.uint64)
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
        v_has_causes = v_ncauses[v] > 0
        fixed = fixed_known if v_has_causes else fixed_unknown
        v_cause_factor = 1.0 if v_has_causes else 0.0
        for w in range(skill_words):
            v_skill_words[w] = v_skills[v, w]
            # "Related" counts optional skills *not held* in a held category.
            v_related_words[w] = v_related[v, w] & ~v_skills[v, w]
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
                ddx = vx - centre_x[base]
                ddy = vy - centre_y[base]
                ddz = vz - centre_z[base]
                centre = (
                    2.0
                    * radius
                    * math.asin(min(math.sqrt(ddx * ddx + ddy * ddy + ddz * ddz) * 0.5, 1.0))
                )
                cells[k] = base
                near[k] = max(centre - half_diagonal * 1.01 - 0.01, 0.0)
                k += 1
        by_distance = np.argsort(near[:k])
        step = 0
        while step <= k:
            if step < k:
                base = cells[by_distance[step]]
                start, stop = cell_ptr[base], cell_ptr[base + 1]
                distance_bound = s_distance * math.exp(-decay * near[by_distance[step]])
                located = True
                step += 1
                # Cells come nearest first: when even the most urgent opportunity anywhere
                # cannot clear the bar from this cell, no later cell can.
                if fixed + top_urgency * s_urgency + distance_bound < threshold:
                    step = k
                    continue
            else:
                start, stop = remote_from, m
                distance_bound = s_distance * remote_credit
                located = False
                step += 1
            # Pass 1: most urgent first, so the opportunities that cannot clear the bar even
            # with perfect components are a tail of the cell, cut off before the loops.
            bar = threshold - distance_bound
            end = start
            while end < stop and fixed + o_urgency[end] * s_urgency >= bar:
                end += 1
            width_here = end - start
            # The rest in loops without branches over contiguous arrays (the compiler turns
            # them into vector instructions): per skill word, then the scores.
            for q in range(width_here):
                acc_missing[q] = 0
                acc_matched[q] = 0
                acc_related[q] = 0
            for w in range(skill_words):
                # Slices indexed from 0: the compiler then knows no index is negative and
                # drops the wraparound test that kept these loops from vector instructions.
                req_w, opt_w = o_req[w, start:end], o_opt[w, start:end]
                held, near_held = v_skill_words[w], v_related_words[w]
                for q in range(width_here):
                    acc_missing[q] |= req_w[q] & ~held
                    acc_matched[q] += _popcount(opt_w[q] & held)
                    acc_related[q] += _popcount(opt_w[q] & near_held)
            for q in range(width_here):
                acc_speaks[q] = 0
                acc_shared[q] = 0
            for w in range(language_words):
                lang_w, spoken = o_langs[w, start:end], v_language_words[w]
                for q in range(width_here):
                    acc_speaks[q] += _popcount(lang_w[q] & spoken)
            for w in range(cause_words):
                cause_w, cared = o_causes[w, start:end], v_cause_words[w]
                for q in range(width_here):
                    acc_shared[q] += _popcount(cause_w[q] & cared)
            c_x, c_y, c_z = o_x[start:end], o_y[start:end], o_z[start:end]
            c_slots, c_remote, c_noslot = (
                o_slots[start:end],
                o_remote[start:end],
                o_noslot[start:end],
            )
            c_adults, c_nolang = o_adults[start:end], o_nolang[start:end]
            c_skill_base, c_invw = o_skill_base[start:end], o_invw[start:end]
            c_slot_base, c_invslots = o_slot_base[start:end], o_invslots[start:end]
            c_hascause, c_urgency = o_hascause[start:end], o_urgency[start:end]
            c_lang_base, c_invlangs = o_lang_base[start:end], o_invlangs[start:end]
            for q in range(width_here):
                # Remote opportunities have NaN coordinates: c2 is NaN, the test false, and
                # ``o_remote`` lets them through.
                dx = vx - c_x[q]
                dy = vy - c_y[q]
                dz = vz - c_z[q]
                c2 = dx * dx + dy * dy + dz * dz
                common = vslots & c_slots[q]
                bad = (c2 > chord2) & ~c_remote[q]
                bad |= (common == 0) & ~c_noslot[q]
                bad |= c_adults[q] & ~adult
                bad |= acc_missing[q] != 0
                bad |= (acc_speaks[q] == 0) & ~c_nolang[q]
                # Every component as base + count x factor (no branch: see _Opportunities).
                skills = (
                    c_skill_base[q] + (acc_matched[q] + related_credit * acc_related[q]) * c_invw[q]
                )
                availability = c_slot_base[q] + _popcount(np.uint64(common)) * c_invslots[q]
                shares_cause = 1.0 if acc_shared[q] > 0 else 0.0
                causes = cause_unknown + c_hascause[q] * v_cause_factor * (
                    shares_cause - cause_unknown
                )
                language = c_lang_base[q] + acc_speaks[q] * c_invlangs[q]
                rest = (
                    skills * s_skills
                    + availability * s_availability
                    + causes * s_causes
                    + language * s_language
                    + c_urgency[q] * s_urgency
                )  # the score's order of additions, as in :mod:`matching.scoring`
                acc_rest[q] = rest
                acc_c2[q] = c2
                acc_ok[q] = ~bad & (rest >= bar)
            picked = 0
            for q in range(width_here):
                pick_j[picked] = start + q
                pick_rest[picked] = acc_rest[q]
                pick_c2[picked] = acc_c2[q]
                picked += acc_ok[q]
            # Pass 2: the distance of the few that may clear the bar, and the bookkeeping.
            for q in range(picked):
                j = pick_j[q]
                rest = pick_rest[q]
                sure = True
                if located:
                    if rest + distance_bound < threshold:
                        continue
                    km = 2.0 * radius * math.asin(min(math.sqrt(pick_c2[q]) * 0.5, 1.0))
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
                    for p in range(n):
                        if score_buf[p] >= threshold or not sure_buf[p]:
                            score_buf[kept] = score_buf[p]
                            j_buf[kept] = j_buf[p]
                            sure_buf[kept] = sure_buf[p]
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
