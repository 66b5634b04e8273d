"""The shipped reference data is complete, consistent and translated both ways."""

import dataclasses

import pytest

from volunteer.catalogue.gazetteer import default_gazetteer, load_gazetteer
from volunteer.catalogue.reference import (
    DATA,
    load_causes,
    load_languages,
    load_skill_categories,
    load_skills,
    skills_by_slug,
)

LABELLED = [
    ("skills", load_skills),
    ("skill_categories", load_skill_categories),
    ("causes", load_causes),
]


def test_there_are_enough_skills_for_a_real_city() -> None:
    assert len(load_skills()) >= 60


def test_there_are_about_ten_skill_categories_and_fourteen_causes() -> None:
    assert 8 <= len(load_skill_categories()) <= 14
    assert len(load_causes()) >= 14


def test_languages_include_those_widely_spoken_in_bochum() -> None:
    codes = [language.code for language in load_languages()]
    assert codes[0] == "de"
    assert {"en", "tr", "ar", "uk", "ru", "pl", "fa", "ku"} <= set(codes)
    assert len(codes) == len(set(codes))


@pytest.mark.parametrize(("name", "loader"), LABELLED)
def test_slugs_are_unique_and_url_safe(name, loader) -> None:
    slugs = [item.slug for item in loader()]
    assert len(slugs) == len(set(slugs)), name
    assert all(slug.replace("-", "").isalnum() and slug == slug.lower() for slug in slugs)


@pytest.mark.parametrize(("name", "loader"), [*LABELLED, ("languages", load_languages)])
def test_every_label_is_translated_both_ways(name, loader) -> None:
    for item in loader():
        assert item.label_de and item.label_en, (name, item)
        assert item.label("de") == item.label_de
        assert item.label("en_GB") == item.label_en


def test_labels_are_unique_within_each_language() -> None:
    for attribute in ("label_de", "label_en"):
        labels = [getattr(skill, attribute) for skill in load_skills()]
        assert len(labels) == len(set(labels)), attribute


def test_every_skill_belongs_to_an_existing_category() -> None:
    categories = {category.slug for category in load_skill_categories()}
    assert {skill.category for skill in load_skills()} == categories


def test_skills_carry_synonyms_for_search() -> None:
    juleica = skills_by_slug()["juleica"]
    assert "Jugendleiterkarte" in juleica.synonyms_de
    assert "Juleica" in juleica.terms
    assert all(skill.synonyms_de for skill in load_skills())


def test_skills_that_associations_ask_for_are_present() -> None:
    labels = {skill.label_de for skill in load_skills()}
    for expected in (
        "Hausaufgabenhilfe",
        "Deutsch als Zweitsprache unterrichten",
        "Erste Hilfe",
        "Führerschein Klasse B",
        "Kassenprüfung",
        "Jugendleiter-Card (Juleica)",
        "Tafel-Ausgabe & Lebensmittelsortierung",
    ):
        assert expected in labels


def test_reference_records_are_immutable() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        load_skills()[0].slug = "changed"  # type: ignore[misc]


def test_gazetteer_has_every_district_borough_and_postcode_of_bochum() -> None:
    gazetteer = default_gazetteer()
    assert gazetteer.city.name == "Bochum"
    assert len(gazetteer.districts) == 30
    assert len(gazetteer.boroughs) == 6
    assert len(gazetteer.postcodes) == 18
    assert len({d.number for d in gazetteer.districts}) == 30


def test_each_borough_lists_exactly_its_districts() -> None:
    gazetteer = default_gazetteer()
    for borough in gazetteer.boroughs:
        members = {d.number for d in gazetteer.districts if d.borough_number == borough.number}
        assert set(borough.district_numbers) == members
        assert all(gazetteer.district(n).borough_name == borough.name for n in members)


def test_every_point_in_the_gazetteer_lies_inside_the_city() -> None:
    gazetteer = default_gazetteer()
    points = [*gazetteer.districts, *gazetteer.boroughs, *gazetteer.postcodes, *gazetteer.ortsteile]
    assert all(gazetteer.city.contains(p.lat, p.lon) for p in points)


def test_each_postcode_maps_to_the_district_holding_most_of_it() -> None:
    gazetteer = default_gazetteer()
    westenfeld = gazetteer.postcode("44867")
    assert westenfeld is not None
    assert gazetteer.district(westenfeld.district_number).name == "Westenfeld"
    assert gazetteer.district(westenfeld.centroid_district_number).name == "Höntrop"
    for postcode in gazetteer.postcodes:
        assert gazetteer.city.postcode_in_range(postcode.code)
        assert gazetteer.district(postcode.district_number).borough_number == (
            postcode.borough_number
        )


def test_district_aliases_drop_the_source_notes() -> None:
    aliases = {a for d in default_gazetteer().districts for a in d.aliases}
    assert "Munscheid" in aliases
    assert not any("(" in alias for alias in aliases)


def test_a_gazetteer_can_be_loaded_from_another_directory(tmp_path) -> None:
    source = DATA / "gazetteer"
    for name in ("city.csv", "stadtbezirke.csv", "stadtteile.csv", "plz.csv"):
        text = (source / name).read_text(encoding="utf-8")
        (tmp_path / name).write_text(text.replace("Bochum", "Herne"), encoding="utf-8")
    other = load_gazetteer(tmp_path)
    assert other.city.name == "Herne"
    assert other.ortsteile == ()
    assert other.find_place("Herne-Höntrop") is not None
