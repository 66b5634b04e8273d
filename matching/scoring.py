"""The score of an eligible pair: a weighted mean of six components, each in [0, 1].

    score = sum(w_c * x_c for c in COMPONENTS) / sum(w_c for c in COMPONENTS)

so the score is in [0, 1] and an explanation can show each component's *contribution*
``w_c * x_c / sum(w)``; the contributions add up to the score exactly (it is computed as their
sum, in ``COMPONENTS`` order).

Components (``x_c``):

- ``skills``: (required held + optional held + ``related_credit`` x optional skills not held but
  with another held skill of the same category) / wanted skills; 1 when nothing is wanted.
  Required skills are all held (an eligibility rule), so this rewards the optional ones.
- ``distance``: ``0.5 ** (km / distance_half_life_km)``: halves every few km, never increases
  with distance; a remote opportunity earns ``remote_credit``.
- ``availability``: share of the opportunity's slots the volunteer can cover; 1 when it names none.
- ``causes``: 1 when they share a cause, 0 when both name causes and share none,
  ``cause_unknown`` when either side names none (no evidence either way).
- ``language``: share of the opportunity's languages the volunteer speaks (more is better when
  any one suffices, e.g. German *and* Arabic for a refugee café); 1 when it names none.
- ``urgency``: a property of the opportunity, not of the pair: how soon it starts (linear from 0
  at ``urgency_horizon_hours`` ahead to 1 at the start) times the share of places still open;
  0 without a start time, without ``now`` or once it has started.

The functions below take integer counts and return the component values; both vectorised
kernels and the scalar reference call them, so every path computes identical floats.
"""

from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from matching.model import Opportunity

FloatArray = npt.NDArray[np.float64]
#: Counts and values: numpy arrays or scalars of any numeric dtype (counts stay int64).
Number = npt.NDArray[np.number[Any]] | np.number[Any] | float

COMPONENTS: tuple[str, ...] = (
    "skills",
    "distance",
    "availability",
    "causes",
    "language",
    "urgency",
)


@dataclass(frozen=True, slots=True)
class Weights:
    """Scoring configuration. The web app builds this from its settings; nothing here is I/O.

    The defaults put skill fit first (doing the task well), distance second (people stay when
    it is close), then time fit, then the softer signals.
    """

    skills: float = 0.35
    distance: float = 0.25
    availability: float = 0.15
    causes: float = 0.10
    language: float = 0.05
    urgency: float = 0.10
    related_credit: float = 0.5
    distance_half_life_km: float = 3.0
    remote_credit: float = 0.75
    cause_unknown: float = 0.5
    urgency_horizon_hours: float = 14 * 24.0

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not (isinstance(value, int | float) and np.isfinite(value) and value >= 0):
                raise ValueError(f"weight {f.name} must be a finite number >= 0, got {value!r}")
        if self.total <= 0:
            raise ValueError("at least one component weight must be positive")
        for name in ("related_credit", "remote_credit", "cause_unknown"):
            if getattr(self, name) > 1:
                raise ValueError(f"{name} must be in [0, 1]")
        if self.distance_half_life_km <= 0 or self.urgency_horizon_hours <= 0:
            raise ValueError("distance_half_life_km and urgency_horizon_hours must be positive")

    @property
    def total(self) -> float:
        return float(sum(getattr(self, c) for c in COMPONENTS))

    def share(self, component: str) -> float:
        """The factor turning a component value into its contribution to the score."""
        return float(getattr(self, component)) / self.total

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


DEFAULT_WEIGHTS = Weights()


def skills_value(
    n_required: Number, matched_optional: Number, related: Number, wanted: Number, w: Weights
) -> FloatArray:
    num = np.add(np.add(n_required, matched_optional), np.multiply(w.related_credit, related))
    safe = np.maximum(wanted, 1)
    out: FloatArray = np.where(np.equal(wanted, 0), 1.0, np.divide(num, safe))
    return out


def distance_value(km: Number, remote: npt.NDArray[np.bool_] | bool, w: Weights) -> FloatArray:
    decay = np.power(0.5, np.divide(np.nan_to_num(km, nan=0.0), w.distance_half_life_km))
    out: FloatArray = np.where(remote, w.remote_credit, decay)
    return out


def ratio_value(common: Number, named: Number) -> FloatArray:
    """Share of the named items covered; 1 when none are named (used by slots and languages)."""
    out: FloatArray = np.where(np.equal(named, 0), 1.0, np.divide(common, np.maximum(named, 1)))
    return out


def causes_value(
    common: Number,
    volunteer_named: Number,
    opportunity_named: Number,
    w: Weights,
) -> FloatArray:
    unknown = np.logical_or(np.equal(volunteer_named, 0), np.equal(opportunity_named, 0))
    out: FloatArray = np.where(unknown, w.cause_unknown, np.where(np.greater(common, 0), 1.0, 0.0))
    return out


def urgency_value(
    starts_at: FloatArray,
    filled: npt.NDArray[np.int64],
    capacity: npt.NDArray[np.int64],
    now: datetime | None,
    w: Weights,
) -> FloatArray:
    """Urgency per opportunity; ``starts_at`` are POSIX seconds (NaN: no start time)."""
    if now is None:
        return np.zeros(starts_at.shape, dtype=np.float64)
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    hours = (starts_at - now.timestamp()) / 3600.0
    with np.errstate(invalid="ignore"):
        soon = np.where(hours >= 0, np.clip(1.0 - hours / w.urgency_horizon_hours, 0.0, 1.0), 0.0)
    soon = np.nan_to_num(soon, nan=0.0)
    places = filled + capacity
    open_share = np.where(places > 0, capacity / np.maximum(places, 1), 0.0)
    out: FloatArray = soon * open_share
    return out


def combine(values: dict[str, FloatArray], w: Weights) -> tuple[dict[str, FloatArray], FloatArray]:
    """Contributions per component and their sum (the score), summed in ``COMPONENTS`` order."""
    contributions = {c: values[c] * w.share(c) for c in COMPONENTS}
    score = contributions[COMPONENTS[0]]
    for c in COMPONENTS[1:]:
        score = score + contributions[c]
    return contributions, score


def opportunity_urgency(
    opportunities: Sequence[Opportunity], now: datetime | None, weights: Weights
) -> FloatArray:
    """The urgency value of every opportunity, as :meth:`VolunteerIndex.evaluate` computes it
    (element-wise arithmetic only, so one call over all equals one call per opportunity)."""
    starts = np.array(
        [np.nan if o.starts_at is None else o.starts_at.timestamp() for o in opportunities],
        dtype=np.float64,
    )
    filled = np.array([o.filled for o in opportunities], dtype=np.int64)
    capacity = np.array([o.capacity for o in opportunities], dtype=np.int64)
    return urgency_value(starts, filled, capacity, now, weights)
