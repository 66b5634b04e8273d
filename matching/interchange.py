"""The JSON interchange format, as plain dicts: validate into model objects, serialise results.

Pure (no file access): the CLI reads and writes the files. Every validation error is an
:class:`InterchangeError` whose message names the offending record, e.g.
``volunteers[3] (id 'v7'): unknown slot 'mon-night'``, so a coordinator can fix the file.

Input::

    {"volunteers": [{"id", "lat", "lon", "max_km", "skills", "causes", "languages",
                     "availability", "adult", "capacity"}],
     "opportunities": [{"id", "lat", "lon", "required_skills", "optional_skills", "causes",
                        "languages", "slots", "adults_only", "capacity",
                        "starts_at", "filled"}],
     "skill_categories": {"skill id": "category"},     (optional)
     "now": "2025-05-01T12:00:00+02:00"}                 (optional, for urgency)

Only ``id`` is mandatory; ``max_km`` too when a volunteer has a location. Defaults: no location,
empty lists, ``adult``/``adults_only`` false, ``capacity`` 1, ``filled`` 0. Unknown keys are
errors, because a misspelt ``"availabilty"`` would otherwise silently mean "never available".
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from matching.assign import Assignment
from matching.model import Opportunity, Volunteer, slot_mask, slot_names
from matching.rank import Match


class InterchangeError(ValueError):
    """Invalid interchange data; the message names the record and the problem."""


VOLUNTEER_KEYS = frozenset(
    {"id", "lat", "lon", "max_km", "skills", "causes", "languages", "availability", "adult"}
    | {"capacity"}
)
OPPORTUNITY_KEYS = frozenset(
    {"id", "lat", "lon", "required_skills", "optional_skills", "causes", "languages", "slots"}
    | {"adults_only", "capacity", "starts_at", "filled"}
)
TOP_KEYS = frozenset({"volunteers", "opportunities", "skill_categories", "now"})


@dataclass(frozen=True, slots=True)
class Instance:
    # A tuple when parsed from JSON; columns read lazily when read from arrays (matching.columnar).
    volunteers: Sequence[Volunteer]
    opportunities: tuple[Opportunity, ...]
    skill_category: dict[str, str] = field(default_factory=dict)
    now: datetime | None = None


class _Record:
    """Typed field access that raises with the record's name in the message."""

    def __init__(self, where: str, raw: Mapping[str, Any]) -> None:
        self.where = where
        self.raw = raw

    def fail(self, problem: str) -> InterchangeError:
        return InterchangeError(f"{self.where}: {problem}")

    def number(self, key: str) -> float | None:
        value = self.raw.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(f"{key} must be a number, got {value!r}")
        if not math.isfinite(value):
            raise self.fail(f"{key} must be finite, got {value!r}")
        return float(value)

    def integer(self, key: str, default: int) -> int:
        value = self.raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(f"{key} must be an integer, got {value!r}")
        if value < 0:
            raise self.fail(f"{key} must not be negative, got {value}")
        return value

    def flag(self, key: str) -> bool:
        value = self.raw.get(key, False)
        if not isinstance(value, bool):
            raise self.fail(f"{key} must be true or false, got {value!r}")
        return value

    def names(self, key: str) -> frozenset[str]:
        value = self.raw.get(key, [])
        if value is None:
            return frozenset()
        if not isinstance(value, list) or not all(isinstance(x, str) and x for x in value):
            raise self.fail(f"{key} must be a list of non-empty strings, got {value!r}")
        return frozenset(value)

    def slots(self, key: str) -> int:
        try:
            return slot_mask(self.names(key))
        except ValueError as exc:
            raise self.fail(str(exc)) from None

    def location(self) -> tuple[float | None, float | None]:
        lat, lon = self.number("lat"), self.number("lon")
        if (lat is None) != (lon is None):
            raise self.fail("lat and lon must both be given or both be null")
        if lat is not None and not -90.0 <= lat <= 90.0:
            raise self.fail(f"lat {lat} out of range [-90, 90]")
        if lon is not None and not -180.0 <= lon <= 180.0:
            raise self.fail(f"lon {lon} out of range [-180, 180]")
        return lat, lon


def _parse_time(value: object, where: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InterchangeError(f"{where} must be an ISO 8601 string, got {value!r}")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InterchangeError(f"{where}: {value!r} is not an ISO 8601 date-time") from None
    if parsed.tzinfo is None:
        raise InterchangeError(f"{where}: {value!r} needs a UTC offset, e.g. +02:00")
    return parsed


def _records(data: Mapping[str, Any], key: str, allowed: frozenset[str]) -> list[_Record]:
    items = data.get(key)
    if not isinstance(items, list):
        raise InterchangeError(f"{key} must be a list")
    records: list[_Record] = []
    first: dict[str, int] = {}
    for i, raw in enumerate(items):
        if not isinstance(raw, dict):
            raise InterchangeError(f"{key}[{i}]: must be an object")
        id_ = raw.get("id")
        if id_ is None or id_ == "":
            raise InterchangeError(f"{key}[{i}]: missing id")
        if not isinstance(id_, str):
            raise InterchangeError(f"{key}[{i}]: id must be a string, got {id_!r}")
        where = f"{key}[{i}] (id {id_!r})"
        if id_ in first:
            raise InterchangeError(f"{where}: duplicate id (first at {key}[{first[id_]}])")
        first[id_] = i
        unknown = sorted(set(raw) - allowed)
        if unknown:
            raise InterchangeError(f"{where}: unknown field {unknown[0]!r}")
        records.append(_Record(where, raw))
    return records


def _volunteer(r: _Record) -> Volunteer:
    lat, lon = r.location()
    max_km = r.number("max_km")
    if lat is not None and max_km is None:
        raise r.fail("max_km is required when lat/lon are given")
    if max_km is not None and max_km < 0:
        raise r.fail(f"max_km must not be negative, got {max_km}")
    return Volunteer(
        id=r.raw["id"],
        lat=lat,
        lon=lon,
        max_km=max_km or 0.0,
        skills=r.names("skills"),
        causes=r.names("causes"),
        languages=r.names("languages"),
        availability=r.slots("availability"),
        adult=r.flag("adult"),
        capacity=r.integer("capacity", 1),
    )


def _opportunity(r: _Record) -> Opportunity:
    lat, lon = r.location()
    return Opportunity(
        id=r.raw["id"],
        lat=lat,
        lon=lon,
        required_skills=r.names("required_skills"),
        optional_skills=r.names("optional_skills"),
        causes=r.names("causes"),
        languages=r.names("languages"),
        slots=r.slots("slots"),
        adults_only=r.flag("adults_only"),
        capacity=r.integer("capacity", 1),
        starts_at=_parse_time(r.raw.get("starts_at"), f"{r.where}: starts_at"),
        filled=r.integer("filled", 0),
    )


def parse_instance(data: object) -> Instance:
    """Validate an interchange dict (as loaded from JSON) into model objects."""
    if not isinstance(data, dict):
        raise InterchangeError("the top level must be an object with volunteers and opportunities")
    unknown = sorted(set(data) - TOP_KEYS)
    if unknown:
        raise InterchangeError(f"unknown top-level field {unknown[0]!r}")
    volunteers = tuple(_volunteer(r) for r in _records(data, "volunteers", VOLUNTEER_KEYS))
    opportunities = tuple(
        _opportunity(r) for r in _records(data, "opportunities", OPPORTUNITY_KEYS)
    )
    categories = data.get("skill_categories") or {}
    if not isinstance(categories, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in categories.items()
    ):
        raise InterchangeError("skill_categories must map skill ids to category names")
    return Instance(
        volunteers, opportunities, dict(categories), _parse_time(data.get("now"), "now")
    )


def instance_to_dict(instance: Instance) -> dict[str, Any]:
    """The inverse of :func:`parse_instance`: an interchange dict ready for ``json.dumps``."""

    def names(values: frozenset[str]) -> list[str]:
        return sorted(values)

    def located(lat: float | None, lon: float | None) -> dict[str, float]:
        return {} if lat is None or lon is None else {"lat": lat, "lon": lon}

    out: dict[str, Any] = {
        "volunteers": [
            {
                "id": v.id,
                **located(v.lat, v.lon),
                "max_km": v.max_km,
                "skills": names(v.skills),
                "causes": names(v.causes),
                "languages": names(v.languages),
                "availability": slot_names(v.availability),
                "adult": v.adult,
                "capacity": v.capacity,
            }
            for v in instance.volunteers
        ],
        "opportunities": [
            {
                "id": o.id,
                **located(o.lat, o.lon),
                "required_skills": names(o.required_skills),
                "optional_skills": names(o.optional_skills),
                "causes": names(o.causes),
                "languages": names(o.languages),
                "slots": slot_names(o.slots),
                "adults_only": o.adults_only,
                "capacity": o.capacity,
                **({} if o.starts_at is None else {"starts_at": o.starts_at.isoformat()}),
                "filled": o.filled,
            }
            for o in instance.opportunities
        ],
        "skill_categories": dict(instance.skill_category),
    }
    if instance.now is not None:
        out["now"] = instance.now.isoformat()
    return out


def _score(value: float) -> float:
    return round(value, 6)


def assignment_to_dict(
    assignment: Assignment,
    volunteers: Sequence[Volunteer],
    opportunities: Sequence[Opportunity],
    *,
    emit_candidates: bool = False,
    stats: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The ``assign`` output document (``stats`` may add e.g. timings measured by the caller)."""
    out: dict[str, Any] = {
        "assignment": [
            {"volunteer": p.volunteer, "opportunity": p.opportunity, "score": _score(p.score)}
            for p in assignment.pairs
        ],
        "total_score": _score(assignment.total_score),
    }
    if emit_candidates:
        c = assignment.candidates
        out["candidates"] = [
            {"volunteer": volunteers[v].id, "opportunity": opportunities[o].id, "score": _score(s)}
            for v, o, s in zip(
                c.volunteer.tolist(), c.opportunity.tolist(), c.score.tolist(), strict=True
            )
        ]
    out["stats"] = {**assignment.stats, **(stats or {})}
    return out


def matches_to_list(matches: Sequence[Match]) -> list[dict[str, Any]]:
    """The ``rank`` output: one object per match with score, reasons and component contributions."""
    return [
        {
            "opportunity": m.opportunity,
            "score": _score(m.score),
            "reasons": m.reasons,
            "components": {c: _score(v) for c, v in m.components.items()},
        }
        for m in matches
    ]
