"""Volunteers as columns: what a :class:`~matching.index.VolunteerIndex` is built from.

A city has a hundred thousand findable volunteers. Building one frozen
:class:`~matching.model.Volunteer` per person (and, before that, one ORM row per person) cost
the city-wide proposal most of its time, although the index turns them into arrays at once. So
the index is built from these columns; a caller that reads a database fills them straight from
its query results, and a caller holding model objects converts them once
(:meth:`VolunteerColumns.from_volunteers`). A single volunteer is made into a model object only
when someone asks for it (:meth:`VolunteerColumns.volunteer`: a ranked match, an explanation).

The columns are validated like the model (:meth:`Volunteer.__post_init__`), vectorised: a bad
value raises ``ValueError`` naming the column and the volunteer.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import SupportsIndex, overload

import numpy as np

from matching.geo import BoolArray, FloatArray, IntArray
from matching.model import ALL_SLOTS, Volunteer


@dataclass(frozen=True)
class SetColumn:
    """One set of names per row as compressed rows: row ``i`` holds
    ``vocab[c] for c in idx[ptr[i]:ptr[i + 1]]``. ``vocab`` is sorted and holds only names some
    row uses, each row's codes are ascending and distinct (:meth:`from_pairs` ensures it), so two
    columns of the same sets are equal array for array whichever way they were built."""

    ptr: IntArray
    idx: IntArray
    vocab: tuple[str, ...]

    @classmethod
    def from_pairs(cls, rows: IntArray, names: Sequence[str], n: int) -> "SetColumn":
        """The sets of ``n`` rows from (row, name) pairs in any order; repeats count once."""
        codes: dict[str, int] = {}
        code = np.array([codes.setdefault(x, len(codes)) for x in names], dtype=np.int64)
        return cls.from_codes(rows, code, list(codes), n)

    @classmethod
    def from_codes(
        cls, rows: IntArray, codes: IntArray, vocab: Sequence[str], n: int
    ) -> "SetColumn":
        """Like :meth:`from_pairs` with each name given as its position in ``vocab`` (distinct
        names, any order, unused ones allowed): what a query joined to a small name table gives."""
        rows = np.asarray(rows, dtype=np.int64)
        codes = np.asarray(codes, dtype=np.int64)
        if rows.shape != codes.shape:
            raise ValueError("rows and names differ in length")
        if rows.shape[0] and (rows.min() < 0 or rows.max() >= n):
            raise ValueError("a row is outside the column")
        if codes.shape[0] and (codes.min() < 0 or codes.max() >= len(vocab)):
            raise ValueError("a name is outside the vocabulary")
        # Renumber the names used in sorted order (the vocabulary is small; the pairs are not).
        used = sorted({vocab[c] for c in np.unique(codes).tolist()})
        rank = np.full(len(vocab), -1, dtype=np.int64)
        position = {name: i for i, name in enumerate(vocab)}
        for i, name in enumerate(used):
            rank[position[name]] = i
        width = max(1, len(used))
        key = np.sort(rows * width + rank[codes])  # by row, then name
        if key.shape[0]:
            key = key[np.append(True, key[1:] != key[:-1])]  # a repeated pair counts once
        ptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(key // width, minlength=n), out=ptr[1:])
        return cls(ptr, key % width, tuple(used))

    @classmethod
    def from_sets(cls, sets: Sequence[frozenset[str]]) -> "SetColumn":
        rows = [i for i, names in enumerate(sets) for _ in names]
        names = [name for chosen in sets for name in chosen]
        return cls.from_pairs(np.asarray(rows, dtype=np.int64), names, len(sets))

    def __len__(self) -> int:
        return int(self.ptr.shape[0]) - 1

    def names(self, i: int) -> frozenset[str]:
        bounds, flat = self._lists
        return frozenset(flat[bounds[i] : bounds[i + 1]])

    @cached_property
    def _lists(self) -> tuple[list[int], list[str]]:
        """``ptr`` and the names as Python lists, once: reading one row from numpy slices cost
        more than building its model object."""
        return self.ptr.tolist(), [self.vocab[c] for c in self.idx.tolist()]

    def counts(self) -> IntArray:
        counts: IntArray = np.diff(self.ptr)
        return counts

    def rows(self) -> IntArray:
        """The row of every entry of ``idx``."""
        rows: IntArray = np.repeat(np.arange(len(self), dtype=np.int64), self.counts())
        return rows

    def membership(self) -> BoolArray:
        """Boolean columns, shape (len(vocab), rows): what the index tests rules on."""
        out = np.zeros((len(self.vocab), len(self)), dtype=np.bool_)
        out[self.idx, self.rows()] = True
        return out


@dataclass(frozen=True)
class VolunteerColumns:
    """The fields of :class:`~matching.model.Volunteer`, one array (or set column) each, with
    the same meaning: degrees with NaN for no location, ``availability`` a slot mask, and so on.
    """

    ids: tuple[str, ...]
    lat: FloatArray
    lon: FloatArray
    max_km: FloatArray
    availability: IntArray
    adult: BoolArray
    capacity: IntArray
    skills: SetColumn
    causes: SetColumn
    languages: SetColumn

    def __post_init__(self) -> None:
        n = len(self.ids)
        for name in ("lat", "lon", "max_km", "availability", "adult", "capacity"):
            if getattr(self, name).shape != (n,):
                raise ValueError(f"column {name!r} must have {n} entries")
        for name in ("skills", "causes", "languages"):
            if len(getattr(self, name)) != n:
                raise ValueError(f"column {name!r} must have {n} rows")
        self._check(~(np.isnan(self.lat) == np.isnan(self.lon)), "lat and lon must both be given")
        with np.errstate(invalid="ignore"):
            self._check(np.abs(self.lat) > 90.0, "lat out of range [-90, 90]")
            self._check(np.abs(self.lon) > 180.0, "lon out of range [-180, 180]")
        self._check(np.isinf(self.lat) | np.isinf(self.lon), "lat and lon must be finite")
        self._check(~np.isfinite(self.max_km) | (self.max_km < 0), "max_km must be >= 0")
        self._check((self.availability < 0) | (self.availability > ALL_SLOTS), "no slot mask")
        self._check(self.capacity < 0, "capacity is negative")
        if any(not isinstance(i, str) or not i for i in self.ids):
            raise ValueError("every id must be a non-empty string")

    def _check(self, bad: BoolArray, message: str) -> None:
        if bad.any():
            raise ValueError(f"volunteer {self.ids[int(np.flatnonzero(bad)[0])]!r}: {message}")

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def from_volunteers(cls, volunteers: Sequence[Volunteer]) -> "VolunteerColumns":
        def coord(x: float | None) -> float:
            return np.nan if x is None else x

        return cls(
            ids=tuple(v.id for v in volunteers),
            lat=np.array([coord(v.lat) for v in volunteers], dtype=np.float64),
            lon=np.array([coord(v.lon) for v in volunteers], dtype=np.float64),
            max_km=np.array([v.max_km for v in volunteers], dtype=np.float64),
            availability=np.array([v.availability for v in volunteers], dtype=np.int64),
            adult=np.array([v.adult for v in volunteers], dtype=np.bool_),
            capacity=np.array([v.capacity for v in volunteers], dtype=np.int64),
            skills=SetColumn.from_sets([v.skills for v in volunteers]),
            causes=SetColumn.from_sets([v.causes for v in volunteers]),
            languages=SetColumn.from_sets([v.languages for v in volunteers]),
        )

    def volunteer(self, i: int) -> Volunteer:
        """Row ``i`` as a model object (built on demand, never kept)."""
        located = not np.isnan(self.lat[i])
        return Volunteer(
            id=self.ids[i],
            lat=float(self.lat[i]) if located else None,
            lon=float(self.lon[i]) if located else None,
            max_km=float(self.max_km[i]),
            skills=self.skills.names(i),
            causes=self.causes.names(i),
            languages=self.languages.names(i),
            availability=int(self.availability[i]),
            adult=bool(self.adult[i]),
            capacity=int(self.capacity[i]),
        )


class ColumnVolunteers(Sequence[Volunteer]):
    """The rows of :class:`VolunteerColumns` as a read-only sequence of model objects, each made
    when it is read: an index built from columns answers ``items[i]`` as one built from objects
    does."""

    def __init__(self, columns: VolunteerColumns) -> None:
        self.columns = columns

    def __len__(self) -> int:
        return len(self.columns)

    @overload
    def __getitem__(self, i: SupportsIndex) -> Volunteer: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[Volunteer]: ...
    def __getitem__(self, i: SupportsIndex | slice) -> Volunteer | Sequence[Volunteer]:
        if isinstance(i, slice):
            return [self.columns.volunteer(k) for k in range(len(self))[i]]
        k = i.__index__()
        if k < 0:
            k += len(self)
        if not 0 <= k < len(self):
            raise IndexError(k)
        return self.columns.volunteer(k)

    def __iter__(self) -> Iterator[Volunteer]:
        return (self.columns.volunteer(k) for k in range(len(self)))

    def __eq__(self, other: object) -> bool:
        """Equal to any sequence of the same volunteers, in order (a tuple of model objects
        read from JSON equals the same instance read as columns)."""
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]  # equal to mutable sequences: not hashable
