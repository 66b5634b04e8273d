"""The optimised candidate generation returns exactly what the straightforward one returns.

The straightforward generation: every (volunteer, opportunity) pair checked with the scalar rule
(:func:`matching.rules.is_eligible`), scored through :meth:`VolunteerIndex.evaluate` and
:func:`matching.scoring.combine` (themselves checked against the scalar reference in
``test_rank.py``), and, with ``top_k``, each volunteer's pairs sorted in plain Python by
(score in millionths descending, opportunity id) and cut at K. The optimised one must give the
same pairs, in the same order, with bit-identical scores.
"""

import dataclasses
import random
from datetime import datetime

import numpy as np
import pytest

from matching.candidates import Candidates, candidate_pairs
from matching.index import VolunteerIndex
from matching.model import Opportunity, Volunteer
from matching.rules import is_eligible
from matching.scoring import DEFAULT_WEIGHTS, Weights, combine

from .factories import CATEGORY, NOW, instance


def straightforward(
    vols: list[Volunteer],
    opps: list[Opportunity],
    top_k: int | None,
    weights: Weights = DEFAULT_WEIGHTS,
    now: datetime | None = NOW,
) -> Candidates:
    index = VolunteerIndex(vols, skill_category=CATEGORY)
    found: list[tuple[int, int, float]] = []
    for j, o in enumerate(opps):
        ev = index.evaluate(o, weights=weights, now=now)
        assert ev.rows.tolist() == [i for i, v in enumerate(vols) if is_eligible(v, o)]
        if ev.rows.shape[0]:
            _, score = combine(ev.values, weights)
            found += [(int(i), j, float(s)) for i, s in zip(ev.rows, score, strict=True)]
    if top_k is not None:
        found.sort(key=lambda p: (p[0], -round(p[2] * 1_000_000), opps[p[1]].id))
        seen: dict[int, int] = {}
        kept = []
        for p in found:
            seen[p[0]] = seen.get(p[0], 0) + 1
            if seen[p[0]] <= top_k:
                kept.append(p)
        found = kept
    return Candidates(
        np.array([p[0] for p in found], dtype=np.int64),
        np.array([p[1] for p in found], dtype=np.int64),
        np.array([p[2] for p in found], dtype=np.float64),
    )


def assert_identical(ours: Candidates, ref: Candidates) -> None:
    for name in ("volunteer", "opportunity", "score"):
        a, b = getattr(ours, name), getattr(ref, name)
        assert a.dtype == b.dtype, name
        assert np.array_equal(a, b), name  # bit for bit, not approximately


def spread_out(seed: int, n_vol: int, n_opp: int) -> tuple[list[Volunteer], list[Opportunity]]:
    """Wide areas and radii from 0 to 60 km, so the grid's radius bands all matter, and
    duplicated opportunities under other ids (shuffled in), so scores tie and ids decide."""
    vols, opps = instance(seed, n_vol, n_opp)
    rng = random.Random(seed)

    def moved(lat: float | None, lon: float | None) -> dict[str, float | None]:
        if lat is None or lon is None:
            return {}
        return {"lat": lat + rng.uniform(-0.5, 0.5), "lon": lon + rng.uniform(-0.8, 0.8)}

    vols = [
        dataclasses.replace(
            v, **moved(v.lat, v.lon), max_km=rng.choice([0.0, 0.3, 1.0, 4.0, 15.0, 60.0])
        )
        for v in vols
    ]
    opps = [dataclasses.replace(o, **moved(o.lat, o.lon)) for o in opps]
    opps += [dataclasses.replace(o, id=f"dup-{o.id}") for o in opps[: n_opp // 3]]
    rng.shuffle(opps)
    return vols, opps


@pytest.mark.parametrize("top_k", [None, 1, 3, 10])
@pytest.mark.parametrize("seed", range(4))
def test_candidates_equal_the_straightforward_generation(seed: int, top_k: int | None) -> None:
    vols, opps = instance(200 + seed, 150, 60)
    ours = candidate_pairs(vols, opps, skill_category=CATEGORY, now=NOW, top_k=top_k)
    assert_identical(ours, straightforward(vols, opps, top_k))


@pytest.mark.parametrize("top_k", [None, 2, 5])
@pytest.mark.parametrize("seed", range(3))
def test_candidates_equal_the_straightforward_generation_with_wide_radii_and_ties(
    seed: int, top_k: int | None
) -> None:
    vols, opps = spread_out(300 + seed, 200, 60)
    ours = candidate_pairs(vols, opps, skill_category=CATEGORY, now=NOW, top_k=top_k)
    ref = straightforward(vols, opps, top_k)
    assert len(ref) > 50
    assert_identical(ours, ref)


def test_candidates_with_other_weights_and_without_now() -> None:
    vols, opps = instance(7, 120, 50)
    weights = Weights(skills=0.2, distance=0.4, language=0.3, related_credit=0.25)
    for top_k in (None, 4):
        ours = candidate_pairs(
            vols, opps, skill_category=CATEGORY, weights=weights, now=None, top_k=top_k
        )
        assert_identical(ours, straightforward(vols, opps, top_k, weights, now=None))


def test_tight_top_k_budget_streams_through_several_compactions() -> None:
    # Few volunteers, many opportunities: pending pairs exceed K x volunteers many times over.
    vols, opps = instance(17, 12, 400)
    for top_k in (1, 2, 7):
        ours = candidate_pairs(vols, opps, skill_category=CATEGORY, now=NOW, top_k=top_k)
        assert_identical(ours, straightforward(vols, opps, top_k))


def reference_top_k(vols: list[Volunteer], opps: list[Opportunity], top_k: int) -> Candidates:
    """Each volunteer's K best from *every* eligible pair (no pre-filter), cut in plain Python:
    cheaper than :func:`straightforward` for a few thousand volunteers."""
    every = candidate_pairs(vols, opps, skill_category=CATEGORY, now=NOW)
    found = sorted(
        zip(
            every.volunteer.tolist(), every.opportunity.tolist(), every.score.tolist(), strict=True
        ),
        key=lambda p: (p[0], -round(p[2] * 1_000_000), opps[p[1]].id),
    )
    seen: dict[int, int] = {}
    kept = []
    for p in found:
        seen[p[0]] = seen.get(p[0], 0) + 1
        if seen[p[0]] <= top_k:
            kept.append(p)
    return Candidates(
        np.array([p[0] for p in kept], dtype=np.int64),
        np.array([p[1] for p in kept], dtype=np.int64),
        np.array([p[2] for p in kept], dtype=np.float64),
    )


def test_threads_give_the_single_thread_top_k_pair_for_pair() -> None:
    # More volunteers than one thread task holds (prefilter.CHUNK), so both threads work.
    vols, opps = instance(5, 4_500, 90)
    single = candidate_pairs(vols, opps, skill_category=CATEGORY, now=NOW, top_k=4)
    threaded = candidate_pairs(vols, opps, skill_category=CATEGORY, now=NOW, top_k=4, workers=2)
    assert_identical(threaded, single)
    assert_identical(threaded, reference_top_k(vols, opps, 4))


def test_ties_beyond_the_pre_filter_room_are_all_considered() -> None:
    # 300 copies of one opportunity tie exactly for every volunteer: far more pairs lie within
    # the pre-filter's margin than its first pass has room for, so it runs them again with more
    # room, and the ids decide as in the straightforward cut.
    vols, _ = instance(11, 20, 6)
    anyone = Opportunity("anyone", lat=51.48, lon=7.22, causes=frozenset({"children"}))
    copies = [dataclasses.replace(anyone, id=f"copy-{i:03d}") for i in range(300)]
    random.Random(3).shuffle(copies)
    ours = candidate_pairs(vols, copies, skill_category=CATEGORY, now=NOW, top_k=3)
    ref = straightforward(vols, copies, 3)
    assert len(ref) >= 2 * 3
    assert_identical(ours, ref)


def test_an_opportunity_exactly_at_the_radius_is_kept_and_one_beyond_is_not() -> None:
    from matching.geo import haversine_km

    place = Opportunity("place", lat=51.48, lon=7.22)
    at = haversine_km(51.5, 7.25, 51.48, 7.22)
    exactly = Volunteer("exactly", lat=51.5, lon=7.25, max_km=float(at), adult=True)
    short = Volunteer("short", lat=51.5, lon=7.25, max_km=float(np.nextafter(at, 0.0)), adult=True)
    ours = candidate_pairs([exactly, short], [place], now=NOW, top_k=1)
    assert ours.volunteer.tolist() == [0]
    assert_identical(ours, straightforward([exactly, short], [place], 1))


def test_many_opportunities_per_volunteer_on_two_threads() -> None:
    vols, opps = instance(5, 120, 600)
    threaded = candidate_pairs(vols, opps, skill_category=CATEGORY, now=NOW, top_k=4, workers=2)
    assert_identical(threaded, straightforward(vols, opps, 4))
