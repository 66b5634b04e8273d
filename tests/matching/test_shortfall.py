"""Near misses seen from a need match the scalar rules: exactly one failed rule, named."""

import random

import numpy as np

from matching.geo import haversine_km
from matching.index import VolunteerIndex
from matching.model import Opportunity, Volunteer
from matching.rules import is_eligible, violations
from matching.shortfall import near_misses
from tests.matching.factories import CATEGORY, opportunity, volunteer

EXTRA_KM = 2.0


def _expected(vs: list[Volunteer], o: Opportunity) -> dict[str, set[str]]:
    """The scalar reference: who fails exactly one rule, by the rule (distance within 2 km)."""
    out: dict[str, set[str]] = {"distance": set(), "availability": set(), "language": set()}
    out["age"] = set()
    for v in vs:
        failed = violations(v, o)
        if len(failed) != 1:
            continue
        code = failed[0]["code"]
        if code == "missing_skill":
            out.setdefault(f"skill:{failed[0]['skill']}", set()).add(v.id)
        elif code == "beyond_radius":
            km = float(haversine_km(v.lat, v.lon, np.float64(o.lat), np.float64(o.lon)))
            if km - v.max_km <= EXTRA_KM:
                out["distance"].add(v.id)
        elif code == "no_common_slot":
            out["availability"].add(v.id)
        elif code == "no_common_language":
            out["language"].add(v.id)
        elif code == "adults_only":
            out["age"].add(v.id)
    return out


def test_near_misses_are_exactly_the_volunteers_failing_one_rule() -> None:
    rng = random.Random(12)
    vs = [volunteer(rng, i) for i in range(300)]
    index = VolunteerIndex(vs, skill_category=CATEGORY)
    checked = 0
    for j in range(60):
        o = opportunity(rng, j)
        if o.capacity < 1:
            none = near_misses(index, o, extra_km=EXTRA_KM)  # a full need has no near misses
            assert not none.skill and none.distance.size == none.availability.size == 0
            continue
        misses = near_misses(index, o, extra_km=EXTRA_KM)
        found = {
            "distance": {vs[i].id for i in misses.distance},
            "availability": {vs[i].id for i in misses.availability},
            "language": {vs[i].id for i in misses.language},
            "age": {vs[i].id for i in misses.age},
        }
        for skill, rows in misses.skill.items():
            if rows.shape[0]:
                found[f"skill:{skill}"] = {vs[i].id for i in rows}
        assert found == _expected(vs, o)
        eligible = {vs[i].id for i in index.eligible(o)}
        assert eligible == {v.id for v in vs if is_eligible(v, o)}
        assert not eligible & set().union(*found.values())
        checked += sum(len(x) for x in found.values())
    assert checked > 100  # the instance exercises every rule, not just empty sets


def test_a_volunteer_without_a_location_is_no_near_miss_of_a_located_need() -> None:
    need = Opportunity(id="o", lat=51.48, lon=7.22, required_skills=frozenset({"first-aid"}))
    nowhere = Volunteer(id="a", skills=frozenset({"first-aid"}))
    just_out = Volunteer(id="b", lat=51.48, lon=7.25, max_km=1.0, skills=frozenset({"first-aid"}))
    lacking = Volunteer(id="c", lat=51.48, lon=7.22, max_km=5.0)
    misses = near_misses(VolunteerIndex([nowhere, just_out, lacking]), need, extra_km=2.0)
    assert misses.distance.tolist() == [1]  # about 2.1 km away, 1 km radius: 1.1 km too far
    assert misses.skill["first-aid"].tolist() == [2]
    assert misses.availability.size == misses.language.size == misses.age.size == 0
