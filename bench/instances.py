"""Realistic Bochum instances for the matching benchmark.

People and places are spread like the 30 statistical districts of the gazetteer (each district a
disc of its area around its centroid; volunteers in proportion to area, places weighted towards
Bochum-Mitte where most organisations sit), skills come from the app's taxonomy with skewed
(Zipf-like) popularity, and availability is evening- and weekend-heavy, as in volunteer surveys.
Seeded, so every run measures the same instances.
"""

import csv
import math
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from matching.model import DAYS, PARTS, SLOT_BIT, Opportunity, Volunteer

DATA = Path(__file__).resolve().parent.parent / "volunteer" / "data"
NOW = datetime(2025, 5, 5, 9, tzinfo=UTC)

SIZES: dict[str, tuple[int, int]] = {
    "S": (1_000, 200),
    "M": (20_000, 4_000),
    "L": (150_000, 10_000),
}
# The dense family: people who travel further and have more time, skills less selective (as in
# the outer districts). "NRW" spreads eight Bochum-shaped cities 40 km apart (a stand-in for the
# Ruhr area: the gazetteer ships only Bochum), so pairs grow with the cities, not quadratically.
DENSE_SIZES: dict[str, tuple[int, int, int]] = {
    "dense-M": (20_000, 4_000, 1),
    "dense-L": (150_000, 10_000, 1),
    "dense-NRW": (200_000, 40_000, 8),
}
CITY_SPACING_KM = 40.0


@dataclass(frozen=True)
class District:
    name: str
    borough: int
    lat: float
    lon: float
    radius_km: float
    area_km2: float


def districts() -> list[District]:
    with (DATA / "gazetteer" / "stadtteile.csv").open(encoding="utf-8") as f:
        return [
            District(
                name=row["name"],
                borough=int(row["stadtbezirk_nr"]),
                lat=float(row["lat"]),
                lon=float(row["lon"]),
                radius_km=math.sqrt(float(row["area_km2"]) / math.pi),
                area_km2=float(row["area_km2"]),
            )
            for row in csv.DictReader(f)
        ]


def skill_category() -> dict[str, str]:
    with (DATA / "skills.csv").open(encoding="utf-8") as f:
        return {row["slug"]: row["category"] for row in csv.DictReader(f)}


def _codes(name: str, column: str) -> list[str]:
    with (DATA / name).open(encoding="utf-8") as f:
        return [row[column] for row in csv.DictReader(f)]


def _slot_weight(slot: str) -> float:
    day, part = slot.split("-")
    weekend = day in {"sat", "sun"}
    return {
        ("morning", False): 0.08,
        ("afternoon", False): 0.12,
        ("evening", False): 0.30,
        ("morning", True): 0.25,
        ("afternoon", True): 0.30,
        ("evening", True): 0.20,
    }[(part, weekend)]


SLOTS = [f"{d}-{p}" for d in DAYS for p in PARTS]


class Generator:
    """Bochum-like people and places. ``dense`` widens radii, availability and skills;
    ``cities`` > 1 repeats the city's layout on a grid ``CITY_SPACING_KM`` apart."""

    def __init__(self, seed: int, *, dense: bool = False, cities: int = 1) -> None:
        self.rng = random.Random(seed)
        self.dense = dense
        self.cities = cities
        self.skills_held = (3, 8) if dense else (1, 5)
        self.required_counts = [0.6, 0.35, 0.05] if dense else [0.25, 0.5, 0.25]
        self.slot_counts = [0.3, 0.4, 0.3] if dense else [0.6, 0.3, 0.1]
        self.districts = districts()
        self.category = skill_category()
        skills = sorted(self.category)
        self.rng.shuffle(skills)
        self.skills = skills
        self.skill_weights = [1.0 / (rank + 1) ** 1.1 for rank in range(len(skills))]
        self.causes = _codes("causes.csv", "slug")
        self.cause_weights = [1.0 / (rank + 1) ** 0.7 for rank in range(len(self.causes))]
        self.people_weights = [d.area_km2 for d in self.districts]
        self.place_weights = [d.area_km2 * (2.5 if d.borough == 1 else 1.0) for d in self.districts]
        self.slot_weights = [_slot_weight(s) for s in SLOTS]
        others = [c for c in _codes("languages.csv", "code") if c != "de"]
        self.other_languages = others
        self.language_weights = [1.0 / (rank + 1) ** 1.3 for rank in range(len(others))]

    def _point(self, weights: list[float]) -> tuple[float, float]:
        d = self.rng.choices(self.districts, weights)[0]
        r = d.radius_km * math.sqrt(self.rng.random())
        a = self.rng.uniform(0, 2 * math.pi)
        lat = d.lat + (r * math.sin(a)) / 111.2
        lon = d.lon + (r * math.cos(a)) / (111.2 * math.cos(math.radians(d.lat)))
        if self.cities > 1:
            city = self.rng.randrange(self.cities)
            side = math.ceil(math.sqrt(self.cities))
            lat += (city // side) * CITY_SPACING_KM / 111.2
            lon += (city % side) * CITY_SPACING_KM / (111.2 * math.cos(math.radians(d.lat)))
        return lat, lon

    def _pick(self, items: list[str], weights: list[float], k: int) -> frozenset[str]:
        chosen: set[str] = set()
        while len(chosen) < min(k, len(items)):
            chosen.add(self.rng.choices(items, weights)[0])
        return frozenset(chosen)

    def volunteer(self, i: int) -> Volunteer:
        rng = self.rng
        lat, lon = self._point(self.people_weights)
        availability = 0
        boost = 2.2 if self.dense else 1.0
        for slot, w in zip(SLOTS, self.slot_weights, strict=True):
            if rng.random() < w * boost:
                availability |= SLOT_BIT[slot]
        languages = {"de"} if rng.random() < 0.93 else set()
        for _ in range(rng.choices([0, 1, 2], [0.55, 0.35, 0.10])[0]):
            languages.add(rng.choices(self.other_languages, self.language_weights)[0])
        return Volunteer(
            id=f"v{i:06d}",
            lat=lat,
            lon=lon,
            max_km=(
                rng.uniform(5.0, 25.0)
                if self.dense
                else rng.choices([1.0, 2.0, 3.0, 5.0, 8.0], [0.15, 0.3, 0.3, 0.17, 0.08])[0]
            ),
            skills=self._pick(self.skills, self.skill_weights, rng.randint(*self.skills_held)),
            causes=self._pick(self.causes, self.cause_weights, rng.randint(0, 2)),
            languages=frozenset(languages or {"en"}),
            availability=availability,
            adult=rng.random() < 0.88,
            capacity=1 if rng.random() < 0.9 else 2,
        )

    def opportunity(self, j: int) -> Opportunity:
        rng = self.rng
        remote = rng.random() < 0.06
        lat, lon = (None, None) if remote else self._point(self.place_weights)
        n_required = rng.choices([0, 1, 2], self.required_counts)[0]
        required = self._pick(self.skills, self.skill_weights, n_required)
        optional = self._pick(self.skills, self.skill_weights, rng.randint(0, 3)) - required
        slots = 0
        for _ in range(rng.choices([1, 2, 3], self.slot_counts)[0]):
            slots |= SLOT_BIT[rng.choices(SLOTS, self.slot_weights)[0]]
        language_kind = rng.random()
        if language_kind < 0.6:
            languages: frozenset[str] = frozenset()
        elif language_kind < 0.9:
            languages = frozenset({"de"})
        else:
            languages = frozenset(
                {"de", rng.choices(self.other_languages, self.language_weights)[0]}
            )
        dated = rng.random() < 0.5
        return Opportunity(
            id=f"o{j:05d}",
            lat=lat,
            lon=lon,
            required_skills=required,
            optional_skills=optional,
            causes=self._pick(self.causes, self.cause_weights, 1),
            languages=languages,
            slots=slots,
            adults_only=rng.random() < 0.3,
            capacity=rng.choices([1, 2, 3, 4, 6], [0.4, 0.25, 0.15, 0.1, 0.1])[0],
            starts_at=NOW + timedelta(hours=rng.randint(2, 24 * 30)) if dated else None,
            filled=rng.randint(0, 2) if dated else 0,
        )


def instance(size: str, seed: int = 2025) -> tuple[list[Volunteer], list[Opportunity]]:
    """The named instance (S, M, L or a ``dense-*`` size): volunteers and opportunities,
    deterministic per seed."""
    if size in DENSE_SIZES:
        n_vol, n_opp, cities = DENSE_SIZES[size]
        gen = Generator(seed, dense=True, cities=cities)
    else:
        n_vol, n_opp = SIZES[size]
        gen = Generator(seed)
    return [gen.volunteer(i) for i in range(n_vol)], [gen.opportunity(j) for j in range(n_opp)]
