"""Series sign-up: join every future date of a regular need at once and leave the series again,
with each date's own capacity and waiting list."""

from datetime import timedelta

from sqlmodel import select

from tests.factories import add_member, make_opportunity, make_shift
from tests.locale_leaks import text_leaks
from tests.notifications.test_delivery import SmtpServer, free_port, smtp_dispatcher
from volunteer.models import Organisation, Signup, SignupState
from volunteer.services.engagement import series, signups

SERIES = "3f0c9b8e-series-weekly-0001"


def _series(session, now, *, weeks=4, capacity=2):
    need = make_opportunity(session, now, title="Tafel jeden Samstag", regular=True)
    shifts = [
        make_shift(
            session,
            now,
            need,
            starts_in=timedelta(days=3 + 7 * w),
            capacity=capacity,
            series_id=SERIES,
        )
        for w in range(weeks)
    ]
    return need, shifts


def _states(session, user):
    rows = session.exec(select(Signup).where(Signup.user_id == user.id)).all()
    return sorted((s.shift_id, s.state) for s in rows)


def test_need_page_offers_to_join_the_whole_series(client, session, now, make_user, login):
    need, _shifts = _series(session, now)
    login(make_user())
    page = client.get(f"/engagements/{need.id}").get_data(as_text=True)
    assert "Für alle Termine anmelden" in page
    assert "alle 4 kommenden Termine" in page


def test_joining_a_series_signs_up_for_every_date_with_each_dates_waiting_list(
    client, session, now, make_user, login
):
    _need, shifts = _series(session, now, capacity=1)
    other = make_user()
    signups.sign_up(session, other, shifts[1], now=now)  # the second date is full
    session.commit()
    user = make_user()
    login(user)
    response = client.post(f"/engagements/serien/{SERIES}/anmelden", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Du bist für 3 Termine angemeldet." in page
    assert "Für 1 vollen Termin stehst du auf der Warteliste." in page
    session.expire_all()
    assert [state for _, state in _states(session, user)] == [
        SignupState.APPLIED,
        SignupState.WAITLISTED,
        SignupState.APPLIED,
        SignupState.APPLIED,
    ]
    again = client.post(f"/engagements/serien/{SERIES}/anmelden", follow_redirects=True)
    assert "4 Termine, die du schon hattest, bleiben wie sie sind." in again.get_data(as_text=True)


def test_leaving_the_series_withdraws_every_future_date_and_moves_the_waiting_list_up(
    client, session, now, make_user, login
):
    _need, shifts = _series(session, now, capacity=1)
    user, waiting = make_user(), make_user()
    series.sign_up_series(session, user, SERIES, now=now)
    signups.sign_up(session, waiting, shifts[0], now=now, join_waitlist=True)
    session.commit()
    login(user)
    asked = client.post(f"/engagements/serien/{SERIES}/abmelden")  # one click only asks
    assert asked.status_code == 200 and "Aus dieser Reihe austreten?" in asked.text
    session.expire_all()
    assert SignupState.WITHDRAWN not in {state for _, state in _states(session, user)}
    page = client.post(
        f"/engagements/serien/{SERIES}/abmelden", data={"confirmed": "1"}, follow_redirects=True
    )
    assert "Du bist aus der Reihe ausgetreten: 4 Termine abgesagt." in page.get_data(as_text=True)
    session.expire_all()
    assert {state for _, state in _states(session, user)} == {SignupState.WITHDRAWN}
    assert _states(session, waiting) == [(shifts[0].id, SignupState.APPLIED)]


def test_a_refusal_about_the_person_joins_no_date(client, session, now, make_user, login):
    _series(session, now)
    user = make_user(email_verified_at=None)
    login(user)
    client.post(f"/engagements/serien/{SERIES}/anmelden")
    session.expire_all()
    assert _states(session, user) == []


def test_an_unknown_series_is_a_404(client, make_user, login):
    login(make_user())
    assert client.post("/engagements/serien/nope/anmelden").status_code == 404
    assert client.post("/engagements/serien/nope/abmelden").status_code == 404


def test_joining_and_leaving_a_series_each_send_one_mail_listing_the_dates(
    app, client, session, now, make_user, login
):
    """Through the pages, the real outbox, the dispatcher and an SMTP server on 127.0.0.1."""
    need, shifts = _series(session, now, weeks=3, capacity=1)
    signups.sign_up(session, make_user(), shifts[1], now=now)  # the second date is full
    admin = make_user(first_name="Vera")
    add_member(session, session.get(Organisation, need.organisation_id), admin)
    session.commit()
    user = make_user(first_name="Aylin")
    login(user)
    smtp = SmtpServer(free_port())
    smtp.start()
    try:
        dispatcher, _channel = smtp_dispatcher(app, smtp.port, {"now": now})
        client.post(f"/engagements/serien/{SERIES}/anmelden")
        dispatcher.run_until_idle()
        mine = [m for m in smtp.inbox.messages if m["To"] == user.email]
        (joined,) = mine  # one mail for three dates, not three
        assert joined["Subject"] == "Für 3 Termine angemeldet: Tafel jeden Samstag"
        text = joined.get_body(("plain",)).get_content()
        assert text.count("\n- ") == 3, text
        assert "voll, du stehst auf der Warteliste, Platz 1" in text
        assert text.count("angemeldet, ") == 2
        assert not text_leaks(text, "de"), text_leaks(text, "de")
        (told,) = [m for m in smtp.inbox.messages if m["To"] == admin.email]  # one, not three
        assert told["Subject"] == "Neue Anmeldung für 3 Termine: Tafel jeden Samstag"
        text = told.get_body(("plain",)).get_content()
        assert "Aylin ist bei den regelmäßigen Terminen" in text and text.count("\n- ") == 3
        assert "Warteliste, Platz 1" in text and text.count("zu bestätigen") == 2

        client.post(f"/engagements/serien/{SERIES}/abmelden", data={"confirmed": "1"})
        dispatcher.run_until_idle()
        mine = [m for m in smtp.inbox.messages if m["To"] == user.email]
        assert len(mine) == 2  # leaving: one more, not three
        left = mine[1]
        assert left["Subject"] == "Von 3 Terminen abgemeldet: Tafel jeden Samstag"
        text = left.get_body(("plain",)).get_content()
        assert text.count("\n- ") == 3 and "Diese 3 Termine sind für dich abgesagt" in text
        told = [m for m in smtp.inbox.messages if m["To"] == admin.email]
        assert [m["Subject"] for m in told][1:] == [
            "Von 3 Terminen abgemeldet: Tafel jeden Samstag"
        ]
    finally:
        smtp.stop()
