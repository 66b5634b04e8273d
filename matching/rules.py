"""Eligibility: when may a volunteer be matched to an opportunity at all?

A pair is *eligible* when every rule below holds. Each rule has a near-miss reason code that the
explanation returns when it fails (see :mod:`matching.explain`):

1. ``place``: the opportunity has an open place (``capacity >= 1``). Code ``no_open_place``.
2. ``distance``: the opportunity is remote, or both have a location and the great-circle distance
   is at most the volunteer's ``max_km``. A volunteer without a location matches remote
   opportunities only. Codes ``beyond_radius`` (``km_over``) and ``no_location``.
3. ``skills``: the volunteer holds every required skill (optional skills only raise the score).
   Code ``missing_skill`` (``skill``), one per missing skill.
4. ``time``: when the opportunity names slots, at least one of them is in the volunteer's
   availability. Code ``no_common_slot`` (``slots``: the opportunity's slots).
5. ``language``: when the opportunity names languages, the volunteer speaks at least one.
   Code ``no_common_language`` (``languages``).
6. ``age``: an adults-only opportunity needs an adult volunteer. Code ``adults_only``.

A volunteer's own capacity is not a ranking rule (suggestions stay useful for someone who is
busy right now); ``assign`` respects it. This module is the scalar reference: the vectorised
kernels in :mod:`matching.index` implement the same rules and the tests hold them to it.
"""

from typing import Any

import numpy as np

from matching.geo import haversine_km
from matching.model import Opportunity, Volunteer, slot_names

RULES: tuple[str, ...] = ("place", "distance", "skills", "time", "language", "age")

Reason = dict[str, Any]


def distance_km(volunteer: Volunteer, opportunity: Opportunity) -> float | None:
    """Great-circle km between the two, or ``None`` when either has no location."""
    if volunteer.lat is None or volunteer.lon is None:
        return None
    if opportunity.lat is None or opportunity.lon is None:
        return None
    return float(
        haversine_km(
            volunteer.lat, volunteer.lon, np.float64(opportunity.lat), np.float64(opportunity.lon)
        )
    )


def violations(volunteer: Volunteer, opportunity: Opportunity) -> list[Reason]:
    """The near-miss reasons of every failed rule, in ``RULES`` order; empty when eligible."""
    out: list[Reason] = []
    if opportunity.capacity < 1:
        out.append({"code": "no_open_place"})
    if not opportunity.remote:
        km = distance_km(volunteer, opportunity)
        if km is None:
            out.append({"code": "no_location"})
        elif km > volunteer.max_km:
            out.append({"code": "beyond_radius", "km_over": round(km - volunteer.max_km, 1)})
    for skill in sorted(opportunity.required_skills - volunteer.skills):
        out.append({"code": "missing_skill", "skill": skill})
    if opportunity.slots and not opportunity.slots & volunteer.availability:
        out.append({"code": "no_common_slot", "slots": slot_names(opportunity.slots)})
    if opportunity.languages and not opportunity.languages & volunteer.languages:
        out.append({"code": "no_common_language", "languages": sorted(opportunity.languages)})
    if opportunity.adults_only and not volunteer.adult:
        out.append({"code": "adults_only"})
    return out


def is_eligible(volunteer: Volunteer, opportunity: Opportunity) -> bool:
    return not violations(volunteer, opportunity)
