"""Copy the shipped reference data (taxonomy, causes, gazetteer) into the database.

The CSVs under ``volunteer/data`` are the source of truth; the tables exist so that profiles,
opportunities and statistics can reference them by key and join on them. Running the sync again
updates changed labels and adds new rows, never duplicates (it matches on slug, number or code).
Rows that disappeared from the CSVs are kept: profiles and opportunities may still point at them.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, SQLModel, select

from volunteer.catalogue.gazetteer import Gazetteer, default_gazetteer
from volunteer.catalogue.reference import Slugged, load_causes, load_skill_categories, load_skills
from volunteer.models import Borough, Cause, District, Postcode, Skill, SkillCategory


@dataclass(frozen=True, slots=True)
class SyncCounts:
    """How many rows of each table were inserted and updated (for the CLI's summary)."""

    inserted: dict[str, int]
    updated: dict[str, int]

    def __str__(self) -> str:
        parts = [
            f"{table}: +{self.inserted[table]} ~{self.updated[table]}" for table in self.inserted
        ]
        return "Reference data " + ", ".join(parts)


def _upsert(
    session: Session, model: type[SQLModel], key: str, rows: Iterable[dict[str, Any]]
) -> tuple[int, int]:
    """Insert rows whose ``key`` is new, update changed columns of existing ones.

    Portable on purpose (no ON CONFLICT dialects): the tables hold at most a few hundred rows.
    """
    existing = {getattr(obj, key): obj for obj in session.exec(select(model)).all()}
    inserted = updated = 0
    for row in rows:
        obj = existing.get(row[key])
        if obj is None:
            session.add(model(**row))
            inserted += 1
            continue
        changed = False
        for column, value in row.items():
            if getattr(obj, column) != value:
                setattr(obj, column, value)
                changed = True
        updated += changed
    # Flush per table: later tables reference earlier ones by foreign key.
    session.flush()
    return inserted, updated


def _slug_and_labels(item: Slugged) -> dict[str, Any]:
    """The columns of a reference table that holds only a slug and the two labels."""
    return {"slug": item.slug, "label_de": item.label_de, "label_en": item.label_en}


def sync_reference_data(session: Session, *, gazetteer: Gazetteer | None = None) -> SyncCounts:
    """Upsert skill categories, skills, causes, boroughs, districts and postcodes. Flushes only."""
    gaz = gazetteer or default_gazetteer()
    plan: Sequence[tuple[str, type[SQLModel], str, Iterable[dict[str, Any]]]] = (
        (
            "skill_categories",
            SkillCategory,
            "slug",
            map(_slug_and_labels, load_skill_categories()),
        ),
        (
            "skills",
            Skill,
            "slug",
            (
                {
                    "slug": s.slug,
                    "category_slug": s.category,
                    "label_de": s.label_de,
                    "label_en": s.label_en,
                    "synonyms_de": ";".join(s.synonyms_de),
                    "synonyms_en": ";".join(s.synonyms_en),
                }
                for s in load_skills()
            ),
        ),
        (
            "causes",
            Cause,
            "slug",
            map(_slug_and_labels, load_causes()),
        ),
        (
            "boroughs",
            Borough,
            "number",
            (
                {"number": b.number, "name": b.name, "lat": b.lat, "lon": b.lon}
                for b in gaz.boroughs
            ),
        ),
        (
            "districts",
            District,
            "number",
            (
                {
                    "number": d.number,
                    "name": d.name,
                    "borough_number": d.borough_number,
                    "lat": d.lat,
                    "lon": d.lon,
                    "area_km2": d.area_km2,
                }
                for d in gaz.districts
            ),
        ),
        (
            "postcodes",
            Postcode,
            "code",
            (
                {"code": p.code, "lat": p.lat, "lon": p.lon, "district_number": p.district_number}
                for p in gaz.postcodes
            ),
        ),
    )
    inserted: dict[str, int] = {}
    updated: dict[str, int] = {}
    for name, model, key, rows in plan:
        inserted[name], updated[name] = _upsert(session, model, key, rows)
    return SyncCounts(inserted=inserted, updated=updated)


def reference_ids(session: Session) -> tuple[dict[str, int], dict[str, int]]:
    """Skill and cause ids by slug, for writing association rows in bulk."""
    skills = {slug: id_ for slug, id_ in session.exec(select(Skill.slug, Skill.id)).all()}
    causes = {slug: id_ for slug, id_ in session.exec(select(Cause.slug, Cause.id)).all()}
    return skills, causes  # type: ignore[return-value]
