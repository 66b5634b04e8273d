"""Each eligibility rule on its own, with the near-miss code it produces."""

import pytest

from matching.model import SAT_MORNING, SUN_EVENING, Opportunity, Volunteer
from matching.rules import is_eligible, violations

# About 1.8 km apart (Bochum centre and Grumme).
CENTRE = {"lat": 51.4818, "lon": 7.2162}
GRUMME = {"lat": 51.4943, "lon": 7.2327}

BASE_VOLUNTEER = Volunteer(
    id="v",
    **CENTRE,
    max_km=5.0,
    skills=frozenset({"first-aid"}),
    languages=frozenset({"de"}),
    availability=SAT_MORNING,
    adult=True,
)
BASE_OPPORTUNITY = Opportunity(
    id="o",
    **GRUMME,
    required_skills=frozenset({"first-aid"}),
    languages=frozenset({"de", "en"}),
    slots=SAT_MORNING | SUN_EVENING,
    adults_only=True,
)


def vol(**changes: object) -> Volunteer:
    return Volunteer(**{**{f: getattr(BASE_VOLUNTEER, f) for f in Volunteer.__slots__}, **changes})  # type: ignore[arg-type]


def opp(**changes: object) -> Opportunity:
    fields = Opportunity.__slots__
    return Opportunity(**{**{f: getattr(BASE_OPPORTUNITY, f) for f in fields}, **changes})  # type: ignore[arg-type]


def test_the_base_pair_is_eligible() -> None:
    assert is_eligible(BASE_VOLUNTEER, BASE_OPPORTUNITY)


@pytest.mark.parametrize(
    ("volunteer", "opportunity", "code"),
    [
        (BASE_VOLUNTEER, opp(capacity=0), "no_open_place"),
        (vol(max_km=1.0), BASE_OPPORTUNITY, "beyond_radius"),
        (vol(lat=None, lon=None), BASE_OPPORTUNITY, "no_location"),
        (vol(skills=frozenset()), BASE_OPPORTUNITY, "missing_skill"),
        (vol(availability=0), BASE_OPPORTUNITY, "no_common_slot"),
        (vol(languages=frozenset({"tr"})), BASE_OPPORTUNITY, "no_common_language"),
        (vol(adult=False), BASE_OPPORTUNITY, "adults_only"),
    ],
)
def test_each_failed_rule_makes_the_pair_ineligible_with_its_code(
    volunteer: Volunteer, opportunity: Opportunity, code: str
) -> None:
    assert [r["code"] for r in violations(volunteer, opportunity)] == [code]


def test_beyond_radius_says_by_how_much() -> None:
    (reason,) = violations(vol(max_km=1.0), BASE_OPPORTUNITY)
    assert reason == {"code": "beyond_radius", "km_over": pytest.approx(0.8, abs=0.05)}


def test_each_missing_skill_is_named() -> None:
    o = opp(required_skills=frozenset({"first-aid", "driving", "cooking"}))
    assert violations(BASE_VOLUNTEER, o) == [
        {"code": "missing_skill", "skill": "cooking"},
        {"code": "missing_skill", "skill": "driving"},
    ]


@pytest.mark.parametrize(
    "opportunity",
    [
        opp(lat=None, lon=None),  # remote: distance does not matter
        opp(slots=0),  # no fixed time
        opp(languages=frozenset()),  # any language
        opp(adults_only=False),
        opp(required_skills=frozenset()),
    ],
)
def test_unnamed_requirements_do_not_restrict(opportunity: Opportunity) -> None:
    volunteer = vol(lat=None, lon=None, availability=0, languages=frozenset(), adult=False)
    volunteer = vol(skills=frozenset()) if opportunity.required_skills == frozenset() else volunteer
    remaining = {r["code"] for r in violations(volunteer, opportunity)}
    relaxed = {
        "no_location": opportunity.remote,
        "no_common_slot": opportunity.slots == 0,
        "no_common_language": not opportunity.languages,
        "adults_only": not opportunity.adults_only,
        "missing_skill": not opportunity.required_skills,
    }
    for code, is_relaxed in relaxed.items():
        if is_relaxed:
            assert code not in remaining


def test_a_volunteer_without_location_matches_remote_opportunities() -> None:
    assert is_eligible(vol(lat=None, lon=None), opp(lat=None, lon=None))


def test_exactly_at_the_radius_is_eligible() -> None:
    assert is_eligible(vol(max_km=0.0), opp(**CENTRE))
