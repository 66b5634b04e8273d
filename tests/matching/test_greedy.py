"""The greedy baseline takes pairs best-first whenever both sides have room: the compiled walk
chooses exactly what the plain loop over the same order chooses, ties included."""

import numpy as np
import pytest

from matching.candidates import Candidates
from matching.greedy import greedy


def plain_greedy(c: Candidates, vcap: np.ndarray, ocap: np.ndarray) -> list[int]:
    """Best score first, ties by volunteer then opportunity: the definition, as a loop."""
    left_v, left_o = np.maximum(vcap, 0).tolist(), np.maximum(ocap, 0).tolist()
    order = sorted(
        range(len(c)), key=lambda k: (-c.score[k], int(c.volunteer[k]), int(c.opportunity[k]))
    )
    chosen = []
    for k in order:
        v, o = int(c.volunteer[k]), int(c.opportunity[k])
        if left_v[v] and left_o[o]:
            left_v[v] -= 1
            left_o[o] -= 1
            chosen.append(k)
    return sorted(chosen)


@pytest.mark.parametrize(("seed", "repeats"), [(s, s == 4) for s in range(5)])
def test_greedy_chooses_what_the_plain_loop_chooses(seed: int, repeats: bool) -> None:
    rng = np.random.default_rng(seed)
    n_v, n_o, n = 40, 15, 300
    pairs = rng.integers(0, n_v * n_o, n)  # with repeats: position breaks the last ties
    if not repeats:
        pairs = np.unique(pairs)
    # Few distinct scores, so ties decide many choices.
    cand = Candidates(pairs // n_o, pairs % n_o, rng.integers(0, 5, pairs.shape[0]) / 4.0)
    vcap = rng.integers(-1, 3, n_v)  # a negative capacity counts as none
    ocap = rng.integers(0, 4, n_o)
    chosen = greedy(cand, vcap, ocap)
    assert chosen.tolist() == plain_greedy(cand, vcap, ocap)
    assert np.all(np.bincount(cand.volunteer[chosen], minlength=n_v) <= np.maximum(vcap, 0))
    assert np.all(np.bincount(cand.opportunity[chosen], minlength=n_o) <= ocap)


def test_greedy_of_no_pairs_is_empty() -> None:
    empty = np.zeros(0, dtype=np.int64)
    assert greedy(Candidates(empty, empty, np.zeros(0)), empty, empty).shape == (0,)
