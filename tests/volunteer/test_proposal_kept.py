"""The proposal's candidate cut (``proposal.kept``): which pairs the exact flow is solved over.

Known pairs, no database: the rule is arithmetic on the engine's candidate arrays.
"""

import numpy as np

from matching.candidates import Candidates
from volunteer.services.coordination.proposal.kept import (
    AT_LEAST,
    PER_PLACE,
    kept_pairs,
    solve_kept,
)


def _candidates(pairs: list[tuple[int, int, float]]) -> Candidates:
    v, o, s = zip(*pairs, strict=True)
    return Candidates(np.array(v), np.array(o), np.array(s, dtype=np.float64))


def test_a_need_keeps_those_who_give_up_least_not_the_highest_scores():
    # Need 0 has one place and AT_LEAST + 10 candidates. The ten with the highest scores for
    # it have a far better match at need 1 (one place), so they would give up the most there.
    n = AT_LEAST + 10
    popular = [(v, 0, 0.9) for v in range(10)] + [(v, 1, 0.99) for v in range(10)]
    others = [(v, 0, 0.5) for v in range(10, n)]
    c = _candidates(popular + others)
    kept = kept_pairs(c, np.array([1, 1]), n)
    need0 = set(c.volunteer[kept][c.opportunity[kept] == 0].tolist())
    assert len(need0) == AT_LEAST  # max(PER_PLACE * 1, AT_LEAST)
    assert need0 == set(range(10, n))  # they give up nothing; the popular ten give up 0.09
    assert set(c.volunteer[kept][c.opportunity[kept] == 1].tolist()) == set(range(10))
    assert np.all(np.diff(kept) > 0)  # positions, ascending


def test_a_need_with_many_places_keeps_per_place_and_a_small_need_keeps_everyone():
    many = 3 * PER_PLACE + 7
    c = _candidates([(v, 0, 0.5 + v / 1000) for v in range(many)] + [(0, 1, 0.4), (1, 1, 0.3)])
    kept = kept_pairs(c, np.array([2, 1]), many)
    assert int((c.opportunity[kept] == 0).sum()) == max(2 * PER_PLACE, AT_LEAST)
    assert int((c.opportunity[kept] == 1).sum()) == 2  # fewer than AT_LEAST: all of them


def test_the_exact_solve_over_kept_pairs_fills_what_the_full_solve_fills_on_a_small_city():
    # V0 suits both needs best; V1 only need 0. Exact: V0 -> need 1, V1 -> need 0.
    c = _candidates([(0, 0, 0.9), (1, 0, 0.6), (0, 1, 0.8)])
    kept = kept_pairs(c, np.array([1, 1]), 3)
    chosen = solve_kept(c, kept, np.array([1, 1, 1]), np.array([1, 1]), fill_fairly=True)
    assert sorted(
        zip(c.volunteer[chosen].tolist(), c.opportunity[chosen].tolist(), strict=True)
    ) == [
        (0, 1),
        (1, 0),
    ]
    assert (
        solve_kept(c, kept[:0], np.array([1, 1, 1]), np.array([1, 1]), fill_fairly=False).size == 0
    )
