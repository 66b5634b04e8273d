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
    """Pairs as parallel arrays of positions into the volunteer and opportunity sequences,
    sorted by (volunteer position, opportunity position)."""

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
    done = 0
    for j, opportunity in enumerate(opportunities):
        ev = index.evaluate(opportunity, weights=weights, now=now)
        if ev.rows.shape[0]:
            _, score = combine(ev.values, weights)
            vols.append(ev.rows)
            opps.append(np.full(ev.rows.shape[0], j, dtype=np.int64))
            scores.append(score)
        done += 1
        if progress is not None and done == 256:
            progress(done)
            done = 0
    if progress is not None and done:
        progress(done)
    if not vols:
        empty = np.zeros(0, dtype=np.int64)
        return Candidates(empty, empty, np.zeros(0, dtype=np.float64))
    v = np.concatenate(vols)
    o = np.concatenate(opps)
    s = np.concatenate(scores)
    if top_k is not None:
        opp_rank = _id_rank([x.id for x in opportunities])
        order = np.lexsort((opp_rank[o], -s, v))
        v, o, s = v[order], o[order], s[order]
        first = np.searchsorted(v, v, side="left")
        keep = (np.arange(v.shape[0]) - first) < top_k
        v, o, s = v[keep], o[keep], s[keep]
    order = np.lexsort((o, v))
    return Candidates(v[order], o[order], s[order])
