"""Skills, skill categories and causes: the shared vocabulary of volunteers and needs."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from volunteer.models.base import at_field


class SkillCategory(SQLModel, table=True):
    slug: str = Field(primary_key=True, max_length=60)
    label_de: str = Field(max_length=120)
    label_en: str = Field(max_length=120)


class Skill(SQLModel, table=True):
    """A skill associations ask for; ``synonyms`` help search (semicolon-separated)."""

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=80, unique=True)
    category_slug: str = Field(foreign_key="skillcategory.slug", index=True, max_length=60)
    label_de: str = Field(max_length=160)
    label_en: str = Field(max_length=160)
    synonyms_de: str = Field(default="", max_length=1000)
    synonyms_en: str = Field(default="", max_length=1000)


class Cause(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=80, unique=True)
    label_de: str = Field(max_length=160)
    label_en: str = Field(max_length=160)


class SkillSuggestion(SQLModel, table=True):
    """A free-text skill a volunteer missed in the taxonomy, queued for a coordinator."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    text: str = Field(max_length=160)
    status: str = Field(default="open", max_length=20, index=True)  # open / added / dismissed
    created_at: datetime = at_field(default_now=True)
