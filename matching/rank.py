"""Ranking: the best eligible opportunities for a volunteer, the best volunteers for an opportunity.

Build the index once (:class:`~matching.index.OpportunityIndex` /
:class:`~matching.index.VolunteerIndex`) and pass it to every call: a call is then pure array
work plus Python only for the ``limit`` results it explains. Passing a plain sequence works
too (the index is built on the fly), which is convenient in tests and scripts.

Order: score descending, ties by id ascending, so equal input gives equal output.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from matching.explain import reasons
from matching.geo import FloatArray, IntArray
from matching.index import Evaluation, OpportunityIndex, VolunteerIndex
from matching.model import Opportunity, Volunteer
from matching.rules import Reason, violations
from matching.scoring import COMPONENTS, DEFAULT_WEIGHTS, Weights, combine


@dataclass(frozen=True, slots=True)
class Match:
    """One ranked pair: score in [0, 1], contributions per component (they add up to the score),
    positive reason codes, and for near misses the reason codes of what is missing."""

    volunteer: str
    opportunity: str
    score: float
    components: dict[str, float]
    reasons: list[Reason]
    missing: list[Reason] = field(default_factory=list)


def top(scores: FloatArray, id_rank: IntArray, limit: int | None) -> IntArray:
    """Positions of the ``limit`` best scores, ties broken by ``id_rank`` (deterministic)."""
    n = scores.shape[0]
    candidates = np.arange(n)
    if limit is not None and limit < n:
        if limit <= 0:
            return np.zeros(0, dtype=np.int64)
        kth = np.partition(scores, n - limit)[n - limit]
        candidates = np.flatnonzero(scores >= kth)  # keeps every tie of the limit-th score
    order = np.lexsort((id_rank[candidates], -scores[candidates]))
    result: IntArray = candidates[order][:limit]
    return result


def _opportunity_index(
    opportunities: OpportunityIndex | Sequence[Opportunity],
    skill_category: Mapping[str, str] | None,
) -> OpportunityIndex:
    if isinstance(opportunities, OpportunityIndex):
        if skill_category is not None and dict(skill_category) != opportunities.skill_category:
            raise ValueError("skill_category differs from the one the index was built with")
        return opportunities
    return OpportunityIndex(opportunities, skill_category=skill_category)


def _volunteer_index(
    volunteers: VolunteerIndex | Sequence[Volunteer],
    skill_category: Mapping[str, str] | None,
) -> VolunteerIndex:
    if isinstance(volunteers, VolunteerIndex):
        if skill_category is not None and dict(skill_category) != volunteers.skill_category:
            raise ValueError("skill_category differs from the one the index was built with")
        return volunteers
    return VolunteerIndex(volunteers, skill_category=skill_category)


def _scored(ev: Evaluation, weights: Weights) -> tuple[dict[str, FloatArray], FloatArray]:
    if ev.rows.shape[0] == 0:
        zero = np.zeros(0, dtype=np.float64)
        return {c: zero for c in COMPONENTS}, zero
    return combine(ev.values, weights)


def rank_opportunities(
    volunteer: Volunteer,
    opportunities: OpportunityIndex | Sequence[Opportunity],
    *,
    limit: int | None = 10,
    weights: Weights = DEFAULT_WEIGHTS,
    skill_category: Mapping[str, str] | None = None,
    now: datetime | None = None,
) -> list[Match]:
    """The ``limit`` best eligible opportunities for ``volunteer`` (all with ``limit=None``)."""
    index = _opportunity_index(opportunities, skill_category)
    ev = index.evaluate(volunteer, weights=weights, now=now)
    return _matches_for_volunteer(volunteer, index, ev, limit, weights, now, near_miss=False)


def near_misses(
    volunteer: Volunteer,
    opportunities: OpportunityIndex | Sequence[Opportunity],
    *,
    limit: int | None = 5,
    weights: Weights = DEFAULT_WEIGHTS,
    skill_category: Mapping[str, str] | None = None,
    now: datetime | None = None,
) -> list[Match]:
    """Opportunities that fail exactly one rule ("needs skill X", "1.5 km beyond your radius").

    Full opportunities are never near misses, and a missing-skills miss lacks one skill only.
    Ranked by the score the pair would have if the rule were waived; ``missing`` says what fails.
    """
    index = _opportunity_index(opportunities, skill_category)
    ev = index.evaluate(volunteer, weights=weights, now=now, near_miss=True)
    return _matches_for_volunteer(volunteer, index, ev, limit, weights, now, near_miss=True)


def _matches_for_volunteer(
    volunteer: Volunteer,
    index: OpportunityIndex,
    ev: Evaluation,
    limit: int | None,
    weights: Weights,
    now: datetime | None,
    *,
    near_miss: bool,
) -> list[Match]:
    contributions, scores = _scored(ev, weights)
    return [
        _match(
            volunteer,
            index.items[ev.rows[k]],
            ev,
            k,
            contributions,
            scores,
            index.skill_category,
            now,
            near_miss=near_miss,
        )
        for k in top(scores, index.id_rank[ev.rows], limit)
    ]


def _match(
    volunteer: Volunteer,
    opportunity: Opportunity,
    ev: Evaluation,
    k: int,
    contributions: dict[str, FloatArray],
    scores: FloatArray,
    skill_category: Mapping[str, str],
    now: datetime | None,
    *,
    near_miss: bool = False,
) -> Match:
    """The ``k``-th evaluated pair as a match with its reasons: one builder for both directions
    (a volunteer's needs, a need's volunteers), so a reason or component reads the same in both."""
    return Match(
        volunteer=volunteer.id,
        opportunity=opportunity.id,
        score=float(scores[k]),
        components={c: float(contributions[c][k]) for c in COMPONENTS},
        reasons=reasons(
            volunteer,
            opportunity,
            km=float(ev.km[k]),
            urgency=float(ev.values["urgency"][k]),
            skill_category=skill_category,
            now=now,
        ),
        missing=violations(volunteer, opportunity) if near_miss else [],
    )


def rank_volunteers(
    opportunity: Opportunity,
    volunteers: VolunteerIndex | Sequence[Volunteer],
    *,
    limit: int | None = 10,
    weights: Weights = DEFAULT_WEIGHTS,
    skill_category: Mapping[str, str] | None = None,
    now: datetime | None = None,
) -> list[Match]:
    """The ``limit`` best eligible volunteers for ``opportunity`` (all with ``limit=None``)."""
    index = _volunteer_index(volunteers, skill_category)
    ev = index.evaluate(opportunity, weights=weights, now=now)
    contributions, scores = _scored(ev, weights)
    return [
        _match(
            index.items[ev.rows[k]],
            opportunity,
            ev,
            k,
            contributions,
            scores,
            index.skill_category,
            now,
        )
        for k in top(scores, index.id_rank[ev.rows], limit)
    ]
