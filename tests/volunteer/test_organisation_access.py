"""The access matrix: nobody sees or changes another organisation's pages or objects (404).

Routes are enumerated from the URL map, so a route added later is covered without editing this
file; a new kind of URL argument makes the test fail until it is given a value here.
"""

from datetime import timedelta

import pytest
from sqlmodel import select

from tests.factories import (
    add_shift,
    create_need,
    make_profile,
    make_signup,
    register_org,
    seed_reference,
)
from volunteer.models import HourEntry, Membership, Opportunity, Role, Shift, Signup
from volunteer.platform.links import public_links
from volunteer.services.engagement import hours
from volunteer.services.organisations import invitations

# Public on purpose: a verified organisation's logo appears on its public needs.
PUBLIC_ENDPOINTS = {"organisations.logo"}
FORM = {
    "status": "closed",
    "action": "accept",
    "role": "admin",
    "message": "Hallo",
    "title": "Übernommen",
    "address": "44787",
    "name": "Übernommen",
    "kind": "verein",
    "contact_email": "x@example.org",
    "email": "x@example.org",
    "day": "2026-12-24",
    "start_time": "10:00",
    "end_time": "12:00",
    "capacity": "5",
    "repeat": "once",
    "every_weeks": "1",
}


@pytest.fixture
def two_orgs(app, session, make_user, now):
    seed_reference(session)
    coordinator = make_user(role=Role.COORDINATOR)
    worlds = {}
    for key in ("a", "b"):
        admin = make_user(first_name=f"Admin{key}")
        org = register_org(session, admin, now=now, coordinator=coordinator, name=f"Verein {key}")
        need = create_need(session, org, admin, now=now)
        shift = add_shift(session, need, admin, now=now)
        volunteer = make_user(first_name=f"Vol{key}")
        make_profile(session, volunteer, now=now)
        signup = make_signup(session, volunteer, shift, now=now)
        entry = hours.submit_hours(
            session, volunteer, signup, minutes=60, margin_minutes=0, now=now + timedelta(days=4)
        )
        invitations.invite(
            session,
            org,
            email=f"neu-{key}@example.org",
            role="member",
            by=admin,
            now=now,
            links=public_links(app),
            mail_budget=5,
        )
        session.commit()
        member = session.exec(select(Membership).where(Membership.user_id == admin.id)).one()
        (invitation,) = invitations.pending_invitations(session, org, now=now)
        worlds[key] = {
            "admin": admin,
            "org_id": org.id,
            "need_id": need.id,
            "shift_id": shift.id,
            "signup_id": signup.id,
            "member_id": member.id,
            "entry_id": entry.id,
            "user_id": volunteer.id,
            "invitation_id": invitation.id,
        }
    return worlds


def _urls(app, values, org_id):
    """Every (method, url) of the blueprint under /vereine/<org_id>/, filled from ``values``."""
    out = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if not rule.endpoint.startswith("organisations.") or "org_id" not in rule.arguments:
                continue
            if rule.endpoint in PUBLIC_ENDPOINTS:
                continue
            args = {}
            for name in rule.arguments:
                if name == "org_id":
                    args[name] = org_id
                elif name == "action":
                    args[name] = "confirm"
                else:
                    assert name in values, f"give the access matrix a value for <{name}>"
                    args[name] = values[name]
            url = app.url_map.bind("localhost").build(rule.endpoint, args)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                out.append((rule.endpoint, method, url, set(rule.arguments)))
    return out


def _state(session):
    session.expire_all()
    return (
        sorted((s.id, s.state) for s in session.exec(select(Signup)).all()),
        sorted((o.id, o.status, o.title) for o in session.exec(select(Opportunity)).all()),
        sorted((m.id, m.role) for m in session.exec(select(Membership)).all()),
        sorted((e.id, e.state) for e in session.exec(select(HourEntry)).all()),
    )


def test_a_member_of_one_organisation_gets_404_on_every_url_of_another(
    app, client, login, session, two_orgs
):
    a, b = two_orgs["a"], two_orgs["b"]
    before = _state(session)
    login(b["admin"])
    checked = 0
    # Another organisation's URLs, and (the subtler case) one's own organisation with another
    # organisation's objects in the rest of the URL.
    for values, org_id in ((a, a["org_id"]), (a, b["org_id"])):
        for endpoint, method, url, arguments in _urls(app, values, org_id):
            if org_id == b["org_id"] and arguments == {"org_id"}:
                continue  # only the organisation itself in the URL: b's own page
            response = client.open(url, method=method, data=FORM)
            assert response.status_code == 404, f"{method} {url} ({endpoint})"
            checked += 1
    assert checked > 40
    assert _state(session) == before


def test_volunteers_and_visitors_get_404_or_a_login(
    app, client, login, session, two_orgs, make_user
):
    a = two_orgs["a"]
    urls = _urls(app, a, a["org_id"])
    for _endpoint, method, url, _args in urls:
        response = client.open(url, method=method, data=FORM)
        assert response.status_code in (302, 401), f"{method} {url}"
        if response.status_code == 302:
            assert "/konto/anmelden" in response.headers["Location"]
    login(make_user())
    for _endpoint, method, url, _args in urls:
        assert client.open(url, method=method, data=FORM).status_code == 404, f"{method} {url}"


def test_members_reach_their_own_pages(app, client, login, two_orgs):
    a = two_orgs["a"]
    login(a["admin"])
    for endpoint, method, url, _args in _urls(app, a, a["org_id"]):
        if method == "GET":
            assert client.get(url).status_code == 200, f"{url} ({endpoint})"


def test_a_member_who_is_not_admin_cannot_manage(client, login, session, two_orgs, make_user):
    a = two_orgs["a"]
    helper = make_user()
    session.add(Membership(organisation_id=a["org_id"], user_id=helper.id, role="member"))
    session.commit()
    login(helper)
    base = f"/vereine/{a['org_id']}"
    assert client.get(f"{base}/profil").status_code == 404
    assert client.post(f"{base}/mitglieder", data={"email": "x@example.org"}).status_code == 404
    role_url = f"{base}/mitglieder/{a['member_id']}/rolle"
    assert client.post(role_url, data={"role": "member"}).status_code == 404
    assert client.get(f"{base}/einsaetze").status_code == 200  # but they run the needs


def test_the_demo_association_admin_reaches_every_page_of_their_organisation(
    app, client, login, session, now
):
    """Real-looking data (many needs, shifts, sign-ups and hours): no page of the journey fails."""
    from volunteer.demo.city import DEMO_ORG_ADMIN, Scale, load_demo_data
    from volunteer.services.accounts.account import find_by_email

    load_demo_data(session, now=now, scale=Scale(60, 8, 20), progress=False)
    session.commit()
    admin = find_by_email(session, DEMO_ORG_ADMIN)
    member = session.exec(select(Membership).where(Membership.user_id == admin.id)).first()
    login(admin)
    org_id = member.organisation_id
    need = session.exec(select(Opportunity).where(Opportunity.organisation_id == org_id)).first()
    signup = session.exec(
        select(Signup)
        .join(Shift, Shift.id == Signup.shift_id)
        .where(Shift.opportunity_id == need.id)
    ).first()
    values = {
        "need_id": need.id,
        "shift_id": signup.shift_id if signup else 1,
        "signup_id": signup.id if signup else 1,
        "member_id": member.id,
        "entry_id": 1,
        "user_id": admin.id,
        "invitation_id": 1,
    }
    for endpoint, method, url, _args in _urls(app, values, org_id):
        if method == "GET" and endpoint != "organisations.export_hours":
            assert client.get(url).status_code == 200, f"{url} ({endpoint})"
    export = client.get(f"/vereine/{org_id}/stunden/export.csv?year={now.year}")
    assert export.status_code == 200 and export.data.startswith("\ufeffVorname".encode())
