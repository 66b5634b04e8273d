"""An index built from columns is the index built from model objects: same arrays, same
items, same candidates; columns reject what the model rejects."""

import numpy as np
import pytest

from matching.candidates import candidate_pairs
from matching.columns import SetColumn, VolunteerColumns
from matching.index import VolunteerIndex

from .factories import CATEGORY, NOW, instance

ARRAYS = (
    "skill_cols", "category_cols", "language_cols", "cause_cols", "n_causes", "slots",
    "slot_cols", "adult", "lat", "lon", "located", "max_km", "capacity", "order", "id_rank",
)  # fmt: skip


@pytest.mark.parametrize("seed", range(3))
def test_an_index_from_columns_equals_the_index_from_volunteers(seed: int) -> None:
    vols, opps = instance(seed, 150, 40)
    columns = VolunteerColumns.from_volunteers(vols)
    by_objects = VolunteerIndex(vols, skill_category=CATEGORY)
    by_columns = VolunteerIndex(columns, skill_category=CATEGORY)
    for name in ARRAYS:
        assert np.array_equal(
            getattr(by_objects, name), getattr(by_columns, name), equal_nan=True
        ), name
    for name in ("skill_vocab", "category_vocab", "language_vocab", "cause_vocab", "position"):
        assert getattr(by_objects, name) == getattr(by_columns, name), name
    assert list(by_columns.items) == list(vols)
    assert by_columns.items[-1] == vols[-1] and by_columns.items[3:5] == vols[3:5]
    a = candidate_pairs(by_objects, opps, now=NOW)
    b = candidate_pairs(by_columns, opps, now=NOW)
    assert np.array_equal(a.volunteer, b.volunteer) and np.array_equal(a.score, b.score)


def test_set_columns_from_pairs_in_any_order_count_each_name_once() -> None:
    column = SetColumn.from_pairs(np.array([2, 0, 2, 2, 0]), ["de", "tr", "ar", "de", "de"], n=4)
    assert column.vocab == ("ar", "de", "tr")
    assert [column.names(i) for i in range(4)] == [
        {"de", "tr"}, set(), {"ar", "de"}, set(),
    ]  # fmt: skip
    assert column.counts().tolist() == [2, 0, 2, 0]
    same = SetColumn.from_codes(
        np.array([0, 0, 2, 2]), np.array([3, 0, 1, 3]), ["tr", "ar", "x", "de"], 4
    )
    assert same.vocab == column.vocab and np.array_equal(same.idx, column.idx)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"lat": np.array([51.0, np.nan])}, "both"),
        ({"lat": np.array([91.0, 51.0]), "lon": np.array([7.0, 7.0])}, "lat out of range"),
        ({"max_km": np.array([5.0, -1.0])}, "max_km"),
        ({"availability": np.array([1 << 21, 0])}, "slot mask"),
        ({"capacity": np.array([1, -1])}, "negative"),
    ],
)
def test_columns_reject_what_a_volunteer_would_reject(change: dict, message: str) -> None:
    empty = SetColumn.from_sets([frozenset(), frozenset()])
    fields = {
        "ids": ("1", "2"),
        "lat": np.array([51.0, 51.1]),
        "lon": np.array([7.0, 7.1]),
        "max_km": np.array([5.0, 5.0]),
        "availability": np.array([1, 2]),
        "adult": np.array([True, False]),
        "capacity": np.array([1, 1]),
        "skills": empty,
        "causes": empty,
        "languages": empty,
    }
    with pytest.raises(ValueError, match=message):
        VolunteerColumns(**{**fields, **change})
