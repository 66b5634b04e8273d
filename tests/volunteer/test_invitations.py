"""Organisation invitations through the members page: listed, revocable, bound to an inviter who
is still an admin, and accepted only by a verified account with the invited address."""

import pytest
from sqlmodel import select

from tests.factories import add_member, register_org, seed_reference
from volunteer.models import AuditEntry, MemberRole, Membership, Notice, Role, Token


@pytest.fixture
def club(session, make_user, now):
    """A verified organisation with two admins, Anna and Bert."""
    seed_reference(session)
    anna = make_user(first_name="Anna", email="anna@example.org")
    bert = make_user(first_name="Bert")
    org = register_org(session, anna, now=now, coordinator=make_user(role=Role.COORDINATOR))
    add_member(session, org, bert)  # a second admin
    return {"org": org, "anna": anna, "bert": bert}


def _invite(client, org, email, role="admin"):
    response = client.post(f"/vereine/{org.id}/mitglieder", data={"email": email, "role": role})
    assert response.status_code == 302


def _link(session, mailed_link, email):
    mail = session.exec(
        select(Notice).where(Notice.kind == "organisation_invite", Notice.to_email == email)
    ).one()
    return mailed_link(mail).rsplit("/", 1)[1]


def _pending(client, org):
    """The members page's list of pending invitations (flashes above it may name addresses)."""
    page = client.get(f"/vereine/{org.id}/mitglieder").text
    return page.split('id="pending-title"', 1)[1].split('id="invite-title"', 1)[0]


def _membership(session, org, user):
    session.expire_all()
    return session.exec(
        select(Membership).where(
            Membership.organisation_id == org.id, Membership.user_id == user.id
        )
    ).first()


def test_pending_invitations_are_listed_for_admins_and_revocable(
    club, client, login, session, make_user, mailed_link
):
    org, anna = club["org"], club["anna"]
    login(anna)
    _invite(client, org, "ben@example.org", role="member")
    page = client.get(f"/vereine/{org.id}/mitglieder").text
    assert "Ausstehende Einladungen" in page and "ben@example.org" in page
    assert "Anna" in page  # who sent it
    token = session.exec(select(Token).where(Token.purpose == "org_invite")).one()
    member = make_user(first_name="Mo")
    session.add(Membership(organisation_id=org.id, user_id=member.id, role=MemberRole.MEMBER))
    session.commit()
    login(member)  # a plain member sees the members, not the invitations, and cannot revoke
    assert "ben@example.org" not in client.get(f"/vereine/{org.id}/mitglieder").text
    assert client.post(f"/vereine/{org.id}/einladungen/{token.id}/zurueckziehen").status_code == 404

    login(anna)
    revoked = client.post(
        f"/vereine/{org.id}/einladungen/{token.id}/zurueckziehen", follow_redirects=True
    )
    assert "Die Einladung ist zurückgezogen" in revoked.text
    assert "ben@example.org" not in _pending(client, org)
    entry = session.exec(
        select(AuditEntry).where(AuditEntry.action == "organisation.invite_revoked")
    ).one()
    assert entry.actor_id == anna.id and entry.details["invitation"] == token.id

    ben = make_user(email="ben@example.org")
    login(ben)
    answer = client.post(f"/vereine/einladung/{_link(session, mailed_link, 'ben@example.org')}")
    assert answer.status_code == 400
    assert _membership(session, org, ben) is None
    # Revoking twice, or another organisation's invitation id, is "not there" (the 404 page,
    # as for every object of the organisation that is not there), no 5xx.
    login(anna)
    again = client.post(f"/vereine/{org.id}/einladungen/{token.id}/zurueckziehen")
    assert again.status_code == 404


@pytest.mark.parametrize("loses_role", ["removed", "demoted", "hands_over", "leaves"])
def test_a_removed_admin_cannot_regain_rights_through_an_invitation_to_a_second_address(
    club, client, login, session, make_user, mailed_link, loses_role
):
    """The audit's attack: Anna invites her second address as admin, loses the role, then
    accepts with the second account. Every way of losing the role voids the invitation."""
    org, anna, bert = club["org"], club["anna"], club["bert"]
    login(anna)
    _invite(client, org, "anna.privat@example.org")
    link = _link(session, mailed_link, "anna.privat@example.org")
    mine = _membership(session, org, anna)
    if loses_role == "removed":
        login(bert)
        client.post(f"/vereine/{org.id}/mitglieder/{mine.id}/entfernen")
    elif loses_role == "demoted":
        login(bert)
        client.post(f"/vereine/{org.id}/mitglieder/{mine.id}/rolle", data={"role": "member"})
    elif loses_role == "hands_over":
        theirs = _membership(session, org, bert)
        client.post(f"/vereine/{org.id}/mitglieder/{theirs.id}/admin-uebergeben")
    else:
        client.post(f"/vereine/{org.id}/verlassen")
    mine = _membership(session, org, anna)
    assert mine is None or mine.role == MemberRole.MEMBER
    voided = session.exec(
        select(AuditEntry).where(AuditEntry.action == "organisation.invites_voided")
    ).one()
    assert voided.details == {"inviter": anna.id, "count": 1}

    login(bert)  # the invitation is gone from the page ...
    assert "anna.privat@example.org" not in _pending(client, org)
    second = make_user(email="anna.privat@example.org", first_name="Anna")
    login(second)  # ... and its link makes nobody a member, let alone an admin
    answer = client.post(f"/vereine/einladung/{link}")
    assert answer.status_code == 400
    assert _membership(session, org, second) is None


def test_an_invitation_from_someone_no_longer_admin_is_void_when_accepted(
    club, client, login, session, make_user, mailed_link
):
    """Bound to the inviter at acceptance too, whatever took the role away."""
    org, anna = club["org"], club["anna"]
    login(anna)
    _invite(client, org, "ben@example.org")
    link = _link(session, mailed_link, "ben@example.org")
    mine = _membership(session, org, anna)
    mine.role = MemberRole.MEMBER  # not through a page that voids the invitations
    session.add(mine)
    session.commit()
    ben = make_user(email="ben@example.org")
    login(ben)
    answer = client.post(f"/vereine/einladung/{link}")
    assert answer.status_code == 400
    assert "nicht mehr gültig" in answer.text
    assert _membership(session, org, ben) is None


def test_accepting_needs_a_verified_address_that_matches(
    club, client, login, session, make_user, mailed_link, now
):
    org, anna = club["org"], club["anna"]
    login(anna)
    _invite(client, org, "Ben@Example.org", role="member")
    link = _link(session, mailed_link, "Ben@Example.org")
    login(make_user(email="mallory@example.org"))
    other = client.post(f"/vereine/einladung/{link}")
    assert other.status_code == 400 and "Ben@Example.org" in other.text
    ben = make_user(email="ben@example.org", email_verified_at=None)
    login(ben)
    unverified = client.post(f"/vereine/einladung/{link}")
    assert unverified.status_code == 400
    assert "bestätige zuerst deine E-Mail-Adresse" in unverified.text
    assert _membership(session, org, ben) is None
    ben.email_verified_at = now
    session.add(ben)
    session.commit()
    assert client.post(f"/vereine/einladung/{link}").status_code == 302
    assert _membership(session, org, ben).role == MemberRole.MEMBER
