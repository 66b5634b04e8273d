"""Property tests: monotonicity, consistency of explanations, determinism."""

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from matching.explain import explain
from matching.model import ALL_SLOTS, Opportunity, Volunteer
from matching.rank import rank_opportunities
from matching.rules import is_eligible

from .factories import CATEGORY, NOW, SKILLS

skills = st.frozensets(st.sampled_from(SKILLS), max_size=4)
langs = st.frozensets(st.sampled_from(["de", "en", "ar"]), max_size=2)
lat = st.floats(51.40, 51.55)
lon = st.floats(7.10, 7.35)

volunteers = st.builds(
    Volunteer,
    id=st.just("v"),
    lat=lat,
    lon=lon,
    max_km=st.floats(0.5, 20.0),
    skills=skills,
    causes=st.frozensets(st.sampled_from(["a", "b"]), max_size=2),
    languages=langs,
    availability=st.integers(0, ALL_SLOTS),
    adult=st.booleans(),
)
opportunities = st.builds(
    Opportunity,
    id=st.text("abcdef", min_size=1, max_size=3),
    lat=lat,
    lon=lon,
    required_skills=st.frozensets(st.sampled_from(SKILLS), max_size=2),
    optional_skills=skills,
    causes=st.frozensets(st.sampled_from(["a", "b"]), max_size=1),
    languages=langs,
    slots=st.integers(0, ALL_SLOTS),
    adults_only=st.booleans(),
    capacity=st.integers(1, 3),
)


@settings(max_examples=150, deadline=None)
@given(volunteers, opportunities, st.floats(0.0, 1.0))
def test_moving_a_volunteer_closer_never_lowers_the_score(
    v: Volunteer, o: Opportunity, t: float
) -> None:
    assert o.lat is not None and o.lon is not None and v.lat is not None and v.lon is not None
    closer = dataclasses.replace(
        v, lat=v.lat + t * (o.lat - v.lat), lon=v.lon + t * (o.lon - v.lon)
    )
    before = explain(v, o, skill_category=CATEGORY, now=NOW)
    after = explain(closer, o, skill_category=CATEGORY, now=NOW)
    assert after.score >= before.score - 1e-12
    if before.eligible:
        assert after.eligible


@settings(max_examples=150, deadline=None)
@given(volunteers, opportunities, st.sampled_from(SKILLS))
def test_gaining_a_skill_never_makes_an_eligible_pair_ineligible_or_lowers_its_score(
    v: Volunteer, o: Opportunity, skill: str
) -> None:
    richer = dataclasses.replace(v, skills=v.skills | {skill})
    before = explain(v, o, skill_category=CATEGORY)
    after = explain(richer, o, skill_category=CATEGORY)
    if before.eligible:
        assert after.eligible
    assert after.score >= before.score - 1e-12


@settings(max_examples=150, deadline=None)
@given(volunteers, opportunities)
def test_explanation_components_add_up_to_the_score(v: Volunteer, o: Opportunity) -> None:
    e = explain(v, o, skill_category=CATEGORY, now=NOW)
    assert abs(sum(e.components.values()) - e.score) <= 1e-12
    assert -1e-12 <= e.score <= 1 + 1e-12


@settings(max_examples=60, deadline=None)
@given(volunteers, st.lists(opportunities, max_size=12, unique_by=lambda o: o.id))
def test_ranking_is_deterministic_and_consistent_with_explain(
    v: Volunteer, opps: list[Opportunity]
) -> None:
    first = rank_opportunities(v, opps, limit=None, skill_category=CATEGORY, now=NOW)
    again = rank_opportunities(
        v, list(reversed(opps)), limit=None, skill_category=CATEGORY, now=NOW
    )
    assert first == again
    assert {m.opportunity for m in first} == {o.id for o in opps if is_eligible(v, o)}
    for m in first:
        assert abs(sum(m.components.values()) - m.score) <= 1e-12
