"""Reason codes: why a pair matches, and what is missing for a near miss.

The engine returns codes with parameters, never sentences: the web layer owns the wording and
its translations ("3 of 4 wanted skills", "2.1 km from home"). Codes of an eligible pair, in
this order:

==================  =====================================  ====================================
code                params                                 when
==================  =====================================  ====================================
``skills_matched``  ``matched``, ``wanted`` (ints)          the volunteer has a wanted skill
``related_skill``   ``skill``, ``category``                 an optional skill is not held, but a
                                                           skill of the same category is
``distance``        ``km`` (1 decimal)                      on-site opportunity
``remote``          (none)                                 remote / at home
``fits_slot``       ``slots`` (slot names)                  the opportunity names slots
``shared_cause``    ``causes`` (sorted)                     they share a cause
``language``        ``languages`` (sorted, common ones)     the opportunity names languages
``urgent``          ``hours`` (int, until start),           urgency > 0
                    ``open_places`` (int)
==================  =====================================  ====================================

Near-miss codes (what is missing) are the rule codes of :mod:`matching.rules`:
``no_open_place``, ``no_location``, ``beyond_radius`` (``km_over``), ``missing_skill``
(``skill``), ``no_common_slot`` (``slots``), ``no_common_language`` (``languages``),
``adults_only``.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from matching.encoding import popcount
from matching.model import Opportunity, Volunteer, slot_names
from matching.rules import Reason, distance_km, violations
from matching.scoring import (
    COMPONENTS,
    DEFAULT_WEIGHTS,
    Weights,
    causes_value,
    combine,
    distance_value,
    ratio_value,
    skills_value,
    urgency_value,
)


@dataclass(frozen=True, slots=True)
class Explanation:
    """Everything the web layer needs to show one pair.

    ``components`` are contributions (weight share x value) and add up to ``score``;
    ``values`` are the raw component values in [0, 1]; ``missing`` is empty for eligible pairs.
    """

    volunteer: str
    opportunity: str
    eligible: bool
    score: float
    components: dict[str, float]
    values: dict[str, float]
    reasons: list[Reason] = field(default_factory=list)
    missing: list[Reason] = field(default_factory=list)


def _related(
    volunteer: Volunteer, opportunity: Opportunity, skill_category: Mapping[str, str]
) -> list[Reason]:
    held = {skill_category[s] for s in volunteer.skills if s in skill_category}
    return [
        {"code": "related_skill", "skill": s, "category": skill_category[s]}
        for s in sorted(opportunity.optional_skills - volunteer.skills)
        if skill_category.get(s) in held
    ]


def reasons(
    volunteer: Volunteer,
    opportunity: Opportunity,
    *,
    km: float | None,
    urgency: float,
    skill_category: Mapping[str, str],
    now: datetime | None,
) -> list[Reason]:
    """The positive reason codes of a pair (see the module docstring for the list)."""
    out: list[Reason] = []
    wanted = opportunity.wanted_skills
    matched = len(wanted & volunteer.skills)
    if matched:  # "0 of 2 wanted skills" is no reason for a match; what is missing says it
        out.append({"code": "skills_matched", "matched": matched, "wanted": len(wanted)})
    if wanted:
        out.extend(_related(volunteer, opportunity, skill_category))
    if opportunity.remote:
        out.append({"code": "remote"})
    elif km is not None and math.isfinite(km):
        out.append({"code": "distance", "km": round(km, 1)})
    if opportunity.slots:
        common = opportunity.slots & volunteer.availability
        if common:
            out.append({"code": "fits_slot", "slots": slot_names(common)})
    shared = opportunity.causes & volunteer.causes
    if shared:
        out.append({"code": "shared_cause", "causes": sorted(shared)})
    if opportunity.languages:
        spoken = opportunity.languages & volunteer.languages
        if spoken:
            out.append({"code": "language", "languages": sorted(spoken)})
    if urgency > 0 and now is not None and opportunity.starts_at is not None:
        hours = int((opportunity.starts_at - now).total_seconds() // 3600)
        out.append({"code": "urgent", "hours": hours, "open_places": opportunity.capacity})
    return out


def component_values(
    volunteer: Volunteer,
    opportunity: Opportunity,
    *,
    weights: Weights = DEFAULT_WEIGHTS,
    skill_category: Mapping[str, str] | None = None,
    now: datetime | None = None,
) -> dict[str, float]:
    """Scalar reference of the component values (the vectorised kernels must agree)."""
    cats = skill_category or {}
    km = distance_km(volunteer, opportunity)
    held_required = len(opportunity.required_skills & volunteer.skills)
    matched = len(opportunity.optional_skills & volunteer.skills)
    related = len(_related(volunteer, opportunity, cats))
    starts = np.array(
        [np.nan if opportunity.starts_at is None else opportunity.starts_at.timestamp()]
    )
    one = np.ones(1, dtype=np.int64)
    km_value = np.inf if km is None else km
    i64 = np.int64
    values = {
        "skills": skills_value(
            i64(held_required),
            i64(matched),
            i64(related),
            i64(len(opportunity.wanted_skills)),
            weights,
        ),
        "distance": distance_value(np.float64(km_value), opportunity.remote, weights),
        "availability": ratio_value(
            popcount(np.array([opportunity.slots & volunteer.availability]))[0],
            i64(opportunity.slots.bit_count()),
        ),
        "causes": causes_value(
            i64(len(opportunity.causes & volunteer.causes)),
            i64(len(volunteer.causes)),
            i64(len(opportunity.causes)),
            weights,
        ),
        "language": ratio_value(
            i64(len(opportunity.languages & volunteer.languages)), i64(len(opportunity.languages))
        ),
        "urgency": urgency_value(
            starts, one * opportunity.filled, one * opportunity.capacity, now, weights
        )[0],
    }
    return {c: float(values[c]) for c in COMPONENTS}


def explain(
    volunteer: Volunteer,
    opportunity: Opportunity,
    *,
    weights: Weights = DEFAULT_WEIGHTS,
    skill_category: Mapping[str, str] | None = None,
    now: datetime | None = None,
) -> Explanation:
    """Explain any pair, eligible or not: its (would-be) score, components, reasons, what's missing.

    For an ineligible pair the score is what the pair would score if the failed rules were
    waived, so a near miss can be shown next to real matches.
    """
    values = component_values(
        volunteer, opportunity, weights=weights, skill_category=skill_category, now=now
    )
    contributions, score = combine(
        {c: np.asarray(v, dtype=np.float64) for c, v in values.items()}, weights
    )
    missing = violations(volunteer, opportunity)
    return Explanation(
        volunteer=volunteer.id,
        opportunity=opportunity.id,
        eligible=not missing,
        score=float(score),
        components={c: float(v) for c, v in contributions.items()},
        values=values,
        reasons=reasons(
            volunteer,
            opportunity,
            km=distance_km(volunteer, opportunity),
            urgency=values["urgency"],
            skill_category=skill_category or {},
            now=now,
        ),
        missing=missing,
    )
