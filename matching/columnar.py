"""A columnar twin of the JSON interchange, for large instances: numpy arrays in, model objects out.

JSON stays the default (readable, and what other tools write), but parsing a city-wide instance
of 150,000 volunteers from JSON costs seconds before the engine starts. The same instance as a
handful of arrays (saved by the caller as ``.npz``: ``numpy.savez_compressed``) loads in a
fraction of that. Pure like the rest of the engine: the CLI reads and writes the files.

Layout (every name a key of the array mapping; ``v_`` volunteers, ``o_`` opportunities):

- ``v_id``, ``o_id``: unicode ids; ``v_lat``/``v_lon``/``o_lat``/``o_lon``: degrees, NaN for no
  location; ``v_max_km``; ``v_availability``/``o_slots``: slot masks (bit ``i`` is
  ``matching.model.SLOTS[i]``); ``v_adult``/``o_adults_only``: bool; ``v_capacity``/
  ``o_capacity``/``o_filled``: int; ``o_starts_at``: POSIX seconds, NaN for none.
- Sets (``v_skills``, ``v_causes``, ``v_languages``, ``o_required_skills``,
  ``o_optional_skills``, ``o_causes``, ``o_languages``) as compressed rows: ``<name>_ptr``
  (length n + 1) and ``<name>_idx`` into the shared vocabulary ``vocab``.
- ``cat_skill``/``cat_name``: the skill categories; ``now``: an ISO timestamp or "".

Values are validated like the JSON path's (:mod:`matching.interchange`): a broken file raises
:class:`~matching.interchange.InterchangeError` naming the array. The volunteers stay columns
(:class:`~matching.columns.VolunteerColumns`, read as a lazy sequence of model objects): a
city's 150,000 frozen objects cost seconds to build, and the index turns them back into arrays.
"""

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np

from matching.columns import ColumnVolunteers, SetColumn, VolunteerColumns
from matching.interchange import Instance, InterchangeError
from matching.model import ALL_SLOTS, Opportunity

V_SETS = ("skills", "causes", "languages")
O_SETS = ("required_skills", "optional_skills", "causes", "languages")


def _encode_sets(
    sets: Sequence[frozenset[str]], vocab: Mapping[str, int]
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    ptr = np.zeros(len(sets) + 1, dtype=np.int64)
    idx: list[int] = []
    for i, names in enumerate(sets):
        idx.extend(sorted(vocab[n] for n in names))
        ptr[i + 1] = len(idx)
    return ptr, np.asarray(idx, dtype=np.int64)


def instance_to_arrays(instance: Instance) -> dict[str, np.ndarray[Any, Any]]:
    """The instance as named arrays (see the module docstring for the layout)."""
    vols, opps = instance.volunteers, instance.opportunities
    names: set[str] = set()
    for v in vols:
        names |= v.skills | v.causes | v.languages
    for o in opps:
        names |= o.required_skills | o.optional_skills | o.causes | o.languages
    vocab_list = sorted(names)
    vocab = {n: i for i, n in enumerate(vocab_list)}

    def coord(x: float | None) -> float:
        return np.nan if x is None else x

    out: dict[str, np.ndarray[Any, Any]] = {
        "vocab": np.asarray(vocab_list, dtype=np.str_),
        "v_id": np.asarray([v.id for v in vols], dtype=np.str_),
        "v_lat": np.asarray([coord(v.lat) for v in vols], dtype=np.float64),
        "v_lon": np.asarray([coord(v.lon) for v in vols], dtype=np.float64),
        "v_max_km": np.asarray([v.max_km for v in vols], dtype=np.float64),
        "v_availability": np.asarray([v.availability for v in vols], dtype=np.int64),
        "v_adult": np.asarray([v.adult for v in vols], dtype=np.bool_),
        "v_capacity": np.asarray([v.capacity for v in vols], dtype=np.int64),
        "o_id": np.asarray([o.id for o in opps], dtype=np.str_),
        "o_lat": np.asarray([coord(o.lat) for o in opps], dtype=np.float64),
        "o_lon": np.asarray([coord(o.lon) for o in opps], dtype=np.float64),
        "o_slots": np.asarray([o.slots for o in opps], dtype=np.int64),
        "o_adults_only": np.asarray([o.adults_only for o in opps], dtype=np.bool_),
        "o_capacity": np.asarray([o.capacity for o in opps], dtype=np.int64),
        "o_filled": np.asarray([o.filled for o in opps], dtype=np.int64),
        "o_starts_at": np.asarray(
            [np.nan if o.starts_at is None else o.starts_at.timestamp() for o in opps],
            dtype=np.float64,
        ),
        "cat_skill": np.asarray(sorted(instance.skill_category), dtype=np.str_),
        "cat_name": np.asarray(
            [instance.skill_category[s] for s in sorted(instance.skill_category)], dtype=np.str_
        ),
        "now": np.asarray("" if instance.now is None else instance.now.isoformat(), dtype=np.str_),
    }
    for name in V_SETS:
        out[f"v_{name}_ptr"], out[f"v_{name}_idx"] = _encode_sets(
            [getattr(v, name) for v in vols], vocab
        )
    for name in O_SETS:
        out[f"o_{name}_ptr"], out[f"o_{name}_idx"] = _encode_sets(
            [getattr(o, name) for o in opps], vocab
        )
    return out


class _Arrays:
    """Typed, checked access to the arrays of one file."""

    def __init__(self, arrays: Mapping[str, np.ndarray[Any, Any]]) -> None:
        self.arrays = arrays

    def get(self, key: str, n: int | None = None) -> np.ndarray[Any, Any]:
        if key not in self.arrays:
            raise InterchangeError(f"array {key!r} is missing")
        value = np.asarray(self.arrays[key])
        if n is not None and value.shape != (n,):
            raise InterchangeError(f"array {key!r} must have {n} entries, has {value.shape}")
        return value

    def rows(
        self, key: str, n: int, n_vocab: int
    ) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
        """A set column's checked row pointer and vocabulary codes."""
        ptr = self.get(f"{key}_ptr", n + 1).astype(np.int64)
        idx = self.get(f"{key}_idx").astype(np.int64)
        if ptr[0] != 0 or np.any(np.diff(ptr) < 0) or ptr[-1] != idx.shape[0]:
            raise InterchangeError(f"array {key}_ptr is not a valid row pointer")
        if idx.shape[0] and (idx.min() < 0 or idx.max() >= n_vocab):
            raise InterchangeError(f"array {key}_idx points outside the vocabulary")
        return ptr, idx

    def sets(self, key: str, n: int, vocab: list[str]) -> list[frozenset[str]]:
        ptr, idx = self.rows(key, n, len(vocab))
        names = [vocab[i] for i in idx.tolist()]
        bounds = ptr.tolist()
        return [frozenset(names[bounds[i] : bounds[i + 1]]) for i in range(n)]

    def set_column(self, key: str, n: int, vocab: list[str]) -> SetColumn:
        ptr, idx = self.rows(key, n, len(vocab))
        rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(ptr))
        return SetColumn.from_codes(rows, idx, vocab, n)


def _finite_or_none(values: np.ndarray[Any, Any], key: str) -> list[float | None]:
    if np.any(np.isinf(values)):
        raise InterchangeError(f"array {key!r} holds an infinite value")
    return [None if x != x else x for x in values.tolist()]  # NaN -> None


def _moment(seconds: float | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC)


def instance_from_arrays(arrays: Mapping[str, np.ndarray[Any, Any]]) -> Instance:
    """The instance of named arrays (volunteers as columns, opportunities as model objects);
    every inconsistency is an :class:`InterchangeError`."""
    a = _Arrays(arrays)
    vocab = [str(x) for x in a.get("vocab").tolist()]
    v_ids = [str(x) for x in a.get("v_id").tolist()]
    o_ids = [str(x) for x in a.get("o_id").tolist()]
    nv, no = len(v_ids), len(o_ids)
    v_lat, v_lon = (a.get(k, nv).astype(np.float64) for k in ("v_lat", "v_lon"))
    max_km = a.get("v_max_km", nv).astype(np.float64)
    if np.any(~np.isfinite(max_km)) or np.any(max_km < 0):
        raise InterchangeError("array 'v_max_km' must hold finite, non-negative numbers")
    availability = a.get("v_availability", nv).astype(np.int64)
    slots = a.get("o_slots", no).astype(np.int64)
    for key, masks in (("v_availability", availability), ("o_slots", slots)):
        if masks.shape[0] and (masks.min() < 0 or masks.max() > ALL_SLOTS):
            raise InterchangeError(f"array {key!r} holds a value that is no slot mask")
    counts = {
        k: a.get(k, n).astype(np.int64)
        for k, n in (("v_capacity", nv), ("o_capacity", no), ("o_filled", no))
    }
    for key, values in counts.items():
        if values.shape[0] and values.min() < 0:
            raise InterchangeError(f"array {key!r} must not be negative")
    o_sets = {name: a.sets(f"o_{name}", no, vocab) for name in O_SETS}
    v_sets = {name: a.set_column(f"v_{name}", nv, vocab) for name in V_SETS}
    try:
        columns = VolunteerColumns(
            ids=tuple(v_ids),
            lat=v_lat,
            lon=v_lon,
            max_km=max_km,
            availability=availability,
            adult=a.get("v_adult", nv).astype(np.bool_),
            capacity=counts["v_capacity"],
            skills=v_sets["skills"],
            causes=v_sets["causes"],
            languages=v_sets["languages"],
        )
    except ValueError as e:  # the columns name the volunteer and the field
        raise InterchangeError(f"volunteer arrays: {e}") from e
    o_lat, o_lon = (
        _finite_or_none(a.get("o_lat", no), "o_lat"),
        _finite_or_none(a.get("o_lon", no), "o_lon"),
    )
    starts = _finite_or_none(a.get("o_starts_at", no), "o_starts_at")
    adults_only = a.get("o_adults_only", no).astype(np.bool_).tolist()
    opportunities = tuple(
        Opportunity(
            id=o_ids[j],
            lat=o_lat[j],
            lon=o_lon[j],
            required_skills=o_sets["required_skills"][j],
            optional_skills=o_sets["optional_skills"][j],
            causes=o_sets["causes"][j],
            languages=o_sets["languages"][j],
            slots=int(slots[j]),
            adults_only=adults_only[j],
            capacity=int(counts["o_capacity"][j]),
            starts_at=_moment(starts[j]),
            filled=int(counts["o_filled"][j]),
        )
        for j in range(no)
    )
    cat_skill = [str(x) for x in a.get("cat_skill").tolist()]
    cat_name = [str(x) for x in a.get("cat_name", len(cat_skill)).tolist()]
    now_text = str(a.get("now").item()) if "now" in arrays else ""
    try:
        now = datetime.fromisoformat(now_text) if now_text else None
    except ValueError as e:
        raise InterchangeError(f"array 'now' is not an ISO timestamp: {now_text!r}") from e
    if now is not None and now.tzinfo is None:
        raise InterchangeError("array 'now' needs a time zone")
    return Instance(
        ColumnVolunteers(columns),
        opportunities,
        dict(zip(cat_skill, cat_name, strict=True)),
        now,
    )
