"""The public read API: listed needs only, strict parameters, problem details on errors."""

import pytest
from sqlmodel import Session, select

from tests.conftest import FIXED_NOW
from volunteer.demo.city import Scale, load_demo_data
from volunteer.models import Opportunity, OpportunityStatus, Organisation


@pytest.fixture(scope="module")
def city(module_bind):
    """A small city, built once per backend: every test here only reads it through the API."""
    with Session(bind=module_bind, expire_on_commit=False) as session:
        load_demo_data(session, now=FIXED_NOW, scale=Scale(40, 30, 30), progress=False)
        session.commit()
    return module_bind


@pytest.fixture
def bind(city):
    """The app and the test's session read the module's city."""
    return city


def test_lists_only_what_the_website_lists(client, session, city):
    body = client.get("/api/v1/opportunities").json
    assert body["total"] > 0 and len(body["items"]) <= 20
    listed = {
        o.id
        for o, org in session.exec(
            select(Opportunity, Organisation).join(
                Organisation, Organisation.id == Opportunity.organisation_id
            )
        ).all()
        if o.status == OpportunityStatus.PUBLISHED and org.verified_at is not None
    }
    assert {item["id"] for item in body["items"]} <= listed
    assert client.get("/api/v1/opportunities").headers["Access-Control-Allow-Origin"] == "*"


def test_detail_of_a_listed_need_and_404_for_others(client, session, city):
    item = client.get("/api/v1/opportunities").json["items"][0]
    detail = client.get(item["api_url"].replace("http://localhost", ""))
    assert detail.status_code == 200 and detail.json["title"] == item["title"]
    assert all(s["start"] < s["end"] for s in detail.json["shifts"])
    draft = session.exec(
        select(Opportunity).where(Opportunity.status != OpportunityStatus.PUBLISHED)
    ).first()
    for oid in ([draft.id] if draft else []) + [999_999]:
        missing = client.get(f"/api/v1/opportunities/{oid}")
        assert missing.status_code == 404
        assert missing.mimetype == "application/problem+json"


@pytest.mark.parametrize(
    "query",
    [
        "page=abc",
        "page=0",
        "skill=no-such-skill",
        "district=999",
        "from=24.12.2026",
        "sort=best",
        "colour=blue",
        "minors=yes",
        "q=" + "x" * 500,
    ],
)
def test_bad_parameters_get_problem_details(client, city, query):
    response = client.get(f"/api/v1/opportunities?{query}")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    name = query.split("=")[0]
    assert name in [p["name"] for p in response.json["invalid_params"]]


def test_filters_and_reference_endpoints(client, city):
    districts = client.get("/api/v1/districts").json
    assert len(districts) == 30
    busiest = max(districts, key=lambda d: d["listed_opportunities"])
    filtered = client.get(f"/api/v1/opportunities?district={busiest['number']}").json
    assert filtered["total"] == busiest["listed_opportunities"]
    taxonomy = client.get("/api/v1/taxonomy").json
    assert len(taxonomy["skills"]) >= 60 and {"de", "en"} <= set(taxonomy["causes"][0])
