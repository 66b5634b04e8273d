from datetime import timedelta

import numpy as np
import pytest

from matching.explain import component_values, explain
from matching.model import SAT_MORNING, SUN_EVENING, Opportunity, Volunteer
from matching.scoring import COMPONENTS, DEFAULT_WEIGHTS, Weights, urgency_value

from .factories import NOW

V = Volunteer(
    id="v",
    lat=51.48,
    lon=7.22,
    max_km=10,
    skills=frozenset({"cooking", "driving"}),
    causes=frozenset({"seniors"}),
    languages=frozenset({"de", "ar"}),
    availability=SAT_MORNING,
    adult=True,
)


def test_default_weights_sum_to_one_and_are_plain_configuration() -> None:
    assert DEFAULT_WEIGHTS.total == pytest.approx(1.0)
    assert Weights(skills=2.0).share("skills") == pytest.approx(2.0 / 2.65)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"skills": -1.0},
        {"related_credit": 1.5},
        {"distance_half_life_km": 0.0},
        {"urgency": float("nan")},
    ],
)
def test_invalid_weights_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        Weights(**kwargs)


def test_weights_of_zero_everywhere_are_refused() -> None:
    with pytest.raises(ValueError, match="positive"):
        Weights(**{c: 0.0 for c in COMPONENTS})


def test_skill_fit_counts_required_optional_and_related_skills() -> None:
    o = Opportunity(
        id="o",
        required_skills=frozenset({"cooking"}),
        optional_skills=frozenset({"driving", "baking", "sewing"}),
    )
    category = {"baking": "kitchen", "cooking": "kitchen", "sewing": "crafts"}
    # cooking (required) + driving (optional) + half credit for baking (same category as cooking).
    values = component_values(V, o, skill_category=category)
    assert values["skills"] == pytest.approx((1 + 1 + 0.5) / 4)
    assert component_values(V, o)["skills"] == pytest.approx(2 / 4)


def test_distance_halves_every_half_life_and_remote_earns_the_remote_credit() -> None:
    o = Opportunity(id="o", lat=51.48, lon=7.22 + 3.0 / 69.4)  # about 3 km east
    assert component_values(V, o)["distance"] == pytest.approx(0.5, abs=0.01)
    assert component_values(V, Opportunity(id="r"))["distance"] == DEFAULT_WEIGHTS.remote_credit


def test_availability_language_and_causes_are_shares_and_matches() -> None:
    o = Opportunity(
        id="o",
        slots=SAT_MORNING | SUN_EVENING,
        languages=frozenset({"ar", "fa"}),
        causes=frozenset({"seniors"}),
    )
    values = component_values(V, o)
    assert values["availability"] == 0.5
    assert values["language"] == 0.5
    assert values["causes"] == 1.0
    assert component_values(V, Opportunity(id="x", causes=frozenset({"animals"})))["causes"] == 0.0
    assert component_values(V, Opportunity(id="y"))["causes"] == DEFAULT_WEIGHTS.cause_unknown


def test_urgency_grows_as_the_start_nears_and_shrinks_as_places_fill() -> None:
    starts = np.array([(NOW + timedelta(hours=h)).timestamp() for h in (-1, 0, 168, 336, 1000)])
    filled = np.zeros(5, dtype=np.int64)
    capacity = np.ones(5, dtype=np.int64)
    assert urgency_value(starts, filled, capacity, NOW, DEFAULT_WEIGHTS).tolist() == [
        0.0,
        1.0,
        0.5,
        0.0,
        0.0,
    ]
    half_full = urgency_value(starts[1:2], np.array([1]), np.array([1]), NOW, DEFAULT_WEIGHTS)
    assert half_full.tolist() == [0.5]
    assert urgency_value(starts, filled, capacity, None, DEFAULT_WEIGHTS).tolist() == [0.0] * 5


def test_explanation_contributions_add_up_to_the_score() -> None:
    o = Opportunity(id="o", lat=51.49, lon=7.23, optional_skills=frozenset({"cooking", "x"}))
    e = explain(V, o, now=NOW)
    assert e.eligible
    assert sum(e.components.values()) == pytest.approx(e.score, abs=1e-12)
    assert 0.0 <= e.score <= 1.0
    assert {"code": "skills_matched", "matched": 1, "wanted": 2} in e.reasons
