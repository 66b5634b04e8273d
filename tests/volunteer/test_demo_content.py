"""The demo texts only refer to skills, causes and languages that exist."""

from volunteer.catalogue.reference import (
    load_causes,
    load_languages,
    load_skill_categories,
    load_skills,
)
from volunteer.demo.content import NAME_GROUPS, ORG_TEMPLATES, PERSONAS


def test_every_slug_in_the_demo_templates_exists() -> None:
    skills = {s.slug for s in load_skills()}
    causes = {c.slug for c in load_causes()}
    for org in ORG_TEMPLATES:
        assert set(org.causes) <= causes, org.key
        for need in org.needs:
            assert set(need.skills) | set(need.nice_to_have) <= skills, need.title
            assert set(need.causes) <= causes, need.title


def test_name_groups_speak_known_languages_and_weigh_one() -> None:
    languages = {language.code for language in load_languages()}
    assert all(set(group.languages) <= languages for group in NAME_GROUPS)
    assert abs(sum(group.weight for group in NAME_GROUPS) - 1) < 1e-9


def test_personas_draw_from_known_categories() -> None:
    categories = {c.slug for c in load_skill_categories()}
    assert all(set(areas) <= categories for _, _, areas in PERSONAS)
