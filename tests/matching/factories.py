"""Random but reproducible instances for the engine tests: small, dense, with every feature used."""

import random
from datetime import UTC, datetime, timedelta

from matching.model import Opportunity, Volunteer

SKILLS = [f"skill-{i}" for i in range(12)]
CATEGORY = {s: f"cat-{i % 3}" for i, s in enumerate(SKILLS)}
CAUSES = ["children", "seniors", "environment"]
LANGUAGES = ["de", "en", "ar", "tr"]
NOW = datetime(2025, 5, 1, 12, tzinfo=UTC)


def _location(rng: random.Random, remote_share: float) -> dict[str, float | None]:
    if rng.random() < remote_share:
        return {"lat": None, "lon": None}
    return {"lat": 51.48 + rng.uniform(-0.04, 0.04), "lon": 7.22 + rng.uniform(-0.06, 0.06)}


def volunteer(rng: random.Random, i: int, *, max_capacity: int = 2) -> Volunteer:
    return Volunteer(
        id=f"v{i:03d}",
        **_location(rng, 0.05),
        max_km=rng.choice([1.0, 2.0, 3.0, 5.0, 8.0]),
        skills=frozenset(rng.sample(SKILLS, rng.randint(0, 4))),
        causes=frozenset(rng.sample(CAUSES, rng.randint(0, 2))),
        languages=frozenset(["de", *rng.sample(LANGUAGES[1:], rng.randint(0, 1))])
        if rng.random() < 0.9
        else frozenset(["en"]),
        availability=rng.getrandbits(21) & rng.getrandbits(21),
        adult=rng.random() < 0.8,
        capacity=rng.randint(0, max_capacity) if max_capacity > 1 else 1,
    )


def opportunity(rng: random.Random, i: int, *, max_capacity: int = 3) -> Opportunity:
    return Opportunity(
        id=f"o{i:03d}",
        **_location(rng, 0.1),
        required_skills=frozenset(rng.sample(SKILLS, rng.choice([0, 0, 1, 2]))),
        optional_skills=frozenset(rng.sample(SKILLS, rng.randint(0, 3))),
        causes=frozenset(rng.sample(CAUSES, rng.randint(0, 1))),
        languages=frozenset(rng.sample(LANGUAGES, rng.choice([0, 1, 1, 2]))),
        slots=rng.getrandbits(21) & rng.getrandbits(21) & rng.getrandbits(21)
        if rng.random() < 0.8
        else 0,
        adults_only=rng.random() < 0.25,
        capacity=rng.randint(0, max_capacity),
        starts_at=NOW + timedelta(hours=rng.randint(-48, 600)) if rng.random() < 0.6 else None,
        filled=rng.randint(0, 2),
    )


def instance(
    seed: int, n_vol: int, n_opp: int, *, max_vol_capacity: int = 2, max_opp_capacity: int = 3
) -> tuple[list[Volunteer], list[Opportunity]]:
    rng = random.Random(seed)
    vols = [volunteer(rng, i, max_capacity=max_vol_capacity) for i in range(n_vol)]
    opps = [opportunity(rng, j, max_capacity=max_opp_capacity) for j in range(n_opp)]
    return vols, opps
