from datetime import datetime

import pytest

from matching.model import (
    ALL_SLOTS,
    SAT_MORNING,
    SLOTS,
    SUN_EVENING,
    Opportunity,
    Volunteer,
    slot_mask,
    slot_names,
)


def test_there_are_21_slots_from_monday_morning_to_sunday_evening() -> None:
    assert len(SLOTS) == 21
    assert SLOTS[0] == "mon-morning"
    assert SLOTS[-1] == "sun-evening"
    assert SUN_EVENING == 1 << 20
    assert ALL_SLOTS == (1 << 21) - 1


def test_slot_names_round_trip_in_canonical_order() -> None:
    mask = slot_mask(["sun-evening", "sat-morning"])
    assert mask == SAT_MORNING | SUN_EVENING
    assert slot_names(mask) == ["sat-morning", "sun-evening"]


def test_unknown_slot_is_rejected_by_name() -> None:
    with pytest.raises(ValueError, match="'mon-night'"):
        slot_mask(["mon-night"])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"lat": 51.0}, "both"),
        ({"lat": 91.0, "lon": 7.0}, "lat"),
        ({"lat": 51.0, "lon": 181.0}, "lon"),
        ({"capacity": -1}, "negative"),
        ({"max_km": -2.0}, "max_km"),
        ({"availability": 1 << 21}, "21-bit"),
        ({"id": ""}, "id"),
    ],
)
def test_invalid_volunteers_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Volunteer(**{"id": "v", **kwargs})  # type: ignore[arg-type]


def test_opportunity_needs_an_aware_start_time() -> None:
    with pytest.raises(ValueError, match="timezone"):
        Opportunity(id="o", starts_at=datetime(2025, 5, 1))


def test_a_skill_both_required_and_optional_counts_as_required() -> None:
    o = Opportunity(id="o", required_skills=frozenset({"a"}), optional_skills=frozenset({"a", "b"}))
    assert o.optional_skills == {"b"}
    assert o.wanted_skills == {"a", "b"}
