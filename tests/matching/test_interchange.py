import pytest

from matching.interchange import InterchangeError, parse_instance
from matching.model import SAT_MORNING


def doc(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {
        "volunteers": [
            {
                "id": "v1",
                "lat": 51.48,
                "lon": 7.22,
                "max_km": 5,
                "skills": ["cooking"],
                "causes": [],
                "languages": ["de"],
                "availability": ["sat-morning"],
                "adult": True,
                "capacity": 1,
            }
        ],
        "opportunities": [
            {
                "id": "o1",
                "lat": None,
                "lon": None,
                "slots": [],
                "starts_at": "2025-05-02T10:00:00+02:00",
            }
        ],
    }
    return {**base, **changes}


def test_a_valid_document_becomes_model_objects() -> None:
    instance = parse_instance(
        doc(skill_categories={"cooking": "kitchen"}, now="2025-05-01T12:00:00Z")
    )
    (v,) = instance.volunteers
    assert v.availability == SAT_MORNING and v.skills == {"cooking"} and v.max_km == 5.0
    (o,) = instance.opportunities
    assert o.remote and o.capacity == 1 and o.starts_at is not None
    assert instance.skill_category == {"cooking": "kitchen"}
    assert instance.now is not None


@pytest.mark.parametrize(
    ("volunteer", "message"),
    [
        ({"lat": None}, "missing id"),
        (
            {"id": "v2", "availability": ["mon-night"]},
            "volunteers[1] (id 'v2'): unknown slot 'mon-night'",
        ),
        ({"id": "v1"}, "volunteers[1] (id 'v1'): duplicate id (first at volunteers[0])"),
        (
            {"id": "v2", "lat": 95, "lon": 7, "max_km": 1},
            "volunteers[1] (id 'v2'): lat 95.0 out of range",
        ),
        ({"id": "v2", "lat": 51, "lon": -190, "max_km": 1}, "lon -190.0 out of range"),
        ({"id": "v2", "capacity": -1}, "volunteers[1] (id 'v2'): capacity must not be negative"),
        ({"id": "v2", "lat": 51, "lon": 7}, "max_km is required"),
        ({"id": "v2", "availabilty": []}, "unknown field 'availabilty'"),
        ({"id": "v2", "adult": "yes"}, "adult must be true or false"),
        ({"id": 7}, "id must be a string"),
        ({"id": "v2", "skills": "cooking"}, "skills must be a list"),
    ],
)
def test_malformed_volunteers_are_rejected_naming_the_record(
    volunteer: dict[str, object], message: str
) -> None:
    data = doc()
    data["volunteers"] = [*data["volunteers"], volunteer]  # type: ignore[misc]
    with pytest.raises(InterchangeError) as info:
        parse_instance(data)
    assert message in str(info.value)


@pytest.mark.parametrize(
    ("opportunity", "message"),
    [
        ({"id": "o2", "slots": ["someday"]}, "opportunities[1] (id 'o2'): unknown slot 'someday'"),
        ({"id": "o2", "capacity": -3}, "opportunities[1] (id 'o2'): capacity must not be negative"),
        ({"id": "o2", "starts_at": "2025-05-01T10:00"}, "needs a UTC offset"),
        ({"id": "o2", "starts_at": "soon"}, "not an ISO 8601"),
        ({"id": "o1"}, "duplicate id"),
    ],
)
def test_malformed_opportunities_are_rejected_naming_the_record(
    opportunity: dict[str, object], message: str
) -> None:
    data = doc()
    data["opportunities"] = [*data["opportunities"], opportunity]  # type: ignore[misc]
    with pytest.raises(InterchangeError) as info:
        parse_instance(data)
    assert message in str(info.value)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "top level"),
        ({"volunteers": []}, "opportunities must be a list"),
        (doc(extra=1), "unknown top-level field 'extra'"),
        (doc(skill_categories=["x"]), "skill_categories"),
    ],
)
def test_malformed_documents_are_rejected(data: object, message: str) -> None:
    with pytest.raises(InterchangeError, match=message):
        parse_instance(data)
