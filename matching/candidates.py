"""Candidate generation: every eligible (volunteer, opportunity) pair with its score.

One pass per opportunity over a :class:`~matching.index.VolunteerIndex`: boolean column tests
first (required skills, slots, languages, age), then the grid drops the volunteers who cannot
reach the place, then the exact distance for the rest. By default every eligible pair is kept,
so ``assign`` is optimal over everything the rules allow. ``top_k`` keeps only each volunteer's
K best pairs (score, then opportunity id): an approximation for very large runs whose cost the
benchmark reports.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from matching.geo import FloatArray, IntArray
from matching.index import VolunteerIndex, _id_rank
from matching.model import Opportunity, Volunteer
from matching.scoring import DEFAULT_WEIGHTS, Weights, combine

Progress = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class Candidates:
    """Pairs as parallel arrays of positions into the volunteer and opportunity sequences.

    Order is deterministic: opportunity by opportunity as generated, or, with ``top_k``, grouped
    by volunteer, best first.
    """

    volunteer: IntArray
    opportunity: IntArray
    score: FloatArray

    def __len__(self) -> int:
        return int(self.volunteer.shape[0])

    def take(self, keep: IntArray) -> "Candidates":
        return Candidates(self.volunteer[keep], self.opportunity[keep], self.score[keep])


def candidate_pairs(
    volunteers: VolunteerIndex | Sequence[Volunteer],
    opportunities: Sequence[Opportunity],
    *,
    weights: Weights = DEFAULT_WEIGHTS,
    skill_category: Mapping[str, str] | None = None,
    now: datetime | None = None,
    top_k: int | None = None,
    progress: Progress | None = None,
) -> Candidates:
    """All eligible pairs (or each volunteer's ``top_k`` best) with their scores.

    ``progress`` is called with the number of opportunities processed since the last call, so a
    caller can drive a progress bar; the engine itself never prints.
    """
    if isinstance(volunteers, VolunteerIndex):
        index = volunteers
    else:
        index = VolunteerIndex(volunteers, skill_category=skill_category)
    if top_k is not None and top_k < 1:
        raise ValueError("top_k must be at least 1")
    vols: list[IntArray] = []
    opps: list[IntArray] = []
    scores: list[FloatArray] = []
    opp_rank = _id_rank([x.id for x in opportunities]) if top_k is not None else None
    # With top_k, a volunteer's K-th best score so far is a lower bound of its final K-th best,
    # so pairs scoring below it can be dropped as they come: memory and the final sort stay
    # proportional to K x volunteers instead of to all eligible pairs.
    threshold = np.full(len(index), -np.inf)
    pending = 0
    budget = (top_k or 0) * max(len(index), 1)
    done = 0
    for j, opportunity in enumerate(opportunities):
        ev = index.evaluate(opportunity, weights=weights, now=now)
        rows = ev.rows
        if rows.shape[0]:
            _, score = combine(ev.values, weights)
            if top_k is not None:
                keep = np.rint(score * 1_000_000) >= threshold[rows]
                rows, score = rows[keep], score[keep]
            vols.append(rows)
            opps.append(np.full(rows.shape[0], j, dtype=np.int64))
            scores.append(score)
            pending += rows.shape[0]
        if top_k is not None and opp_rank is not None and pending > budget:
            v, o, s = _top_k(*_join(vols, opps, scores), opp_rank, top_k)
            vols, opps, scores = [v], [o], [s]
            pending = v.shape[0]
            full = np.bincount(v, minlength=len(index)) >= top_k
            last = np.flatnonzero(np.diff(v, append=v.shape[0] and v[-1] + 1))
            ends = last[full[v[last]]]
            threshold[v[ends]] = np.rint(s[ends] * 1_000_000)
        done += 1
        if progress is not None and done == 256:
            progress(done)
            done = 0
    if progress is not None and done:
        progress(done)
    v, o, s = _join(vols, opps, scores)
    if top_k is not None and opp_rank is not None:
        v, o, s = _top_k(v, o, s, opp_rank, top_k)
    return Candidates(v, o, s)


def _join(
    vols: list[IntArray], opps: list[IntArray], scores: list[FloatArray]
) -> tuple[IntArray, IntArray, FloatArray]:
    if not vols:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0, dtype=np.float64)
    return np.concatenate(vols), np.concatenate(opps), np.concatenate(scores)


def _top_k(
    v: IntArray, o: IntArray, s: FloatArray, opp_rank: IntArray, k: int
) -> tuple[IntArray, IntArray, FloatArray]:
    """Each volunteer's ``k`` best pairs: score descending, then opportunity id.

    One ``argsort`` of a packed int64 key (volunteer | inverted score in millionths |
    opportunity rank) instead of a three-key ``lexsort``: several times faster on the tens of
    millions of pairs of a city-wide run. Falls back to ``lexsort`` beyond the packing limits.
    """
    if v.shape[0] == 0:
        return v, o, s
    ranks = opp_rank[o]
    if int(v.max()) < 1 << 23 and int(opp_rank.shape[0]) < 1 << 20:
        inverted = (1 << 20) - 1 - np.rint(s * 1_000_000).astype(np.int64)
        key = (v << 40) | (inverted << 20) | ranks
        order = np.argsort(key)
    else:
        order = np.lexsort((ranks, -s, v))
    v, o, s = v[order], o[order], s[order]
    starts = np.flatnonzero(np.diff(v, prepend=-1))
    counts = np.diff(np.append(starts, v.shape[0]))
    position = np.arange(v.shape[0]) - np.repeat(starts, counts)
    keep = position < k
    return v[keep], o[keep], s[keep]
