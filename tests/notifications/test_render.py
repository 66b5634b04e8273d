"""Rendering details: reminders with their calendar entry, escaping. (Every kind rendering from
its producer's payload, in both languages, is in ``test_producers.py``.)"""

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from flask import Flask
from sqlmodel import Session, select
from werkzeug.routing import BuildError

from notifications.channels.recording import RecordingChannel
from notifications.dispatcher import Dispatcher
from volunteer.models import Notice
from volunteer.platform.links import PublicLinks
from volunteer.services.notices import outbox


def test_reminder_reads_well_and_carries_the_calendar_entry(
    session: Session,
    world: Callable[..., dict[str, Any]],
    dispatcher: Dispatcher,
    recording: RecordingChannel,
    now: datetime,
) -> None:
    w = world()
    outbox.enqueue(
        session,
        "reminder_24h",
        dedupe_key="r",
        now=now,
        user=w["volunteer"],
        payload={"signup_id": w["signup"].id},
        channels=["email", "inapp"],
    )
    session.commit()
    dispatcher.run_until_idle()
    ((_notice, message),) = recording.sent
    assert message.subject.startswith("Erinnerung: Lebensmittel sortieren")
    assert "Lager, Eingang B" in message.text and "info@tafel.example" in message.text
    assert "Montag, 30. November 2026, 10:00–13:00" in message.text
    assert message.attachments[0].filename.endswith(".ics")
    assert b"TZID=Europe/Berlin:20261130T100000" in message.attachments[0].data
    assert message.unsubscribe_url and "/benachrichtigungen/abbestellen/" in message.unsubscribe_url
    inapp = session.exec(select(Notice).where(Notice.channel == "inapp")).one()
    session.refresh(inapp)
    assert inapp.status == "sent" and inapp.subject == message.subject
    assert inapp.body and "Hallo" not in inapp.body and "Lager, Eingang B" in inapp.body


def test_names_are_escaped_once_in_html_and_left_alone_in_text(
    session: Session,
    world: Callable[..., dict[str, Any]],
    dispatcher: Dispatcher,
    recording: RecordingChannel,
    now: datetime,
) -> None:
    w = world()
    w["org"].name = "Kinder & Jugend <Bochum>"
    session.add(w["org"])
    outbox.enqueue(
        session,
        "organisation_verified",
        dedupe_key="v",
        now=now,
        user=w["admin"],
        payload={"organisation_id": w["org"].id},
        channels=["email"],
    )
    session.commit()
    dispatcher.run_until_idle()
    ((_n, message),) = recording.sent
    assert "Kinder &amp; Jugend &lt;Bochum&gt;" in message.html
    assert "&amp;amp;" not in message.html and "<Bochum>" not in message.html
    assert (
        "Kinder & Jugend <Bochum>" in message.text and "Kinder & Jugend <Bochum>" in message.subject
    )


def test_a_link_to_a_page_that_does_not_exist_fails_loudly(app: Flask) -> None:
    """A renamed endpoint breaks this test (and every notice test), never a recipient's link."""
    links = PublicLinks(app)
    assert links("opportunities.detail", opportunity_id=7) == "http://localhost/engagements/7"
    with pytest.raises(BuildError):
        links("opportunities.show", opportunity_id=7)
