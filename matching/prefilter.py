"""A compiled pre-filter for ``top_k`` candidate generation: which pairs *may* be among a
volunteer's K best, so that only those few are scored exactly.

On dense cities nearly every volunteer can reach thousands of opportunities and keeps 50, so the
exact numpy kernel (:func:`~matching.batch_scores.opportunity_scores`) spent about 200 ns per
eligible pair on pairs that were thrown away. This module walks the pairs once in a compiled loop
(numba, ``nogil`` so plain threads share the cores: no fork, no threading layer, safe inside a
threaded server), volunteer by volunteer, over a grid of the opportunities, and keeps per
volunteer every pair whose *approximate* score is within :data:`MARGIN` of the K-th best
approximate score seen (plus every pair whose eligibility sits on the radius boundary).

Why the result stays exact: the approximate score differs from the exact one by far less than
1e-9 (same rules on the same integers; only the floating-point formulas differ: chord length
instead of haversine, ``exp`` instead of ``power``, a precomputed reciprocal instead of a
division, a base plus a share instead of a select). A pair in the exact top K has
fewer than K pairs with a strictly better key (score in millionths, then opportunity rank); a
pair whose approximate score is more than 1e-6 + 2e-9 below the K-th best approximate score has
at least K pairs whose exact scores are more than 1e-6 higher, so a strictly better rounded score.
So the survivors are a superset of the exact top K, and :mod:`matching.candidates` scores them
with the exact kernel and cuts them to K: bit for bit what scoring every pair would give
(``tests/matching/test_candidates.py`` compares both).
"""

import math
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matching.geo import EARTH_RADIUS_KM, BoolArray, FloatArray, IntArray
from matching.index import VolunteerIndex
from matching.model import Opportunity
from matching.scoring import COMPONENTS, Weights
from matching.topk_kernel import survivors_of

U64Array = npt.NDArray[np.uint64]
I32Array = npt.NDArray[np.int32]

#: Score margin below the running K-th best: covers rounding to millionths (1e-6) plus twice the
#: approximation error (< 1e-9) with room to spare.
MARGIN = 4e-6
#: A pair this close to a volunteer's radius (km) is kept without counting towards the K-th
#: best: the exact kernel decides its eligibility.
BOUNDARY_KM = 1e-7
#: Opportunity grid cell edge.
CELL_KM = 2.0
#: Volunteers per thread task (small enough to balance, large enough to amortise).
CHUNK = 2048


@dataclass(frozen=True, slots=True)
class _Volunteers:
    """The index's volunteers (grid order) as the flat arrays the kernel reads."""

    x: FloatArray
    y: FloatArray
    z: FloatArray
    lat: FloatArray
    located: BoolArray
    max_km: FloatArray
    skills: U64Array  # (n, words) over :func:`_skill_vocabulary`
    related: U64Array  # skills sharing a category with a skill the volunteer holds
    languages: U64Array
    causes: U64Array
    n_causes: IntArray
    slots: IntArray
    adult: BoolArray


@dataclass(frozen=True, slots=True)
class _Opportunities:
    """The possible opportunities (in :class:`_Grid` order) as flat arrays, their bitsets over
    the *volunteers'* vocabularies as (words, m): the kernel's loops run along one word of
    consecutive opportunities. Counts are kept as the floats and flags the score needs
    (reciprocals instead of divisions: the approximation stays far below 1e-9)."""

    x: FloatArray  # NaN when remote
    y: FloatArray
    z: FloatArray
    remote: BoolArray
    required: U64Array  # (words, m) over :func:`_skill_vocabulary`
    optional: U64Array
    # skills = skill_base + (matched + related_credit x related) x inv_wanted: n_required /
    # wanted and 1 / wanted, or 1 and 0 when nothing is wanted. Likewise availability and
    # language: a base (1 when nothing is named) plus a count times a factor.
    skill_base: FloatArray
    inv_wanted: FloatArray
    slots: IntArray
    no_slots: BoolArray
    slot_base: FloatArray
    inv_slots: FloatArray
    adults_only: BoolArray
    languages: U64Array  # (words, m)
    no_language: BoolArray
    language_base: FloatArray  # 1 unless it names two or more: then a share
    inv_languages: FloatArray
    causes: U64Array  # (words, m)
    has_cause: FloatArray  # 1.0 when it names a cause
    urgency: FloatArray


def _pack(cols: BoolArray, words: int = 0) -> U64Array:
    """Boolean membership columns (vocabulary, n) as bitsets (n, words) (at least ``words``)."""
    n_vocab, n = cols.shape
    out = np.zeros((n, max(1, words, (n_vocab + 63) // 64)), dtype=np.uint64)
    for bit in range(n_vocab):
        out[:, bit >> 6] |= cols[bit].astype(np.uint64) << np.uint64(bit & 63)
    return out


def _bits(names: Sequence[frozenset[str]], vocab: dict[str, int], words: int) -> U64Array:
    out = np.zeros((len(names), words), dtype=np.uint64)
    for j, chosen in enumerate(names):
        for name in chosen:
            bit = vocab.get(name)
            if bit is not None:
                out[j, bit >> 6] |= np.uint64(1) << np.uint64(bit & 63)
    return out


def _unit(lat: FloatArray, lon: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    with np.errstate(invalid="ignore"):
        c = np.cos(lat)
        return c * np.cos(lon), c * np.sin(lon), np.sin(lat)


def _skill_vocabulary(
    index: VolunteerIndex, opportunities: Sequence[Opportunity]
) -> dict[str, int]:
    """The volunteers' skills (same bits as the index) and then the optional skills nobody
    holds: with a bit for every optional skill, "held" and "related" are one AND each, so the
    kernel needs no loop over an opportunity's optional skills."""
    vocab = dict(index.skill_vocab)
    for o in opportunities:
        for skill in sorted(o.optional_skills):
            vocab.setdefault(skill, len(vocab))
    return vocab


def _related(index: VolunteerIndex, vocab: dict[str, int], words: int) -> U64Array:
    """Per volunteer (grid order), the skills of ``vocab`` in a category of a skill held."""
    by_category = np.zeros((max(1, len(index.category_vocab)), words), dtype=np.uint64)
    for skill, bit in vocab.items():
        cat = index.category_vocab.get(index.skill_category.get(skill, ""))
        if cat is not None:
            by_category[cat, bit >> 6] |= np.uint64(1) << np.uint64(bit & 63)
    out = np.zeros((len(index), words), dtype=np.uint64)
    for cat in range(len(index.category_vocab)):
        out[index.category_cols[cat]] |= by_category[cat]
    return out


def _volunteers(index: VolunteerIndex, vocab: dict[str, int]) -> _Volunteers:
    x, y, z = _unit(index.lat, index.lon)
    words = max(1, (len(vocab) + 63) // 64)
    return _Volunteers(
        x=x,
        y=y,
        z=z,
        lat=index.lat,
        located=index.located,
        max_km=index.max_km,
        skills=_pack(index.skill_cols, words),
        related=_related(index, vocab, words),
        languages=_pack(index.language_cols),
        causes=_pack(index.cause_cols),
        n_causes=index.n_causes,
        slots=index.slots,
        adult=index.adult,
    )


@dataclass(frozen=True, slots=True)
class _Grid:
    """Located opportunities by grid cell: the kernel's opportunities are in this order (each
    cell one contiguous run, the remote ones last), so its inner loop reads memory in sequence."""

    order: IntArray  # kernel position -> position in the caller's sequence
    lat0: float
    lon0: float
    step_lat: float
    step_lon: float
    rows: int
    cols: int
    cell_ptr: IntArray  # kernel positions of cell c: cell_ptr[c]:cell_ptr[c + 1]
    remote_from: int  # kernel positions of the remote opportunities: remote_from:m
    # Unit vectors of the cell centres, computed once instead of per (volunteer, cell).
    centre_x: FloatArray
    centre_y: FloatArray
    centre_z: FloatArray
    top_urgency: float  # the largest urgency of a located opportunity (bounds whole cells)


def _grid(opportunities: Sequence[Opportunity], possible: BoolArray, urgency: FloatArray) -> _Grid:
    """The grid; within each cell (and among the remote ones) the most urgent opportunity
    first, so the kernel's bound on the urgency ends a cell's loop instead of skipping one
    opportunity at a time (the order of visits changes which pairs survive, never whether the
    exact top K is among them)."""
    lat = np.radians([np.nan if o.lat is None else o.lat for o in opportunities]).astype(float)
    lon = np.radians([np.nan if o.lon is None else o.lon for o in opportunities]).astype(float)
    located = ~np.isnan(lat)
    step_lat = CELL_KM / EARTH_RADIUS_KM
    where = np.flatnonzero(located & possible)
    remote = np.flatnonzero(~located & possible)
    remote = remote[np.argsort(-urgency[remote], kind="stable")]
    if not where.shape[0]:
        none = np.zeros(1)
        return _Grid(
            remote,
            0.0,
            0.0,
            step_lat,
            step_lat,
            1,
            1,
            np.zeros(2, np.int64),
            0,
            none,
            none,
            none,
            0.0,
        )
    lat0, lon0 = float(lat[where].min()), float(lon[where].min())
    widest = float(np.abs(lat[where]).max())
    step_lon = step_lat / max(math.cos(widest), 0.05)
    extent_lat = float(lat[where].max()) - lat0
    extent_lon = float(lon[where].max()) - lon0
    # Far-flung inputs get coarser cells rather than a huge grid.
    while (extent_lat / step_lat + 1) * (extent_lon / step_lon + 1) > 4_000_000:
        step_lat, step_lon = step_lat * 2, step_lon * 2
    rows = int(extent_lat / step_lat) + 1
    cols = int(extent_lon / step_lon) + 1
    r = np.minimum(((lat[where] - lat0) / step_lat).astype(np.int64), rows - 1)
    c = np.minimum(((lon[where] - lon0) / step_lon).astype(np.int64), cols - 1)
    cell = r * cols + c
    by_cell = np.lexsort((-urgency[where], cell))
    cell_ptr = np.zeros(rows * cols + 1, dtype=np.int64)
    np.cumsum(np.bincount(cell, minlength=rows * cols), out=cell_ptr[1:])
    order = np.concatenate([where[by_cell], remote])
    cells = np.arange(rows * cols, dtype=np.int64)
    centre_lat: FloatArray = lat0 + ((cells // cols).astype(np.float64) + 0.5) * step_lat
    centre_lon: FloatArray = lon0 + ((cells % cols).astype(np.float64) + 0.5) * step_lon
    cx, cy, cz = _unit(centre_lat, centre_lon)
    return _Grid(
        order,
        lat0,
        lon0,
        step_lat,
        step_lon,
        rows,
        cols,
        cell_ptr,
        where.shape[0],
        cx,
        cy,
        cz,
        float(urgency[where].max()),
    )


def _opportunities(
    index: VolunteerIndex,
    opportunities: Sequence[Opportunity],
    urgency: FloatArray,
    vocab: dict[str, int],
) -> tuple[_Opportunities, _Grid]:
    possible = np.array(
        [
            o.capacity >= 1
            and all(s in index.skill_vocab for s in o.required_skills)
            and (not o.languages or any(lang in index.language_vocab for lang in o.languages))
            for o in opportunities
        ],
        dtype=np.bool_,
    )
    grid = _grid(opportunities, possible, urgency)
    items = [opportunities[i] for i in grid.order.tolist()]
    skill_words = max(1, (len(vocab) + 63) // 64)
    language_words = max(1, (len(index.language_vocab) + 63) // 64)
    cause_words = max(1, (len(index.cause_vocab) + 63) // 64)
    lat = np.radians([np.nan if o.lat is None else o.lat for o in items]).astype(float)
    lon = np.radians([np.nan if o.lon is None else o.lon for o in items]).astype(float)
    x, y, z = _unit(lat, lon)
    n_required = np.array([len(o.required_skills) for o in items], dtype=np.float64)
    n_wanted = np.array([len(o.wanted_skills) for o in items], dtype=np.float64)
    n_slots = np.array([o.slots.bit_count() for o in items], dtype=np.float64)
    n_languages = np.array([len(o.languages) for o in items], dtype=np.float64)

    def across(bits: U64Array) -> U64Array:
        return np.ascontiguousarray(bits.T)

    none_wanted, none_slots, many_languages = n_wanted == 0, n_slots == 0, n_languages > 1
    return (
        _Opportunities(
            x=x,
            y=y,
            z=z,
            remote=np.isnan(lat),
            required=across(_bits([o.required_skills for o in items], vocab, skill_words)),
            optional=across(_bits([o.optional_skills for o in items], vocab, skill_words)),
            skill_base=np.where(none_wanted, 1.0, n_required / np.maximum(n_wanted, 1.0)),
            inv_wanted=np.where(none_wanted, 0.0, 1.0 / np.maximum(n_wanted, 1.0)),
            slots=np.array([o.slots for o in items], dtype=np.int64),
            no_slots=none_slots,
            slot_base=np.where(none_slots, 1.0, 0.0),
            inv_slots=np.where(none_slots, 0.0, 1.0 / np.maximum(n_slots, 1.0)),
            adults_only=np.array([o.adults_only for o in items], dtype=np.bool_),
            languages=across(
                _bits([o.languages for o in items], index.language_vocab, language_words)
            ),
            no_language=n_languages == 0,
            language_base=np.where(many_languages, 0.0, 1.0),
            inv_languages=np.where(many_languages, 1.0 / np.maximum(n_languages, 1.0), 0.0),
            causes=across(_bits([o.causes for o in items], index.cause_vocab, cause_words)),
            has_cause=np.array([1.0 if o.causes else 0.0 for o in items], dtype=np.float64),
            urgency=np.ascontiguousarray(urgency[grid.order], dtype=np.float64),
        ),
        grid,
    )


def survivors(
    index: VolunteerIndex,
    opportunities: Sequence[Opportunity],
    urgency: FloatArray,
    weights: Weights,
    top_k: int,
    *,
    workers: int = 1,
) -> tuple[IntArray, IntArray]:
    """Pairs that may be among each volunteer's ``top_k`` best: (grid positions of volunteers,
    positions of opportunities), a superset of the exact top K (see the module docstring)."""
    n = len(index)
    if n == 0 or not opportunities:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    vocab = _skill_vocabulary(index, opportunities)
    v = _volunteers(index, vocab)
    o, g = _opportunities(index, opportunities, urgency, vocab)
    vs = (
        v.x,
        v.y,
        v.z,
        v.lat,
        v.located,
        v.max_km,
        v.skills,
        v.related,
        v.languages,
        v.causes,
        v.n_causes,
        v.slots,
        v.adult,
    )
    os_ = (
        o.x,
        o.y,
        o.z,
        o.remote,
        o.required,
        o.optional,
        o.skill_base,
        o.inv_wanted,
        o.slots,
        o.no_slots,
        o.slot_base,
        o.inv_slots,
        o.adults_only,
        o.languages,
        o.no_language,
        o.language_base,
        o.inv_languages,
        o.causes,
        o.has_cause,
        o.urgency,
    )
    grid = (
        g.lat0,
        g.lon0,
        g.step_lat,
        g.step_lon,
        g.rows,
        g.cols,
        g.cell_ptr,
        g.remote_from,
        g.centre_x,
        g.centre_y,
        g.centre_z,
        g.top_urgency,
    )
    shares = tuple(float(weights.share(c)) for c in COMPONENTS)
    params = (
        float(weights.related_credit),
        float(weights.cause_unknown),
        float(weights.distance_half_life_km),
        float(weights.remote_credit),
        MARGIN,
        BOUNDARY_KM,
    )

    def run(only: IntArray, width: int) -> tuple[IntArray, IntArray, IntArray]:
        """(volunteer, opportunity) survivors of the volunteers in ``only``; with the counts."""
        counts = np.zeros(only.shape[0], dtype=np.int64)
        out = np.empty((only.shape[0], width), dtype=np.int32)
        chunks = range(0, only.shape[0], CHUNK)

        def one(lo: int) -> None:
            hi = min(lo + CHUNK, only.shape[0])
            survivors_of(lo, hi, vs, os_, grid, shares, params, top_k, width, only, counts, out)

        threads = max(1, min(workers, len(chunks)))
        if threads == 1:
            for lo in chunks:
                one(lo)
        else:
            with ThreadPoolExecutor(threads) as pool:
                list(pool.map(one, chunks))
        take = np.minimum(counts, width)
        vol = np.repeat(only, take)
        opp = out[np.arange(width) < take[:, None]].astype(np.int64)
        return vol, opp, counts

    everyone = np.arange(n, dtype=np.int64)
    vol, opp, counts = run(everyone, 2 * top_k)
    # Volunteers with more ties near their K-th best than fit: once more, with room for all.
    over = np.flatnonzero(counts > 2 * top_k)
    if over.shape[0]:
        more_vol, more_opp, _ = run(over, int(counts[over].max()))
        keep = ~np.isin(vol, over)
        vol = np.concatenate([vol[keep], more_vol])
        opp = np.concatenate([opp[keep], more_opp])
    return vol, g.order[opp]
