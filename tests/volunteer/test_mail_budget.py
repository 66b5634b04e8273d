"""The per-recipient mail budget: no address gets more than MAIL_BUDGET_PER_HOUR mails with a
link per hour, whichever page asks, and the person asking sees the same answer either way."""

from datetime import timedelta

import pytest
from sqlmodel import col, select

from notifications.channels.inbox import InboxChannel
from notifications.channels.recording import RecordingChannel
from notifications.dispatcher import Dispatcher
from tests.conftest import FIXED_NOW
from tests.factories import TEST_PASSWORD
from volunteer.models import Notice, NoticeStatus
from volunteer.platform.db import get_bind
from volunteer.services.notices import outbox

REGISTRATION = {"first_name": "X", "password": "Ein langer Satz zum Testen", "accept_terms": "y"}


@pytest.fixture
def clock():
    """Time moves a minute per request, so no two mails share a dedupe key."""
    state = {"now": FIXED_NOW}

    def tick():
        state["now"] += timedelta(minutes=1)
        return state["now"]

    return state, tick


@pytest.fixture
def app_config(app_config, clock):
    app_config.update(MAIL_BUDGET_PER_HOUR=3, CLOCK=clock[1])
    return app_config


def _mails(session, address):
    session.expire_all()
    return session.exec(
        select(Notice)
        .where(Notice.to_email == address, col(Notice.kind).in_(outbox.BUDGETED_KINDS))
        .order_by(col(Notice.id))
    ).all()


def test_one_address_gets_at_most_the_budget_whichever_page_asks(
    app, client, session, make_user, login, clock
):
    target = make_user(email="ziel@example.org")
    reset, register = "/konto/passwort-vergessen", "/konto/registrieren"
    answers = [
        client.post(reset, data={"email": "ziel@example.org"}),
        client.post(register, data={**REGISTRATION, "email": "Ziel@example.org"}),
        client.post(reset, data={"email": "ziel@example.org"}),
        client.post(reset, data={"email": "ZIEL@example.org"}),
        client.post(register, data={**REGISTRATION, "email": "ziel@example.org"}),
    ]
    # The person asking is told the same each time, over the budget too.
    assert [a.status_code for a in answers] == [302] * 5
    assert [a.headers["Location"] for a in answers] == ["/konto/anmelden"] * 5

    session.expire_all()
    mails = session.exec(
        select(Notice).where(col(Notice.kind).in_(outbox.BUDGETED_KINDS)).order_by(col(Notice.id))
    ).all()
    assert [(m.kind, m.status) for m in mails] == [
        ("password_reset", NoticeStatus.PENDING),
        ("registration_attempt", NoticeStatus.PENDING),
        ("password_reset", NoticeStatus.PENDING),
        ("password_reset", NoticeStatus.SKIPPED),
        ("registration_attempt", NoticeStatus.SKIPPED),
    ]
    assert {m.last_error for m in mails[3:]} == {outbox.OVER_BUDGET}  # recorded, not sent
    assert {m.user_id for m in mails} == {target.id}

    # Alarms about a change that happened are never refused: changing the password still tells.
    login(target)
    client.post(
        "/konto/passwort",
        data={"current_password": TEST_PASSWORD, "password": "Neues langes Passwort 7"},
    )
    session.expire_all()
    alarm = session.exec(select(Notice).where(Notice.kind == "password_changed")).one()
    assert alarm.status == NoticeStatus.PENDING

    # An hour on, the budget is there again.
    clock[0]["now"] += timedelta(minutes=61)
    client.post("/konto/passwort-vergessen", data={"email": "ziel@example.org"})
    latest = _mails(session, "ziel@example.org")[-1]
    assert latest.kind == "password_reset" and latest.status == NoticeStatus.PENDING


def test_e_mail_changes_from_several_accounts_to_one_foreign_address_share_its_budget(
    app, client, session, make_user, login
):
    """The audit's case: accounts asking to move to someone else's address flood that inbox."""
    people = [make_user(), make_user()]
    codes = []
    for person in people * 2:
        login(person)
        response = client.post(
            "/konto/email", data={"email": "fremd@example.org", "password": TEST_PASSWORD}
        )
        codes.append(response.status_code)
    assert codes == [302] * 4
    statuses = [m.status for m in _mails(session, "fremd@example.org")]
    assert statuses == [NoticeStatus.PENDING] * 3 + [NoticeStatus.SKIPPED]


def test_the_dispatcher_never_sends_a_refused_mail(app, session, make_user, now):
    user = make_user(email="ziel@example.org")
    for i in range(3):
        outbox.enqueue(
            session, "verify_email", dedupe_key=f"v{i}", now=now + timedelta(minutes=i),
            user=user, payload={"url": "http://localhost/x"}, mail_budget=2,
        )  # fmt: skip
    session.commit()
    recording = RecordingChannel()
    Dispatcher(
        app, get_bind(app), {"email": recording, "inapp": InboxChannel()}, worker="test",
        clock=lambda: now + timedelta(minutes=5),
    ).run_until_idle()  # fmt: skip
    assert len(recording.sent) == 2
    statuses = [n.status for n in _mails(session, "ziel@example.org")]
    assert statuses == [NoticeStatus.SENT, NoticeStatus.SENT, NoticeStatus.SKIPPED]
    with pytest.raises(outbox.MissingBudget):
        outbox.enqueue(session, "verify_email", dedupe_key="v9", now=now, user=user,
                       payload={"url": "http://localhost/x"})  # fmt: skip
