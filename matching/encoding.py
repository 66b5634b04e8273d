"""Sets of names as numpy arrays: the encodings both indexes (and the pre-filter) are built from.

A vocabulary numbers the names one side uses; a set becomes either a *bitset* (``uint64`` words,
one bit per vocabulary entry: cheap when one query item is tested against many sets) or boolean
*columns* (one row per name: cheap when a query names a few items). Unknown names drop out, so
a rule about a name nobody has fails fast.
"""

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import numpy.typing as npt

from matching.geo import FloatArray, IntArray
from matching.model import Opportunity, Volunteer

U64Array = npt.NDArray[np.uint64]


def _popcount_fallback(x: npt.NDArray[np.integer]) -> IntArray:  # numpy < 2.0
    x = x.astype(np.uint64)
    out = np.zeros(x.shape, dtype=np.int64)
    while np.any(x):
        out += (x & np.uint64(1)).astype(np.int64)
        x = x >> np.uint64(1)
    return out


def popcount(x: npt.NDArray[np.integer]) -> IntArray:
    """Set bits per element, as int64 so that later float arithmetic is dtype-stable."""
    count = getattr(np, "bitwise_count", None)
    if count is None:
        return _popcount_fallback(x)
    result: IntArray = count(x).astype(np.int64)
    return result


def vocabulary(items: Iterable[str]) -> dict[str, int]:
    return {name: i for i, name in enumerate(sorted(set(items)))}


def words(vocab: Mapping[str, int]) -> int:
    return max(1, (len(vocab) + 63) // 64)


def encode_one(names: Iterable[str], vocab: Mapping[str, int], n_words: int) -> U64Array:
    """One bitset (``n_words`` words) of the names known to ``vocab``; unknown names drop out."""
    out = np.zeros(n_words, dtype=np.uint64)
    for name in names:
        bit = vocab.get(name)
        if bit is not None:
            out[bit >> 6] |= np.uint64(1) << np.uint64(bit & 63)
    return out


def encode_many(sets: Sequence[frozenset[str]], vocab: Mapping[str, int], n_words: int) -> U64Array:
    """Bitsets of many sets, shape (n_words, len(sets)): one contiguous row per word."""
    out = np.zeros((n_words, len(sets)), dtype=np.uint64)
    rows: list[int] = []
    cols: list[int] = []
    for j, names in enumerate(sets):
        for name in names:
            bit = vocab.get(name)
            if bit is not None:
                rows.append(bit)
                cols.append(j)
    if rows:
        bits = np.asarray(rows, dtype=np.uint64)
        words = (bits >> np.uint64(6)).astype(np.int64)
        values = np.uint64(1) << (bits & np.uint64(63))
        np.bitwise_or.at(out, (words, np.asarray(cols, dtype=np.int64)), values)
    return out


def locations(items: Sequence[Volunteer] | Sequence[Opportunity]) -> tuple[FloatArray, FloatArray]:
    lat = np.array([np.nan if x.lat is None else x.lat for x in items], dtype=np.float64)
    lon = np.array([np.nan if x.lon is None else x.lon for x in items], dtype=np.float64)
    return np.radians(lat), np.radians(lon)


def id_rank(ids: Sequence[str]) -> IntArray:
    """Position of each id in sorted order: the deterministic tie-break of every ranking."""
    order = sorted(range(len(ids)), key=ids.__getitem__)
    rank = np.empty(len(ids), dtype=np.int64)
    rank[order] = np.arange(len(ids), dtype=np.int64)
    return rank


def check_unique(ids: Sequence[str], what: str) -> dict[str, int]:
    position: dict[str, int] = {}
    for i, id_ in enumerate(ids):
        if id_ in position:
            raise ValueError(f"duplicate {what} id {id_!r}")
        position[id_] = i
    return position


def category_of(skill_category: Mapping[str, str] | None) -> dict[str, str]:
    return dict(skill_category) if skill_category else {}
