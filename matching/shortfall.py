"""Near misses seen from a need: the volunteers who fail exactly one rule for it, and which one.

A gap (places nobody eligible can fill) is only actionable if one knows what would close it:
"38 lack only this skill" says a training would help, "25 are at most 2 km too far" says a
wider radius or a lift would. This is the volunteer-side twin of the near misses in
:func:`matching.rank.near_misses` (which look from a volunteer at the needs): the same rules as
:meth:`~matching.index.VolunteerIndex.eligible`, evaluated over every volunteer of the index at
once, with each rule's failures kept apart instead of AND-ed away.

A volunteer counts under one rule only if every other rule passes, so the groups never overlap
and each says what alone would make the pair possible. Missing skills count only when exactly
one required skill is missing (named, so a gap can say *which* training). Distance counts only
within ``extra_km`` beyond the volunteer's own radius; a volunteer without a location never
reaches a located need and is no near miss.
"""

from dataclasses import dataclass, field

import numpy as np

from matching.geo import BoolArray, IntArray, haversine_rad
from matching.index import VolunteerIndex
from matching.model import SLOTS, Opportunity

#: Reason codes of the rules a near miss fails (the wording lives with the pages).
SKILL, DISTANCE, AVAILABILITY, LANGUAGE, AGE = (
    "skill",
    "distance",
    "availability",
    "language",
    "age",
)


@dataclass(frozen=True)
class Misses:
    """Positions (in the index's ``items``) of the near misses of one need, by the one rule each
    fails; ``skill`` by the missing required skill."""

    skill: dict[str, IntArray] = field(default_factory=dict)
    distance: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    availability: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    language: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    age: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))


def _positions(index: VolunteerIndex, mask: BoolArray) -> IntArray:
    """Grid-order mask -> ascending positions in ``items``."""
    return np.sort(index.order[np.flatnonzero(mask)])


def near_misses(index: VolunteerIndex, opportunity: Opportunity, *, extra_km: float) -> Misses:
    """Who fails exactly one rule for ``opportunity``, by rule (see the module docstring)."""
    n = len(index)
    if n == 0 or opportunity.capacity < 1:
        return Misses()
    missing = np.zeros(n, dtype=np.int64)
    held: dict[str, BoolArray] = {}
    for skill in sorted(opportunity.required_skills):
        col = index.skill_vocab.get(skill)
        has = index.skill_cols[col] if col is not None else np.zeros(n, dtype=np.bool_)
        held[skill] = has
        missing += ~has
    free = np.ones(n, dtype=np.bool_)
    if opportunity.slots:
        free = np.zeros(n, dtype=np.bool_)
        for i in range(len(SLOTS)):
            if opportunity.slots >> i & 1:
                free |= index.slot_cols[i]
    speaks = np.ones(n, dtype=np.bool_)
    if opportunity.languages:
        speaks = np.zeros(n, dtype=np.bool_)
        for lang in opportunity.languages:
            col = index.language_vocab.get(lang)
            if col is not None:
                speaks |= index.language_cols[col]
    old_enough = index.adult if opportunity.adults_only else np.ones(n, dtype=np.bool_)
    near = np.ones(n, dtype=np.bool_)
    within = np.zeros(n, dtype=np.bool_)  # reaches it a little beyond the radius
    if opportunity.lat is not None and opportunity.lon is not None:
        km = np.full(n, np.inf)
        located = index.located
        km[located] = haversine_rad(
            index.lat[located],
            index.lon[located],
            np.radians(opportunity.lat),
            np.radians(opportunity.lon),
        )
        near = km <= index.max_km
        within = ~near & (km <= index.max_km + extra_km)
    failed = missing + ~free + ~speaks + ~old_enough + ~near
    one = failed == 1
    return Misses(
        skill={s: _positions(index, one & ~has) for s, has in held.items()},
        distance=_positions(index, one & within),
        availability=_positions(index, one & ~free),
        language=_positions(index, one & ~speaks),
        age=_positions(index, one & ~old_enough),
    )
