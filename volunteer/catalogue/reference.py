"""Reference data shipped with the app: skills taxonomy, skill categories, causes, languages.

The lists live in CSV files under ``volunteer/data/`` so that associations and translators can
edit them without touching code, and so that another city can swap them. They are read through
``importlib.resources`` (works from a checkout, a wheel and the Docker image alike) and cached:
the files never change while the process runs. ``volunteer.catalogue.sync`` copies them into the
database, where the rest of the app references them by slug.
"""

import csv
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from types import MappingProxyType
from typing import TypeVar

DATA: Traversable = files("volunteer") / "data"


def read_csv(resource: Traversable) -> Iterator[dict[str, str]]:
    """Yield the rows of a UTF-8 CSV resource as dicts (stripped; empty cells become "")."""
    # The files are small; reading them whole avoids Traversable.open's missing newline= option.
    text = resource.read_text(encoding="utf-8-sig")
    for row in csv.DictReader(io.StringIO(text, newline="")):
        yield {key.strip(): (value or "").strip() for key, value in row.items() if key}


def split_list(cell: str) -> tuple[str, ...]:
    """Split a ``;``-separated cell into a tuple, dropping blanks."""
    return tuple(part.strip() for part in cell.split(";") if part.strip())


@dataclass(frozen=True, slots=True, kw_only=True)
class Labelled:
    """Anything with a German and an English label; ``label(locale)`` picks one."""

    label_de: str
    label_en: str

    def label(self, locale: str = "de") -> str:
        """German unless the locale asks for English (the only two catalogues we ship)."""
        return self.label_en if locale.lower().startswith("en") else self.label_de


LabelledT = TypeVar("LabelledT", bound=Labelled)


@dataclass(frozen=True, slots=True, kw_only=True)
class Slugged(Labelled):
    """Reference data the database tables key by slug (``volunteer.catalogue.sync``)."""

    slug: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SkillCategory(Slugged):
    """A group of skills, used to structure the multi-select and the statistics."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Skill(Slugged):
    """One skill an association may ask for; synonyms feed the search and free-text matching."""

    category: str
    synonyms_de: tuple[str, ...]
    synonyms_en: tuple[str, ...]

    @property
    def terms(self) -> tuple[str, ...]:
        """Every name this skill is known by, in both languages (for search indexing)."""
        return (self.label_de, self.label_en, *self.synonyms_de, *self.synonyms_en)


@dataclass(frozen=True, slots=True, kw_only=True)
class Cause(Slugged):
    """A cause a volunteer cares about and an opportunity serves."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Language(Labelled):
    """A language a volunteer speaks; ``code`` is a BCP 47 primary tag (ISO 639-1, else -3)."""

    code: str


def _load_labelled(
    kind: type[LabelledT], filename: str, key: str = "slug"
) -> tuple[LabelledT, ...]:
    """The rows of a file that holds only a key and the two labels, in file order."""
    return tuple(
        kind(**{key: r[key]}, label_de=r["label_de"], label_en=r["label_en"])
        for r in read_csv(DATA / filename)
    )


@cache
def load_skill_categories() -> tuple[SkillCategory, ...]:
    """All skill categories in file order (the order the profile form shows them)."""
    return _load_labelled(SkillCategory, "skill_categories.csv")


@cache
def load_skills() -> tuple[Skill, ...]:
    """All skills in file order (grouped by category in the file)."""
    return tuple(
        Skill(
            slug=r["slug"],
            category=r["category"],
            label_de=r["label_de"],
            label_en=r["label_en"],
            synonyms_de=split_list(r["synonyms_de"]),
            synonyms_en=split_list(r["synonyms_en"]),
        )
        for r in read_csv(DATA / "skills.csv")
    )


@cache
def load_causes() -> tuple[Cause, ...]:
    """All causes in file order."""
    return _load_labelled(Cause, "causes.csv")


@cache
def load_languages() -> tuple[Language, ...]:
    """Languages commonly spoken in the city, German first."""
    return _load_labelled(Language, "languages.csv", key="code")


@cache
def skills_by_slug() -> Mapping[str, Skill]:
    """Skills keyed by slug, for validating form input and CSV imports (read-only: cached)."""
    return MappingProxyType({skill.slug: skill for skill in load_skills()})
