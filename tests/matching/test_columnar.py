"""The columnar twin of the interchange: the same instance, field for field, and clear errors."""

import numpy as np
import pytest

from matching.columnar import instance_from_arrays, instance_to_arrays
from matching.interchange import Instance, InterchangeError, instance_to_dict, parse_instance

from .factories import CATEGORY, NOW, instance


def _instance() -> Instance:
    vols, opps = instance(11, 40, 25)
    return Instance(tuple(vols), tuple(opps), dict(CATEGORY), NOW)


def test_arrays_round_trip_every_field() -> None:
    original = _instance()
    assert instance_from_arrays(instance_to_arrays(original)) == original


def test_json_dict_round_trips_through_the_parser() -> None:
    original = _instance()
    assert parse_instance(instance_to_dict(original)) == original


def test_an_npz_file_round_trips(tmp_path) -> None:  # type: ignore[no-untyped-def]
    original = _instance()
    path = tmp_path / "i.npz"
    np.savez_compressed(path, **instance_to_arrays(original))
    with np.load(path, allow_pickle=False) as arrays:
        assert instance_from_arrays({k: arrays[k] for k in arrays.files}) == original


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("v_max_km", None, "v_max_km"),
        ("o_slots", "huge", "no slot mask"),
        ("v_skills_idx", "outside", "outside the vocabulary"),
        ("now", "naive", "time zone"),
    ],
)
def test_broken_arrays_are_named_in_the_error(key: str, value: str | None, message: str) -> None:
    arrays = instance_to_arrays(_instance())
    if value is None:
        del arrays[key]
    elif value == "huge":
        arrays[key] = arrays[key].copy()
        arrays[key][0] = 1 << 40
    elif value == "outside":
        arrays[key] = arrays[key].copy()
        arrays[key][0] = 10_000
    else:
        arrays[key] = np.asarray("2025-05-01T12:00:00", dtype=np.str_)
    with pytest.raises(InterchangeError, match=message):
        instance_from_arrays(arrays)


def test_a_volunteer_value_the_model_would_reject_is_named_in_the_error() -> None:
    arrays = instance_to_arrays(_instance())
    arrays["v_lat"] = arrays["v_lat"].copy()
    arrays["v_lat"][3] = 91.0
    with pytest.raises(InterchangeError, match="volunteer 'v003': lat out of range"):
        instance_from_arrays(arrays)
