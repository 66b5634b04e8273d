"""Delivery end to end through a real SMTP server (aiosmtpd on 127.0.0.1), and its faults."""

import socket
import threading
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from notifications.channels.inbox import InboxChannel
from notifications.channels.smtp import SmtpChannel, SmtpSettings
from notifications.dispatcher import Dispatcher, Policy
from volunteer.models import Notice, Role, User
from volunteer.platform.db import get_bind
from volunteer.services.notices import outbox


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Inbox:
    """An aiosmtpd handler that keeps every message; ``refuse`` makes an address bounce."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse: set[str] = set()
        self.lock = threading.Lock()

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(msg)  # type: ignore[arg-type]
        return "250 Message accepted"


class SmtpServer:
    def __init__(self, port: int) -> None:
        self.port = port
        self.inbox = Inbox()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer(free_port())
    server.start()
    yield server
    server.stop()


def smtp_dispatcher(
    app: Flask, port: int, clock: dict[str, datetime]
) -> tuple[Dispatcher, SmtpChannel]:
    channel = SmtpChannel(
        SmtpSettings(
            port=port,
            # Generous: the server is a thread of this process, and on a loaded machine (load 10
            # in a shared CI) a reply later than a 2 s timeout made the client give up on a
            # message the server had accepted, which was then sent a second time.
            timeout=15,
            mail_from="Mitwirken <noreply@mitwirken.example>",
            message_id_domain="mitwirken.example",
        )
    )
    d = Dispatcher(
        app,
        get_bind(app),
        {"email": channel, "inapp": InboxChannel()},
        policy=Policy(batch_size=100),
        worker="smtp-test",
        clock=lambda: clock["now"],
    )
    return d, channel


def test_notices_arrive_with_headers_both_parts_and_the_calendar_attachment(
    app: Flask,
    session: Session,
    world: Callable[..., dict[str, Any]],
    smtp: SmtpServer,
    clock: dict[str, datetime],
    now: datetime,
) -> None:
    w = world()
    outbox.enqueue(
        session,
        "signup_accepted",
        dedupe_key="acc:1",
        now=now,
        user=w["volunteer"],
        payload={"signup_id": w["signup"].id, "message": "Bis Montag!"},
    )
    outbox.enqueue(
        session,
        "password_reset",
        dedupe_key="pw:1",
        now=now,
        user=w["volunteer"],
        payload={"url": "http://localhost/konto/passwort-neu/abc", "name": "Aylin", "hours": 2},
        mail_budget=5,
    )
    session.commit()
    d, channel = smtp_dispatcher(app, smtp.port, clock)
    stats = d.run_until_idle()
    assert stats.sent == 3 and stats.failed == 0  # 2 e-mails + 1 in-app
    assert channel.connections_opened == 1  # one connection for the whole batch
    by_subject = {m["Subject"]: m for m in smtp.inbox.messages}
    accepted = by_subject["Du bist dabei: Lebensmittel sortieren"]
    notice = session.exec(select(Notice).where(Notice.dedupe_key == "acc:1:email")).one()
    assert accepted["Message-ID"] == f"<notice-{notice.id}.acc.1.email@mitwirken.example>"
    assert accepted["To"] == w["volunteer"].email
    assert accepted["List-Unsubscribe"].startswith(
        "<http://localhost/benachrichtigungen/abbestellen/"
    )
    assert accepted["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert accepted["Content-Language"] == "de"
    text = accepted.get_body(("plain",)).get_content()
    html = accepted.get_body(("html",)).get_content()
    assert "Gute Nachricht: Tafel Bochum e.V. hat deine Anmeldung angenommen." in text
    assert "Bis Montag!" in text and "Bis Montag!" in html
    assert '<html lang="de">' in html and 'class="button"' in html
    (ics,) = [p for p in accepted.iter_attachments()]
    assert ics.get_content_type() == "text/calendar"
    assert "SUMMARY:Lebensmittel sortieren (Tafel Bochum e.V.)" in ics.get_content().replace(
        "\r\n ", ""
    )
    reset = by_subject["Passwort zurücksetzen"]
    assert "List-Unsubscribe" not in reset  # security notices cannot be switched off
    assert "http://localhost/konto/passwort-neu/abc" in reset.get_body(("plain",)).get_content()


def test_smtp_down_for_a_while_then_everything_arrives_once(
    app: Flask,
    session: Session,
    make_user: Callable[..., User],
    clock: dict[str, datetime],
    now: datetime,
) -> None:
    port = free_port()  # nothing listens here yet
    users = [make_user() for _ in range(30)]
    for u in users:
        outbox.enqueue(
            session,
            "password_changed",
            dedupe_key=f"pc:{u.id}",
            now=now,
            user=u,
            payload={"name": u.display_name},
        )
    session.commit()
    d, channel = smtp_dispatcher(app, port, clock)
    first = d.run_once()
    assert first.claimed == 30 and first.retried == 30 and first.sent == 0
    assert channel.connections_opened == 0
    # Backing off: nothing is due right away, so the dispatcher does not spin.
    assert d.run_once().claimed == 0
    clock["now"] = now + timedelta(minutes=1)
    assert d.run_once().retried == 30  # still down: second attempt, longer backoff
    server = SmtpServer(port)
    server.start()
    try:
        clock["now"] = now + timedelta(hours=2)
        stats = d.run_until_idle()
    finally:
        server.stop()
    assert stats.sent == 30
    received = sorted(m["To"] for m in server.inbox.messages)
    assert received == sorted(u.email for u in users)  # all arrived, none twice
    rows = session.exec(select(Notice)).all()
    for row in rows:
        session.refresh(row)
    assert {r.status for r in rows} == {"sent"} and {r.attempts for r in rows} == {3}


def test_a_refused_address_fails_for_good_and_coordinators_see_it(
    app: Flask,
    client: FlaskClient,
    session: Session,
    make_user: Callable[..., User],
    login: Callable[..., FlaskClient],
    smtp: SmtpServer,
    clock: dict[str, datetime],
    now: datetime,
) -> None:
    good, bad = make_user(), make_user(email="gone@example.org")
    smtp.inbox.refuse.add("gone@example.org")
    for u in (good, bad):
        outbox.enqueue(
            session,
            "password_changed",
            dedupe_key=f"pc:{u.id}",
            now=now,
            user=u,
            payload={"name": u.display_name},
        )
    session.commit()
    d, _channel = smtp_dispatcher(app, smtp.port, clock)
    stats = d.run_until_idle()
    assert stats.sent == 1 and stats.failed == 1
    failed = session.exec(select(Notice).where(Notice.status == "failed")).one()
    assert failed.to_email == "gone@example.org" and "550" in (failed.last_error or "")
    coordinator = make_user(role=Role.COORDINATOR)
    login(coordinator)
    page = client.get("/koordination/benachrichtigungen")
    assert page.status_code == 200 and b"gone@example.org" in page.data and b"550" in page.data
    assert client.post(f"/koordination/benachrichtigungen/{failed.id}/erneut").status_code == 302
    session.refresh(failed)
    assert failed.status == "pending" and failed.attempts == 0
    login(good)
    assert client.get("/koordination/benachrichtigungen").status_code == 404


def test_a_dispatcher_that_dies_after_claiming_loses_nothing_and_sends_once(
    app: Flask,
    session: Session,
    make_user: Callable[..., User],
    smtp: SmtpServer,
    clock: dict[str, datetime],
    now: datetime,
) -> None:
    users = [make_user() for _ in range(5)]
    for u in users:
        outbox.enqueue(
            session,
            "password_changed",
            dedupe_key=f"pc:{u.id}",
            now=now,
            user=u,
            payload={"name": u.display_name},
        )
    session.commit()
    crashed, _ = smtp_dispatcher(app, smtp.port, clock)
    _token, ids = crashed.claim_batch(now)  # ... and the process dies before sending
    assert len(ids) == 5
    survivor, _ = smtp_dispatcher(app, smtp.port, clock)
    assert survivor.run_once(now + timedelta(seconds=20)).claimed == 0  # still leased
    clock["now"] = now + Policy().lease + timedelta(seconds=1)
    assert survivor.run_until_idle().sent == 5
    assert sorted(m["To"] for m in smtp.inbox.messages) == sorted(u.email for u in users)


def test_a_claim_takes_at_most_the_batch_size_and_never_a_leased_notice(
    session: Session, make_user: Callable[..., User], now: datetime
) -> None:
    from notifications.dispatcher import claim

    users = [make_user() for _ in range(40)]
    for u in users:
        outbox.enqueue(
            session, "password_changed", dedupe_key=f"pc:{u.id}", now=now, user=u, payload={}
        )
    session.commit()
    first = claim(session, now=now, token="a", policy=Policy(batch_size=15))
    second = claim(session, now=now, token="b", policy=Policy(batch_size=15))
    third = claim(session, now=now, token="c", policy=Policy(batch_size=15))
    assert (len(first), len(second), len(third)) == (15, 15, 10)
    assert not set(first) & set(second) and not set(second) & set(third)
    session.rollback()
