"""A new password voids every outstanding reset and e-mail-change link; a confirmed e-mail
change ends other sessions and tells the old address."""

from datetime import timedelta

from sqlmodel import select

from tests.factories import TEST_PASSWORD
from volunteer.models import Notice
from volunteer.services.accounts import account, credentials


def _links(session, user, kind, mailed_link):
    notices = session.exec(
        select(Notice).where(Notice.kind == kind, Notice.user_id == user.id).order_by(Notice.id)
    ).all()
    return [mailed_link(n).rsplit("/", 1)[1] for n in notices]


def _request_resets(links, session, user, now, times):
    for i in range(times):
        credentials.request_password_reset(
            session,
            user.email,
            now=now + timedelta(minutes=i),
            links=links,
            hours=2,
            mail_budget=5,
        )
    session.commit()


def test_using_a_reset_link_voids_the_other_reset_links(
    links, client, session, make_user, now, mailed_link
):
    user = make_user()
    _request_resets(links, session, user, now, 2)
    first, second = _links(session, user, "password_reset", mailed_link)
    used = client.post(f"/konto/passwort-neu/{second}", data={"password": "Ruhrgebiet bei Nacht 9"})
    assert used.status_code == 302
    again = client.post(f"/konto/passwort-neu/{first}", data={"password": "Ein anderer Satz 1234"})
    assert "ungültig" in again.text
    assert account.authenticate(session, user.email, "Ein anderer Satz 1234", now=now) is None


def test_changing_the_password_voids_reset_and_email_change_links(
    links, client, session, make_user, login, now, mailed_link
):
    user = make_user(email="alt@example.org")
    _request_resets(links, session, user, now, 1)
    credentials.request_email_change(
        session, user, new_email="neu@example.org", password=TEST_PASSWORD, now=now,
        links=links, hours=24, mail_budget=5,
    )  # fmt: skip
    session.commit()
    (reset,) = _links(session, user, "password_reset", mailed_link)
    (change,) = _links(session, user, "email_change", mailed_link)
    login(user)
    changed = client.post(
        "/konto/passwort",
        data={"current_password": TEST_PASSWORD, "password": "Neues langes Passwort 7"},
    )
    assert changed.status_code == 302
    late = client.post(f"/konto/passwort-neu/{reset}", data={"password": "Ein anderer Satz 1234"})
    assert "ungültig" in late.text
    assert client.get(f"/konto/email-bestaetigen/{change}").status_code == 400
    session.refresh(user)
    assert user.email == "alt@example.org"


def test_a_confirmed_email_change_ends_other_sessions_and_tells_the_old_address(
    app, client, session, make_user, login, now, mailed_link
):
    user = make_user(email="alt@example.org")
    login(user)
    other = login(user, app.test_client())
    response = client.post(
        "/konto/email", data={"email": "neu@example.org", "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    (change,) = _links(session, user, "email_change", mailed_link)
    assert client.get(f"/konto/email-bestaetigen/{change}").status_code == 302
    assert client.get("/konto/").status_code == 200  # the confirming browser stays in
    assert other.get("/konto/").status_code == 302  # every other session is logged out
    told = session.exec(select(Notice).where(Notice.kind == "email_changed")).one()
    assert told.to_email == "alt@example.org" and told.channel == "email"
    assert told.payload["new_email"] == "neu@example.org"


def test_moving_to_an_address_that_has_an_account_reveals_nothing_and_tells_its_owner(
    client, session, make_user, login
):
    """The settings page answers as for a free address, so a logged-in person cannot test who is
    registered; the address's owner hears of the attempt, and no link to take it over exists."""
    owner = make_user(email="vergeben@example.org")
    user = make_user(email="alt@example.org")
    login(user)
    taken = client.post(
        "/konto/email",
        data={"email": "Vergeben@Example.org", "password": TEST_PASSWORD},
        follow_redirects=True,
    )
    free = client.post(
        "/konto/email",
        data={"email": "frei@example.org", "password": TEST_PASSWORD},
        follow_redirects=True,
    )
    assert taken.status_code == free.status_code == 200
    assert "Bestätigungslink" in taken.text and "existiert" not in taken.text
    sent = session.exec(select(Notice.kind, Notice.user_id, Notice.to_email)).all()
    assert ("email_claim_attempt", owner.id, "vergeben@example.org") in sent
    assert [n for n in sent if n[0] == "email_change"] == [
        ("email_change", user.id, "frei@example.org")
    ]
    session.refresh(user)
    assert user.email == "alt@example.org"
