"""Both vectorised kernels against the scalar reference (rules + explain), and ranking order."""

import pytest

from matching.explain import explain
from matching.index import OpportunityIndex, VolunteerIndex
from matching.model import Opportunity, Volunteer
from matching.rank import near_misses, rank_opportunities, rank_volunteers
from matching.rules import is_eligible, violations

from .factories import CATEGORY, NOW, instance


@pytest.fixture(scope="module")
def data() -> tuple[list[Volunteer], list[Opportunity]]:
    return instance(11, 80, 60)


def test_rank_opportunities_returns_exactly_the_eligible_pairs_with_reference_scores(
    data: tuple[list[Volunteer], list[Opportunity]],
) -> None:
    vols, opps = data
    index = OpportunityIndex(opps, skill_category=CATEGORY)
    for v in vols:
        matches = rank_opportunities(v, index, limit=None, now=NOW)
        assert {m.opportunity for m in matches} == {o.id for o in opps if is_eligible(v, o)}
        for m in matches:
            ref = explain(
                v, index.items[index.position[m.opportunity]], skill_category=CATEGORY, now=NOW
            )
            assert m.score == pytest.approx(ref.score, abs=1e-12)
            assert m.components == pytest.approx(ref.components, abs=1e-12)
            assert m.reasons == ref.reasons


def test_rank_volunteers_returns_exactly_the_eligible_pairs_with_reference_scores(
    data: tuple[list[Volunteer], list[Opportunity]],
) -> None:
    vols, opps = data
    index = VolunteerIndex(vols, skill_category=CATEGORY)
    for o in opps:
        matches = rank_volunteers(o, index, limit=None, now=NOW)
        assert {m.volunteer for m in matches} == {v.id for v in vols if is_eligible(v, o)}
        for m in matches:
            ref = explain(
                index.items[index.position[m.volunteer]], o, skill_category=CATEGORY, now=NOW
            )
            assert m.score == pytest.approx(ref.score, abs=1e-12)
            assert m.reasons == ref.reasons


def test_results_are_ordered_by_score_then_id_and_cut_at_the_limit(
    data: tuple[list[Volunteer], list[Opportunity]],
) -> None:
    vols, opps = data
    for v in vols[:20]:
        everything = rank_opportunities(v, opps, limit=None, skill_category=CATEGORY, now=NOW)
        keys = [(-m.score, m.opportunity) for m in everything]
        assert keys == sorted(keys)
        assert (
            rank_opportunities(v, opps, limit=3, skill_category=CATEGORY, now=NOW) == everything[:3]
        )


def test_equal_scores_are_broken_by_id() -> None:
    v = Volunteer(id="v")
    opps = [Opportunity(id=i) for i in ("c", "a", "b")]
    assert [m.opportunity for m in rank_opportunities(v, opps)] == ["a", "b", "c"]
    vols = [Volunteer(id=i) for i in ("z", "x", "y")]
    assert [m.volunteer for m in rank_volunteers(Opportunity(id="o"), vols, limit=2)] == ["x", "y"]


def test_an_index_refuses_a_different_skill_category_mapping(
    data: tuple[list[Volunteer], list[Opportunity]],
) -> None:
    vols, opps = data
    with pytest.raises(ValueError, match="skill_category"):
        rank_opportunities(vols[0], OpportunityIndex(opps), skill_category=CATEGORY)


def test_duplicate_ids_are_refused() -> None:
    with pytest.raises(ValueError, match="duplicate"):
        OpportunityIndex([Opportunity(id="a"), Opportunity(id="a")])


def test_near_misses_fail_exactly_one_rule_and_say_which(
    data: tuple[list[Volunteer], list[Opportunity]],
) -> None:
    vols, opps = data
    index = OpportunityIndex(opps, skill_category=CATEGORY)
    seen = 0
    for v in vols:
        misses = near_misses(v, index, limit=None, now=NOW)
        expected = set()
        for o in opps:
            failed = violations(v, o)
            rules = {r["code"] for r in failed}
            if len(failed) == 1 and rules != {"no_open_place"}:
                expected.add(o.id)
        assert {m.opportunity for m in misses} == expected
        for m in misses:
            ref = explain(
                v, index.items[index.position[m.opportunity]], skill_category=CATEGORY, now=NOW
            )
            assert m.missing == ref.missing
            assert m.score == pytest.approx(ref.score, abs=1e-12)
        seen += len(misses)
    assert seen > 0


def test_unknown_skills_and_languages_of_the_query_side_are_handled() -> None:
    vols = [Volunteer(id="v", skills=frozenset({"a"}), languages=frozenset({"de"}))]
    assert rank_volunteers(Opportunity(id="o", required_skills=frozenset({"zz"})), vols) == []
    assert rank_volunteers(Opportunity(id="o", languages=frozenset({"fr"})), vols) == []
    (m,) = rank_volunteers(
        Opportunity(id="o", optional_skills=frozenset({"b"})),
        vols,
        skill_category={"a": "c", "b": "c"},
    )
    assert {"code": "related_skill", "skill": "b", "category": "c"} in m.reasons
    (m,) = rank_opportunities(
        Volunteer(id="w", skills=frozenset({"q", "a"})),
        [Opportunity(id="o", optional_skills=frozenset({"b"}))],
        skill_category={"a": "c", "b": "c"},
    )
    assert m.score == pytest.approx(
        explain(
            Volunteer(id="w", skills=frozenset({"q", "a"})),
            Opportunity(id="o", optional_skills=frozenset({"b"})),
            skill_category={"a": "c", "b": "c"},
        ).score
    )


def test_empty_inputs_give_empty_rankings() -> None:
    assert rank_opportunities(Volunteer(id="v"), []) == []
    assert rank_volunteers(Opportunity(id="o"), []) == []
