"""``assign`` is exactly optimal, feasible and eligible; fill fairly does what it says."""

import numpy as np
import pytest

from matching.assign import SCORE_SCALE, SolverError, assign, check_optimal, integer_scores, solve
from matching.candidates import Candidates, candidate_pairs
from matching.flow_kernel import arcs_by_need, shortest_paths
from matching.greedy import greedy
from matching.model import Opportunity, Volunteer
from matching.rules import is_eligible

from .factories import CATEGORY, NOW, instance
from .oracles import brute_force, flow_optimum, lp_optimum, matching_optimum


def capacities(vols: list[Volunteer], opps: list[Opportunity]) -> tuple[np.ndarray, np.ndarray]:
    return (
        np.array([v.capacity for v in vols], dtype=np.int64),
        np.array([o.capacity for o in opps], dtype=np.int64),
    )


@pytest.mark.parametrize("seed", range(6))
def test_assign_equals_the_linear_programming_optimum(seed: int) -> None:
    vols, opps = instance(seed, 120, 40)
    result = assign(vols, opps, skill_category=CATEGORY, now=NOW)
    w = integer_scores(result.candidates.score)
    vcap, ocap = capacities(vols, opps)
    assert len(result.candidates) > 100
    assert int(w[result.chosen].sum()) == round(lp_optimum(result.candidates, w, vcap, ocap))


@pytest.mark.parametrize("seed", range(4))
def test_assign_equals_scipy_bipartite_matching_for_single_capacity_volunteers(seed: int) -> None:
    vols, opps = instance(100 + seed, 80, 30, max_vol_capacity=1)
    result = assign(vols, opps, skill_category=CATEGORY, now=NOW)
    w = integer_scores(result.candidates.score)
    _, ocap = capacities(vols, opps)
    assert int(w[result.chosen].sum()) == round(
        matching_optimum(result.candidates, w, len(vols), ocap)
    )


@pytest.mark.parametrize("seed", range(40))
def test_assign_and_fill_fairly_equal_brute_force_on_tiny_instances(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_vol, n_opp, n_pairs = 4, 3, 9
    pairs = rng.choice(n_vol * n_opp, size=n_pairs, replace=False)
    c = Candidates(
        np.sort(pairs) // n_opp, np.sort(pairs) % n_opp, rng.integers(1, 10, n_pairs) / 10
    )
    vcap = rng.integers(0, 3, n_vol)
    ocap = rng.integers(0, 3, n_opp)
    w = integer_scores(c.score)
    chosen = solve(c, vcap, ocap)
    assert int(w[chosen].sum()) == brute_force(c, w, vcap, ocap)[1]
    fair = solve(c, vcap, ocap, fill_fairly=True)
    covered, total = brute_force(c, w, vcap, ocap, fair=True)
    assert len(set(c.opportunity[fair].tolist())) == covered
    assert int(w[fair].sum()) == total


def _blocks(seed: int) -> tuple[Candidates, np.ndarray, np.ndarray]:
    """Candidate pairs in five unconnected blocks of different sizes (cities apart) plus a few
    lone pairs, volunteers and opportunities of each block interleaved in numbering."""
    rng = np.random.default_rng(seed)
    n_blocks, n_vol, n_opp = 5, 200, 60
    vb, ob = rng.integers(0, n_blocks, n_vol), rng.integers(0, n_blocks, n_opp)
    pairs = [
        (v, o)
        for v in range(n_vol)
        for o in range(n_opp)
        if vb[v] == ob[o] and rng.random() < 0.3 + 0.1 * vb[v]
    ]
    vol, opp = (np.array(x, dtype=np.int64) for x in zip(*pairs, strict=True))
    c = Candidates(vol, opp, rng.integers(1, 1000, vol.shape[0]) / 1000)
    return c, rng.integers(0, 3, n_vol), rng.integers(0, 4, n_opp)


@pytest.mark.parametrize(("seed", "fair"), [(s, f) for s in range(4) for f in (False, True)])
def test_solve_equals_an_independent_min_cost_flow_on_cities_apart(seed: int, fair: bool) -> None:
    c, vcap, ocap = _blocks(seed)
    w = integer_scores(c.score)
    chosen = solve(c, vcap, ocap, fill_fairly=fair)
    covered, total = flow_optimum(c, w, vcap, ocap, fair=fair)
    assert int(w[chosen].sum()) == total
    if fair:  # without, coverage may differ between assignments of the same total
        assert np.unique(c.opportunity[chosen]).shape[0] == covered
    assert int(w[solve(c, vcap, ocap)].sum()) == round(lp_optimum(c, w, vcap, ocap))
    assert np.all(np.diff(chosen) > 0)
    assert np.all(np.bincount(c.volunteer[chosen], minlength=vcap.shape[0]) <= vcap)
    assert np.all(np.bincount(c.opportunity[chosen], minlength=ocap.shape[0]) <= ocap)


def _crowd(
    seed: int, n_vol: int, n_opp: int, per: int, vcap_range: tuple[int, int]
) -> tuple[Candidates, np.ndarray, np.ndarray]:
    """Each volunteer with ``per`` random needs, scores in steps of 1/40 (many ties)."""
    rng = np.random.default_rng(seed)
    vol = np.repeat(np.arange(n_vol), per)
    opp = np.concatenate([rng.choice(n_opp, per, replace=False) for _ in range(n_vol)])
    c = Candidates(vol, opp, rng.integers(0, 40, vol.shape[0]) / 40)
    return c, rng.integers(*vcap_range, n_vol), rng.integers(0, 6, n_opp)


def _assert_optimal_with_and_without_fill_fairly(
    c: Candidates, vcap: np.ndarray, ocap: np.ndarray
) -> None:
    w = integer_scores(c.score)
    for fair in (False, True):
        chosen = solve(c, vcap, ocap, fill_fairly=fair)
        covered, total = flow_optimum(c, w, vcap, ocap, fair=fair)
        assert int(w[chosen].sum()) == total
        if fair:
            assert np.unique(c.opportunity[chosen]).shape[0] == covered


@pytest.mark.parametrize("seed", range(3))
def test_many_volunteers_competing_for_few_places_get_the_optimum(seed: int) -> None:
    """The shape of a city: ten times the volunteers of the places, many ties in score, each
    volunteer with a few needs; long chains of people displacing each other."""
    c, vcap, ocap = _crowd(seed, 3000, 120, 6, (1, 3))
    assert vcap.sum() > ocap.sum()
    _assert_optimal_with_and_without_fill_fairly(c, vcap, ocap)


@pytest.mark.parametrize("seed", range(3))
def test_few_volunteers_for_many_places_get_the_optimum(seed: int) -> None:
    """The other way round (a narrow pool, many open places): the solver then routes the
    volunteers' units, except with fill fairly; the optimum is the same either way."""
    c, vcap, ocap = _crowd(50 + seed, 200, 300, 8, (0, 3))
    assert vcap.sum() < ocap.sum()
    _assert_optimal_with_and_without_fill_fairly(c, vcap, ocap)
    w = integer_scores(c.score)
    assert int(w[solve(c, vcap, ocap)].sum()) == round(lp_optimum(c, w, vcap, ocap))


def test_a_suboptimal_or_infeasible_assignment_fails_the_proof() -> None:
    """The check every solve ends with accepts the solver's prices with its own assignment and
    nothing worse: a greedy assignment, one pair dropped or one pair too many all raise."""
    c, vcap, ocap = _blocks(7)
    w = integer_scores(c.score)
    order, ptr = arcs_by_need(c.opportunity, ocap.shape[0])
    flow, potential, empty = shortest_paths(
        ptr, c.volunteer[order], c.opportunity[order], -w[order], vcap, ocap, 0
    )
    chosen = np.sort(order[flow > 0])
    check_optimal(c, chosen, vcap, ocap, potential, empty, bonus=0)
    worse = greedy(c, vcap, ocap)
    assert int(w[worse].sum()) < int(w[chosen].sum())
    taken = np.bincount(c.opportunity[worse], minlength=ocap.shape[0])
    with pytest.raises(SolverError):
        check_optimal(c, worse, vcap, ocap, potential, ocap - taken, bonus=0)
    dropped = chosen[1:]
    empty_after = empty.copy()
    empty_after[c.opportunity[chosen[0]]] += 1
    with pytest.raises(SolverError):
        check_optimal(c, dropped, vcap, ocap, potential, empty_after, bonus=0)
    with pytest.raises(SolverError):
        check_optimal(c, np.append(chosen, chosen[0]), vcap, ocap, potential, empty, bonus=0)


@pytest.mark.parametrize("fill_fairly", [False, True])
def test_capacities_are_never_exceeded_and_every_pair_is_eligible(fill_fairly: bool) -> None:
    vols, opps = instance(42, 150, 50)
    result = assign(vols, opps, skill_category=CATEGORY, now=NOW, fill_fairly=fill_fairly)
    by_id_v = {v.id: v for v in vols}
    by_id_o = {o.id: o for o in opps}
    per_v: dict[str, int] = {}
    per_o: dict[str, int] = {}
    for p in result.pairs:
        assert is_eligible(by_id_v[p.volunteer], by_id_o[p.opportunity])
        per_v[p.volunteer] = per_v.get(p.volunteer, 0) + 1
        per_o[p.opportunity] = per_o.get(p.opportunity, 0) + 1
    assert all(n <= by_id_v[v].capacity for v, n in per_v.items())
    assert all(n <= by_id_o[o].capacity for o, n in per_o.items())
    assert len({(p.volunteer, p.opportunity) for p in result.pairs}) == len(result.pairs)
    assert result.total_score == pytest.approx(sum(p.score for p in result.pairs))


def test_fill_fairly_covers_at_least_as_many_opportunities_for_at_most_the_score() -> None:
    vols, opps = instance(5, 60, 40)
    plain = assign(vols, opps, skill_category=CATEGORY, now=NOW)
    fair = assign(vols, opps, skill_category=CATEGORY, now=NOW, fill_fairly=True)
    assert fair.stats["opportunities_with_volunteer"] >= plain.stats["opportunities_with_volunteer"]
    assert fair.total_score <= plain.total_score + 1e-9


def test_the_greedy_baseline_is_feasible_and_never_beats_the_optimum() -> None:
    vols, opps = instance(8, 150, 50)
    result = assign(vols, opps, skill_category=CATEGORY, now=NOW)
    vcap, ocap = capacities(vols, opps)
    chosen = greedy(result.candidates, vcap, ocap)
    assert np.all(np.bincount(result.candidates.volunteer[chosen], minlength=len(vols)) <= vcap)
    assert result.candidates.score[chosen].sum() <= result.total_score + len(vols) / SCORE_SCALE


def test_top_k_keeps_each_volunteers_best_candidates() -> None:
    vols, opps = instance(9, 100, 60)
    full = candidate_pairs(vols, opps, skill_category=CATEGORY, now=NOW)
    top = candidate_pairs(vols, opps, skill_category=CATEGORY, now=NOW, top_k=3)
    assert np.all(np.bincount(top.volunteer, minlength=len(vols)) <= 3)
    all_pairs = set(zip(full.volunteer.tolist(), full.opportunity.tolist(), strict=True))
    assert set(zip(top.volunteer.tolist(), top.opportunity.tolist(), strict=True)) <= all_pairs
    for v in range(len(vols)):
        mine = np.sort(full.score[full.volunteer == v])[::-1][:3]
        assert np.allclose(np.sort(top.score[top.volunteer == v])[::-1], mine)
    kept = assign(vols, opps, skill_category=CATEGORY, now=NOW, top_k=3)
    assert kept.total_score <= assign(vols, opps, skill_category=CATEGORY, now=NOW).total_score


def test_assign_is_deterministic_and_handles_empty_input() -> None:
    vols, opps = instance(3, 100, 40)
    a = assign(vols, opps, skill_category=CATEGORY, now=NOW)
    b = assign(vols, opps, skill_category=CATEGORY, now=NOW)
    assert a.pairs == b.pairs
    assert assign([], opps).pairs == []
    assert assign(vols, []).pairs == []
    assert assign([Volunteer(id="v", capacity=0)], [Opportunity(id="o")]).pairs == []
