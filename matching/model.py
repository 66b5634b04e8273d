"""The engine's input types: plain, frozen, validated at construction.

Frozen so that an index built from a list of them can never silently go stale through mutation,
and validated in ``__post_init__`` so that every later stage may assume well-formed data (the
interchange layer turns these ``ValueError`` s into messages that name the offending record).

Availability and an opportunity's slots are 21-bit masks, one bit per weekly slot, because the
hot paths test "has a common slot" for millions of pairs and a bitwise ``&`` is the cheapest test
there is. Use :func:`slot_mask` and :func:`slot_names` to convert from and to slot names.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PARTS = ("morning", "afternoon", "evening")

#: The 21 weekly slots in canonical order (bit ``i`` of a mask is ``SLOTS[i]``).
SLOTS: tuple[str, ...] = tuple(f"{day}-{part}" for day in DAYS for part in PARTS)
SLOT_BIT: dict[str, int] = {name: 1 << i for i, name in enumerate(SLOTS)}
ALL_SLOTS = (1 << len(SLOTS)) - 1

MON_MORNING, MON_AFTERNOON, MON_EVENING = (SLOT_BIT[f"mon-{p}"] for p in PARTS)
TUE_MORNING, TUE_AFTERNOON, TUE_EVENING = (SLOT_BIT[f"tue-{p}"] for p in PARTS)
WED_MORNING, WED_AFTERNOON, WED_EVENING = (SLOT_BIT[f"wed-{p}"] for p in PARTS)
THU_MORNING, THU_AFTERNOON, THU_EVENING = (SLOT_BIT[f"thu-{p}"] for p in PARTS)
FRI_MORNING, FRI_AFTERNOON, FRI_EVENING = (SLOT_BIT[f"fri-{p}"] for p in PARTS)
SAT_MORNING, SAT_AFTERNOON, SAT_EVENING = (SLOT_BIT[f"sat-{p}"] for p in PARTS)
SUN_MORNING, SUN_AFTERNOON, SUN_EVENING = (SLOT_BIT[f"sun-{p}"] for p in PARTS)


def slot_mask(names: Iterable[str]) -> int:
    """The mask of the given slot names; raises ``ValueError`` naming the first unknown slot."""
    mask = 0
    for name in names:
        try:
            mask |= SLOT_BIT[name]
        except KeyError:
            raise ValueError(f"unknown slot {name!r}") from None
    return mask


def slot_names(mask: int) -> list[str]:
    """The slot names set in ``mask``, in canonical (weekday, time of day) order."""
    return [name for i, name in enumerate(SLOTS) if mask >> i & 1]


def _check_location(lat: float | None, lon: float | None) -> None:
    if (lat is None) != (lon is None):
        raise ValueError("lat and lon must both be given or both be null")
    if lat is not None and lon is not None:
        if not (math.isfinite(lat) and -90.0 <= lat <= 90.0):
            raise ValueError(f"lat {lat!r} out of range [-90, 90]")
        if not (math.isfinite(lon) and -180.0 <= lon <= 180.0):
            raise ValueError(f"lon {lon!r} out of range [-180, 180]")


def _check_common(id_: str, slots: int, capacity: int) -> None:
    if not isinstance(id_, str) or not id_:
        raise ValueError("id must be a non-empty string")
    if not 0 <= slots <= ALL_SLOTS:
        raise ValueError(f"slot mask {slots!r} is not a 21-bit mask")
    if capacity < 0:
        raise ValueError(f"capacity {capacity} is negative")


@dataclass(frozen=True, slots=True)
class Volunteer:
    """A person who may be matched.

    ``capacity`` is how many engagements the volunteer can still take on (used by ``assign``;
    ranking shows suggestions regardless). A volunteer without a location only matches remote
    opportunities, because no distance can be promised.
    """

    id: str
    lat: float | None = None
    lon: float | None = None
    max_km: float = 0.0
    skills: frozenset[str] = field(default_factory=frozenset)
    causes: frozenset[str] = field(default_factory=frozenset)
    languages: frozenset[str] = field(default_factory=frozenset)
    availability: int = 0
    adult: bool = False
    capacity: int = 1

    def __post_init__(self) -> None:
        _check_common(self.id, self.availability, self.capacity)
        _check_location(self.lat, self.lon)
        if not (math.isfinite(self.max_km) and self.max_km >= 0.0):
            raise ValueError(f"max_km {self.max_km!r} must be a finite number >= 0")

    @property
    def has_location(self) -> bool:
        return self.lat is not None


@dataclass(frozen=True, slots=True)
class Opportunity:
    """A place to help (or one shift of it) with ``capacity`` places still open.

    No location means remote / at home. Empty ``languages`` means any language; empty ``slots``
    means no fixed time. ``starts_at`` (timezone-aware) and ``filled`` (places already taken)
    feed the urgency component, together with the ``now`` the caller passes to the engine.
    """

    id: str
    lat: float | None = None
    lon: float | None = None
    required_skills: frozenset[str] = field(default_factory=frozenset)
    optional_skills: frozenset[str] = field(default_factory=frozenset)
    causes: frozenset[str] = field(default_factory=frozenset)
    languages: frozenset[str] = field(default_factory=frozenset)
    slots: int = 0
    adults_only: bool = False
    capacity: int = 1
    starts_at: datetime | None = None
    filled: int = 0

    def __post_init__(self) -> None:
        _check_common(self.id, self.slots, self.capacity)
        _check_location(self.lat, self.lon)
        if self.filled < 0:
            raise ValueError(f"filled {self.filled} is negative")
        if self.starts_at is not None and self.starts_at.tzinfo is None:
            raise ValueError("starts_at must be timezone-aware")
        if self.required_skills & self.optional_skills:
            # Keeps "wanted skills" a disjoint union so the skill fit has one meaning.
            object.__setattr__(self, "optional_skills", self.optional_skills - self.required_skills)

    @property
    def remote(self) -> bool:
        return self.lat is None

    @property
    def wanted_skills(self) -> frozenset[str]:
        return self.required_skills | self.optional_skills
