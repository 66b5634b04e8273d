"""The candidate pairs the proposal's flow is solved over: a stated cut of every eligible pair.

At city scale there are millions of eligible pairs (Bochum: 5.9 M for 35,800 open places) and
the exact min-cost flow over all of them took 8-11 CPU-s, most of a run. A need with five
places does not need 900 candidates, so the flow is solved *exactly over the kept pairs*:

- each need keeps its best ``max(PER_PLACE * places, AT_LEAST)`` candidates, ranked not by the
  score alone but by what the volunteer would give up against their own best match elsewhere
  (their best score minus this pair's). By score alone, every need keeps the same popular
  volunteers (broad skills and times, central address), who can take only one or two places;
  ranked by what they give up, a need keeps the people for whom it is among their best
  options, which is who the optimum places there. Every need with a candidate keeps at least
  ``AT_LEAST``, so "fill fairly" still reaches every need someone could take.

What the cut costs is measured, not assumed: ``python -m bench proposal`` also solves every
pair once in the same run and prints both totals (README, "The city-wide proposal"). At Bochum
scale it keeps about a tenth of the pairs and loses about 0.35 % of the total match; ranking by
score alone lost 1-10 % at the same sizes.
"""

import numpy as np

from matching.assign import solve
from matching.candidates import Candidates
from matching.geo import IntArray

# Chosen by measurement at Bochum scale (README): 10 per place lost 0.6 %, 15 lost 0.35 %.
PER_PLACE = 15
AT_LEAST = 40


def kept_pairs(candidates: Candidates, places: IntArray, n_volunteers: int) -> IntArray:
    """Positions (ascending) of the pairs the flow is solved over; see the module docstring.

    ``places`` are the needs' open places (by need position), ``n_volunteers`` the pool's size.
    """
    n = len(candidates)
    if not n:
        return np.zeros(0, dtype=np.int64)
    best = np.zeros(n_volunteers, dtype=np.float64)
    np.maximum.at(best, candidates.volunteer, candidates.score)
    # What the pair gives up in millionths (scores lie in [0, 1]), then a fixed pseudo-random
    # order of (volunteer, need) among equal losses: scores are coarse, so a need often has
    # hundreds of equal losses, and breaking them by position kept the same low-numbered
    # volunteers in every need's list (1.3 % loss instead of 0.35 % at Bochum scale).
    loss = np.rint((best[candidates.volunteer] - candidates.score) * 1_000_000).astype(np.int64)
    gives_up = (loss << 20) | _shuffle(candidates.volunteer, candidates.opportunity)
    need = candidates.opportunity
    order = None
    if n > 1 and not bool(np.all(need[1:] >= need[:-1])):
        order = np.argsort(need, kind="stable")  # generation groups pairs by need already
        need, gives_up = need[order], gives_up[order]
    starts = np.flatnonzero(np.diff(need, prepend=-1))
    ends = np.append(starts[1:], n)
    limit = np.maximum(PER_PLACE * places, AT_LEAST)[need[starts]]
    kept: list[IntArray] = []
    for start, end, keep in zip(starts.tolist(), ends.tolist(), limit.tolist(), strict=True):
        if end - start <= keep:
            kept.append(np.arange(start, end, dtype=np.int64))
        else:
            # The ``keep`` smallest losses of this need (an unordered partial sort: ~1,000 pairs).
            cut = np.argpartition(gives_up[start:end], keep - 1)[:keep]
            kept.append(start + cut.astype(np.int64))
    at = np.concatenate(kept)
    if order is not None:
        at = order[at]
    out: IntArray = np.sort(at)
    return out


def _shuffle(volunteer: IntArray, need: IntArray) -> IntArray:
    """A 20-bit hash of each (volunteer, need): the same pairs always get the same order."""
    mixed = (volunteer.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)) ^ (
        need.astype(np.uint64) * np.uint64(0xC2B2AE3D27D4EB4F)
    )
    out: IntArray = ((mixed >> np.uint64(40)) & np.uint64(0xFFFFF)).astype(np.int64)
    return out


def solve_kept(
    candidates: Candidates,
    kept: IntArray,
    volunteer_capacity: IntArray,
    places: IntArray,
    *,
    fill_fairly: bool,
) -> IntArray:
    """The exact assignment (``matching.assign.solve``) over the kept pairs, as positions into
    ``candidates``. Only volunteers with a kept pair become nodes of the flow: a tenth of the
    pool's 104,000 at Bochum scale, each node and its source arc the solver need not carry."""
    sub = candidates.take(kept)
    if not len(sub):
        return np.zeros(0, dtype=np.int64)
    volunteers, node = np.unique(sub.volunteer, return_inverse=True)
    compact = Candidates(node.astype(np.int64), sub.opportunity, sub.score)
    chosen = solve(compact, volunteer_capacity[volunteers], places, fill_fairly=fill_fairly)
    out: IntArray = kept[chosen]
    return out
