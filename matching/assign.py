"""Optimal assignment: maximum total score under every capacity, as a min-cost flow.

Every pair can carry one unit (nobody is placed twice in the same opportunity), a volunteer at
most their capacity, an opportunity at most its open places, and nobody *has* to be placed.
Scores are scaled to integers (``SCORE_SCALE`` = 10^6, i.e. exact to 6 decimals), which makes
the optimum exact rather than float-approximate.

**The solver** (:mod:`matching.flow_kernel`, compiled) routes one open place at a time along
the cheapest path of the residual network (successive shortest paths with Dijkstra over reduced
costs). Why not a general min-cost-flow library: a city has far more volunteers than places,
so almost every path ends one or two steps from the place it starts at, and the search stops
there; OR-Tools' cost-scaling push-relabel (used until December 2026, now an oracle in the
tests) works on the whole network in every phase and took 11.2 CPU-s on dense-L's 7.5 million
pairs where this takes about one, proof included (README, "Dense cities"). It also held the GIL,
which this kernel does not.

**Proof of optimality with every result.** The kernel returns the dual prices (potentials) it
ends with; :func:`check_optimal` verifies in plain numpy, over every arc, that the assignment
is feasible and that no arc that could change its flow has a negative reduced cost: the
negative-cycle criterion, which proves that no assignment of higher total exists. A failed
check raises :class:`SolverError`, so a wrong answer can never be returned silently.

**Fill fairly.** With ``fill_fairly=True`` each opportunity's *first* place carries a bonus
``B = (P + 1) * SCORE_SCALE``, where P bounds the number of assigned pairs (in the flow: the
last place of an opportunity to stay empty costs ``B``). Since the total score of any
assignment lies in [0, P], the solver maximises, exactly and in this order:

1. the number of opportunities that receive at least one volunteer, then
2. the total score among all assignments achieving that number.

So no opportunity gets a second volunteer while another, which someone eligible could fill, has
none. The benchmark reports what this costs in total score.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from matching.candidates import Candidates, Progress, candidate_pairs
from matching.flow_kernel import arcs_by_need, shortest_paths
from matching.geo import BoolArray, FloatArray, IntArray
from matching.index import VolunteerIndex
from matching.model import Opportunity, Volunteer
from matching.scoring import DEFAULT_WEIGHTS, Weights

SCORE_SCALE = 1_000_000


class SolverError(RuntimeError):
    """The flow solver did not report an optimum (should not happen on valid input)."""


@dataclass(frozen=True, slots=True)
class AssignedPair:
    volunteer: str
    opportunity: str
    score: float


@dataclass(frozen=True, slots=True)
class Assignment:
    """The chosen pairs (sorted by volunteer id, then opportunity id) and what they were chosen
    from: ``chosen`` indexes into ``candidates``."""

    pairs: list[AssignedPair]
    total_score: float
    candidates: Candidates
    chosen: IntArray
    stats: dict[str, int]


def integer_scores(scores: FloatArray) -> IntArray:
    """Scores as the integers the solver optimises (the oracles in the tests use the same)."""
    out: IntArray = np.rint(scores * SCORE_SCALE).astype(np.int64)
    return out


def solve(
    candidates: Candidates,
    volunteer_capacity: IntArray,
    opportunity_capacity: IntArray,
    *,
    fill_fairly: bool = False,
) -> IntArray:
    """Indices (ascending) of the candidate pairs in a maximum-score assignment (see the module
    docstring), proven optimal by :func:`check_optimal` before it is returned."""
    vcap = np.maximum(volunteer_capacity, 0).astype(np.int64)
    ocap = np.maximum(opportunity_capacity, 0).astype(np.int64)
    n_pairs = len(candidates)
    if n_pairs == 0 or int(vcap.sum()) == 0 or int(ocap.sum()) == 0:
        return np.zeros(0, dtype=np.int64)
    weight = integer_scores(candidates.score)
    bonus = 0
    if fill_fairly:
        bonus = (min(n_pairs, int(vcap.sum()), int(ocap.sum())) + 1) * SCORE_SCALE
    # A pair whose volunteer or need has no room can never carry flow: the solver never sees it.
    live = np.flatnonzero(_can_carry(candidates, vcap, ocap))
    arcs = candidates.take(live)
    # The solver routes the units of one side: the needs' open places, or, when the volunteers
    # can take fewer places in all (and nothing favours the needs' first places), the
    # volunteers' (the same network seen from the other side: b-matching is symmetric). The
    # scarcer side has the fewer units to route and the shorter paths.
    from_volunteers = not bonus and int(vcap.sum()) < int(ocap.sum())
    sources, targets = (
        (arcs.volunteer, arcs.opportunity)
        if from_volunteers
        else (
            arcs.opportunity,
            arcs.volunteer,
        )
    )
    source_cap, target_cap = (vcap, ocap) if from_volunteers else (ocap, vcap)
    order, ptr = arcs_by_need(sources, source_cap.shape[0])
    flow, potential, empty = shortest_paths(
        ptr, targets[order], sources[order], -weight[live[order]], target_cap, source_cap, bonus
    )
    chosen: IntArray = np.sort(live[order[flow.astype(np.bool_)]])
    if from_volunteers:
        seen_from = Candidates(candidates.opportunity, candidates.volunteer, candidates.score)
        check_optimal(seen_from, chosen, ocap, vcap, potential, empty, bonus=0)
    else:
        check_optimal(candidates, chosen, vcap, ocap, potential, empty, bonus=bonus)
    return chosen


def check_optimal(
    candidates: Candidates,
    chosen: IntArray,
    volunteer_capacity: IntArray,
    opportunity_capacity: IntArray,
    potential: IntArray,
    empty: IntArray,
    *,
    bonus: int,
) -> None:
    """Raise :class:`SolverError` unless ``chosen`` is a feasible assignment and ``potential``
    proves it optimal: in the network of :mod:`matching.flow_kernel` (each need's open places
    routed to volunteers or left ``empty``), no arc that could still carry flow one way or the
    other has a negative reduced cost, so no cheaper flow exists (the negative-cycle criterion
    of min-cost flow). Plain numpy over every arc, independent of the solver's own code.

    ``potential`` holds the needs', then the volunteers', then the sink's prices; ``bonus``
    is fill fairly's B (0 without). When the solver routed the volunteers' units instead, the
    same check runs with the two sides swapped (pairs seen from the volunteers, capacities
    swapped)."""
    n_opp, n_vol = opportunity_capacity.shape[0], volunteer_capacity.shape[0]
    held = np.bincount(candidates.volunteer[chosen], minlength=n_vol)
    taken = np.bincount(candidates.opportunity[chosen], minlength=n_opp)
    if (
        np.any(held > volunteer_capacity)
        or np.any(empty < 0)
        or np.any(taken + empty != opportunity_capacity)
        or np.unique(chosen).shape[0] != chosen.shape[0]
    ):
        raise SolverError("the solver's assignment exceeds a capacity")
    p_need, p_vol, p_sink = potential[:n_opp], potential[n_opp:-1], potential[-1]
    reduced = -integer_scores(candidates.score)
    reduced += p_need[candidates.opportunity] - p_vol[candidates.volunteer]
    on = np.zeros(len(candidates), dtype=np.bool_)
    on[chosen] = True
    # A pair whose volunteer or need has no room leads to or from a node no flow can pass: it
    # lies on no cycle, so its reduced cost proves nothing either way.
    off = ~on & _can_carry(candidates, volunteer_capacity, opportunity_capacity)
    # Each arc: where it could carry more its reduced cost is >= 0, where it could carry less
    # <= 0: a pair (0 or 1), a volunteer's arc to the sink (up to its capacity), a need's
    # arcs for empty places (the first ones at cost 0, the last one, with fill fairly, at B).
    to_sink = p_vol - p_sink
    empty_cost = p_need - p_sink
    last_place = np.minimum(opportunity_capacity, 1) if bonus else np.zeros(n_opp, np.int64)
    free_places = opportunity_capacity - last_place
    cheap = np.minimum(empty, free_places)
    last = empty - cheap
    last_cost = empty_cost + bonus
    ok = (
        np.all(reduced[off] >= 0)
        and np.all(reduced[on] <= 0)
        and np.all(to_sink[held < volunteer_capacity] >= 0)
        and np.all(to_sink[held > 0] <= 0)
        and np.all(empty_cost[cheap < free_places] >= 0)
        and np.all(empty_cost[cheap > 0] <= 0)
        and np.all(last_cost[last < last_place] >= 0)
        and np.all(last_cost[last > 0] <= 0)
    )
    if not ok:
        raise SolverError("the assignment's optimality could not be proven")


def _can_carry(
    candidates: Candidates, volunteer_capacity: IntArray, opportunity_capacity: IntArray
) -> BoolArray:
    can: BoolArray = (volunteer_capacity[candidates.volunteer] > 0) & (
        opportunity_capacity[candidates.opportunity] > 0
    )
    return can


def assign(
    volunteers: VolunteerIndex | Sequence[Volunteer],
    opportunities: Sequence[Opportunity],
    *,
    weights: Weights = DEFAULT_WEIGHTS,
    skill_category: Mapping[str, str] | None = None,
    now: datetime | None = None,
    top_k: int | None = None,
    fill_fairly: bool = False,
    candidates: Candidates | None = None,
    progress: Progress | None = None,
    workers: int = 1,
) -> Assignment:
    """The assignment of maximum total score over the candidate pairs, within all capacities.

    Candidates are all eligible pairs unless ``top_k`` is given (or ``candidates`` computed
    earlier with :func:`~matching.candidates.candidate_pairs` for the same inputs are passed).
    ``workers``: see :func:`~matching.candidates.candidate_pairs`.
    """
    if isinstance(volunteers, VolunteerIndex):
        index = volunteers
    else:
        index = VolunteerIndex(volunteers, skill_category=skill_category)
    opps = tuple(opportunities)
    if len({o.id for o in opps}) != len(opps):
        raise ValueError("duplicate opportunity id")
    if candidates is None:
        candidates = candidate_pairs(
            index,
            opps,
            weights=weights,
            now=now,
            top_k=top_k,
            progress=progress,
            workers=workers,
        )
    opp_capacity = np.array([o.capacity for o in opps], dtype=np.int64)
    chosen = solve(candidates, index.capacity, opp_capacity, fill_fairly=fill_fairly)
    pairs = [
        AssignedPair(
            index.items[candidates.volunteer[k]].id,
            opps[candidates.opportunity[k]].id,
            float(candidates.score[k]),
        )
        for k in chosen
    ]
    pairs.sort(key=lambda p: (p.volunteer, p.opportunity))
    chosen_opps = candidates.opportunity[chosen]
    stats = {
        "volunteers": len(index),
        "opportunities": len(opps),
        "candidate_pairs": len(candidates),
        "assigned_pairs": len(pairs),
        "volunteers_assigned": int(np.unique(candidates.volunteer[chosen]).shape[0]),
        "opportunities_with_volunteer": int(np.unique(chosen_opps).shape[0]),
        "open_places": int(np.maximum(opp_capacity, 0).sum()),
    }
    return Assignment(
        pairs=pairs,
        total_score=float(candidates.score[chosen].sum()),
        candidates=candidates,
        chosen=chosen,
        stats=stats,
    )
