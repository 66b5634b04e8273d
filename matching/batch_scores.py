"""Scores of many pairs at once over a :class:`~matching.index.VolunteerIndex`: what candidate
generation needs, without the per-component values and explanations of
:meth:`~matching.index.VolunteerIndex.evaluate`.

Two shapes of work: one opportunity against every volunteer it may take
(:func:`opportunity_scores`, the generation of all eligible pairs), and given (volunteer,
opportunity) pairs across many opportunities (:func:`pair_scores`, the pre-filter's survivors).
Both use the functions of :mod:`matching.scoring` on the same integer dtypes in the same order
of additions, so a pair scores bit for bit the same whichever way it is looked up.
"""

from collections.abc import Mapping, Sequence
from typing import Any

import numba
import numpy as np

from matching.encoding import popcount
from matching.geo import BoolArray, FloatArray, IntArray, haversine_rad
from matching.index import VolunteerIndex
from matching.model import Opportunity
from matching.scoring import Weights, causes_value, ratio_value, skills_value


def opportunity_scores(
    index: VolunteerIndex,
    opportunity: Opportunity,
    *,
    weights: Weights,
    urgency: float,
    ordered: bool = True,
    at: IntArray | None = None,
) -> tuple[IntArray, FloatArray]:
    """The volunteers eligible for ``opportunity`` and their scores only, faster than
    :meth:`~matching.index.VolunteerIndex.evaluate`.

    Bit for bit the score :func:`~matching.scoring.combine` gives for ``evaluate``'s values
    (same functions, same dtypes, same order of additions); components that are the same for
    every volunteer of this opportunity are computed once, as scalars. ``urgency`` is the
    opportunity's urgency value (see :func:`~matching.scoring.opportunity_urgency`). Rows are
    positions in ``index.items``, ascending unless ``ordered`` is false. ``at`` restricts the
    query to those grid-order positions (see :meth:`~matching.index.VolunteerIndex.reach`).
    """
    found = index.reach(opportunity, at)
    if found is None:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    rows, km = found
    k = rows.shape[0]
    n_req = np.int64(len(opportunity.required_skills))
    wanted = n_req + np.int64(len(opportunity.optional_skills))
    skills: FloatArray | np.float64
    if opportunity.optional_skills:
        matched = np.zeros(k, dtype=np.int64)
        related = np.zeros(k, dtype=np.int64)
        for skill in opportunity.optional_skills:
            col = index.skill_vocab.get(skill)
            if col is not None:
                held = index.skill_cols[col][rows]
                matched += held
            else:
                held = np.zeros(k, dtype=np.bool_)
            cat = index.category_vocab.get(index.skill_category.get(skill, ""), None)
            if cat is not None:
                related += index.category_cols[cat][rows] & ~held
        skills = skills_value(n_req, matched, related, wanted, weights)
    else:
        skills = skills_value(n_req, np.int64(0), np.int64(0), wanted, weights)[()]
    distance: FloatArray | float
    if opportunity.remote:
        distance = weights.remote_credit
    else:
        distance = np.power(0.5, np.divide(km, weights.distance_half_life_km))
    n_slots = np.int64(opportunity.slots.bit_count())
    availability: FloatArray | np.float64
    if n_slots:
        availability = ratio_value(popcount(index.slots[rows] & opportunity.slots), n_slots)
    else:
        availability = np.float64(1.0)
    causes: FloatArray | float
    if opportunity.causes:
        shared = np.zeros(k, dtype=np.int64)
        for cause in opportunity.causes:
            if cause in index.cause_vocab:
                shared += index.cause_cols[index.cause_vocab[cause]][rows]
        causes = causes_value(
            shared, index.n_causes[rows], np.int64(len(opportunity.causes)), weights
        )
    else:
        causes = weights.cause_unknown
    language: FloatArray | np.float64
    if len(opportunity.languages) > 1:
        speaks = np.zeros(k, dtype=np.int64)
        for lang in opportunity.languages:
            if lang in index.language_vocab:
                speaks += index.language_cols[index.language_vocab[lang]][rows]
        language = ratio_value(speaks, np.int64(len(opportunity.languages)))
    else:
        # Nothing named, or one language every eligible volunteer speaks: the value is 1.
        language = np.float64(1.0)
    score = np.multiply(skills, weights.share("skills"))
    score = score + np.multiply(distance, weights.share("distance"))
    score = score + np.multiply(availability, weights.share("availability"))
    score = score + np.multiply(causes, weights.share("causes"))
    score = score + np.multiply(language, weights.share("language"))
    score = score + np.multiply(urgency, weights.share("urgency"))
    out: FloatArray = (
        score
        if isinstance(score, np.ndarray) and score.shape == (k,)
        else np.full(k, score, dtype=np.float64)
    )
    rows = index.order[rows]
    if ordered:
        by_row = np.argsort(rows)
        rows, out = rows[by_row], out[by_row]
    return rows, out


def pair_scores(
    index: VolunteerIndex,
    opportunities: Sequence[Opportunity],
    at: IntArray,
    opp: IntArray,
    *,
    weights: Weights,
    urgency: FloatArray,
) -> tuple[IntArray, FloatArray]:
    """Exact scores of given pairs, all opportunities at once: bit for bit what
    :func:`opportunity_scores` gives each of them (the same functions on the same values, element by
    element; ``cos`` of an opportunity's latitude is taken per opportunity, as there).

    For the pre-filter's survivors (:mod:`matching.prefilter`), which pass every rule but
    the distance: that one is decided here, exactly. ``at`` are grid-order positions,
    ``opp`` positions in ``opportunities``, ``urgency`` per opportunity. Returns the
    positions (into ``at``/``opp``) of the pairs within reach and their scores.
    """
    m = len(opportunities)
    olat = np.full(m, np.nan)
    olon = np.full(m, np.nan)
    cos_olat = np.full(m, np.nan)
    for q, o in enumerate(opportunities):
        if o.lat is not None and o.lon is not None:
            olat[q], olon[q] = np.radians(o.lat), np.radians(o.lon)
            cos_olat[q] = np.cos(olat[q])
    n_req = np.array([len(o.required_skills) for o in opportunities], dtype=np.int64)
    wanted = n_req + np.array([len(o.optional_skills) for o in opportunities], dtype=np.int64)
    o_slots = np.array([o.slots for o in opportunities], dtype=np.int64)
    n_slots = popcount(o_slots)
    n_causes = np.array([len(o.causes) for o in opportunities], dtype=np.int64)
    n_langs = np.array([len(o.languages) for o in opportunities], dtype=np.int64)
    optional = _Lists(
        [o.optional_skills for o in opportunities],
        index.skill_vocab,
        index.category_vocab,
        index.skill_category,
    )
    causes = _Lists([o.causes for o in opportunities], index.cause_vocab)
    languages = _Lists([o.languages for o in opportunities], index.language_vocab)
    keep: list[IntArray] = []
    out: list[FloatArray] = []
    for lo in range(0, at.shape[0], _PAIR_CHUNK):
        a, j = at[lo : lo + _PAIR_CHUNK], opp[lo : lo + _PAIR_CHUNK]
        remote = np.isnan(olat[j])
        km = np.full(a.shape[0], np.nan)
        located = np.flatnonzero(~remote)
        km[located] = haversine_rad(
            index.lat[a[located]],
            index.lon[a[located]],
            olat[j[located]],
            olon[j[located]],
            cos_lat2=cos_olat[j[located]],
        )
        near = remote | (km <= index.max_km[a])
        a, j, km, remote = a[near], j[near], km[near], remote[near]
        matched, related = optional.held(index.skill_cols, a, j, index.category_cols)
        skills = skills_value(n_req[j], matched, related, wanted[j], weights)
        distance = np.where(
            remote,
            weights.remote_credit,
            np.power(0.5, np.divide(np.nan_to_num(km), weights.distance_half_life_km)),
        )
        availability = ratio_value(popcount(index.slots[a] & o_slots[j]), n_slots[j])
        shared, _ = causes.held(index.cause_cols, a, j)
        cause = causes_value(shared, index.n_causes[a], n_causes[j], weights)
        speaks, _ = languages.held(index.language_cols, a, j)
        language = np.where(n_langs[j] > 1, ratio_value(speaks, n_langs[j]), 1.0)
        score = np.multiply(skills, weights.share("skills"))
        score = score + np.multiply(distance, weights.share("distance"))
        score = score + np.multiply(availability, weights.share("availability"))
        score = score + np.multiply(cause, weights.share("causes"))
        score = score + np.multiply(language, weights.share("language"))
        score = score + np.multiply(urgency[j], weights.share("urgency"))
        keep.append(lo + np.flatnonzero(near))
        out.append(score)
    if not keep:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    return np.concatenate(keep), np.concatenate(out)


#: Pairs scored at once by :func:`pair_scores`: small enough that each temporary array (1 MB)
#: stays in the processor's cache between the ufuncs that write and read it (dense-M's
#: survivors four times over: 0.67 CPU-s at 2^17 pairs, 1.07-1.23 at 2^21).
_PAIR_CHUNK = 1 << 17


class _Lists:
    """Each opportunity's named items (optional skills, causes, languages) as compressed rows
    of column numbers in the volunteers' vocabulary (-1: nobody has it), with the category
    column of each item when categories count (optional skills: "related")."""

    def __init__(
        self,
        sets: Sequence[frozenset[str]],
        vocab: Mapping[str, int],
        category_vocab: Mapping[str, int] | None = None,
        category_of: Mapping[str, str] | None = None,
    ) -> None:
        names = [sorted(x) for x in sets]
        self.ptr = np.zeros(len(names) + 1, dtype=np.int64)
        np.cumsum([len(x) for x in names], out=self.ptr[1:])
        flat = [n for x in names for n in x]
        self.col = np.array([vocab.get(n, -1) for n in flat], dtype=np.int64)
        cats = category_vocab or {}
        of = category_of or {}
        self.cat = np.array([cats.get(of.get(n, ""), -1) for n in flat], dtype=np.int64)

    def held(
        self, cols: BoolArray, at: IntArray, opp: IntArray, category_cols: BoolArray | None = None
    ) -> tuple[IntArray, IntArray]:
        """Per pair: how many of the opportunity's items the volunteer has, and (with
        ``category_cols``) how many of the others share a category with one held."""
        related = category_cols is not None
        return _count_held(
            self.ptr, self.col, self.cat, cols, at, opp, category_cols if related else cols, related
        )


@numba.njit(cache=True, nogil=True)
def _count_held(  # pragma: no cover - compiled
    ptr: Any,
    col: Any,
    cat: Any,
    cols: Any,
    at: Any,
    opp: Any,
    category_cols: Any,
    related: bool,
) -> tuple[Any, Any]:
    """:meth:`_Lists.held` pair by pair: integer counts, so compiled they are the same numbers
    (the scores' floating-point formulas stay in numpy), at a fraction of the cost of the
    flattened numpy version (a repeat, two gathers and a bincount per list)."""
    n = at.shape[0]
    held = np.zeros(n, dtype=np.int64)
    near = np.zeros(n, dtype=np.int64)
    for k in range(n):
        who, j = at[k], opp[k]
        h, r = 0, 0
        for item in range(ptr[j], ptr[j + 1]):
            c = col[item]
            if c >= 0 and cols[c, who]:
                h += 1
            elif related and cat[item] >= 0 and category_cols[cat[item], who]:
                r += 1
        held[k] = h
        near[k] = r
    return held, near
