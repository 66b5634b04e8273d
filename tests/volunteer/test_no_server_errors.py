"""Nothing a user can type gives a 500: every page, odd query strings, unknown ids, any role.

Routes are taken from the URL map, so a new page is covered the day it is added.
"""

import pytest
from sqlmodel import select

from tests.crawl import urls
from volunteer.demo.city import Scale, load_demo_data
from volunteer.models import MemberRole, Membership, Opportunity, Organisation, Role

ODD = {
    "q": "'; DROP TABLE opportunity; -- \x00 <script>alert(1)</script>" + "ü" * 300,
    "page": "-99999999999999999999",
    "district": "Grumme",
    "skill": "../../etc/passwd",
    "cause": "%",
    "radius": "1e309",
    "from": "2026-02-30",
    "to": "yesterday",
    "sort": "random()",
    "fits": "maybe",
    "kind": "[]",
    "next": "https://evil.example/",
    "lang": "xx",
    "token": "\u202e",
}


@pytest.fixture
def city(session, now):
    load_demo_data(session, now=now, scale=Scale(20, 30, 20), progress=False)
    session.commit()


@pytest.mark.parametrize("role", ["anonymous", "volunteer", "association", "coordinator"])
def test_no_page_answers_500_to_odd_input(app, client, login, make_user, session, city, role):
    org = session.exec(select(Organisation).where(Organisation.verified_at.is_not(None))).first()
    need = session.exec(select(Opportunity).where(Opportunity.organisation_id == org.id)).first()
    known = {"org_id": str(org.id), "opportunity_id": str(need.id)}
    if role != "anonymous":
        user = make_user(role=Role.COORDINATOR if role == "coordinator" else Role.VOLUNTEER)
        if role == "association":
            session.add(Membership(organisation_id=org.id, user_id=user.id, role=MemberRole.ADMIN))
            session.commit()
        login(user)
    failures = []
    for endpoint, url in urls(app, known):
        for query in (ODD, {}):
            response = client.get(url, query_string=query)
            if response.status_code >= 500:
                failures.append(f"{endpoint} {url} {response.status_code}")
    assert not failures, failures
