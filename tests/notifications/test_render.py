"""Every notice kind renders in German and English, with links and without leftovers."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from sqlmodel import Session, select

from notifications.channels.recording import RecordingChannel
from notifications.dispatcher import Dispatcher
from volunteer.models import Notice
from volunteer.services import outbox

SIGNUP_KINDS = ("signup_received", "signup_accepted", "signup_declined", "waitlist_moved_up")


def payloads(w: dict[str, Any]) -> dict[str, dict[str, Any]]:
    sid, shid = w["signup"].id, w["shift"].id
    return {
        "verify_email": {"url": "http://localhost/konto/bestaetigen/x", "name": "Aylin"},
        "password_reset": {
            "url": "http://localhost/konto/passwort-neu/x",
            "name": "Aylin",
            "hours": 2,
        },
        "password_changed": {"name": "Aylin"},
        "email_change": {
            "url": "http://localhost/e/x",
            "name": "Aylin",
            "new_email": "neu@example.org",
        },
        "guardian_consent": {"url": "http://localhost/g/x", "volunteer_name": "Mia"},
        **{k: {"signup_id": sid, "message": "Wir freuen uns!"} for k in SIGNUP_KINDS},
        "application_new": {"signup_id": sid},
        "shift_changed": {"shift_id": shid, "changes": ["starts_at"]},
        "shift_cancelled": {"shift_id": shid},
        "hours_confirmed": {"hour_entry_id": w["entry"].id},
        "invitation": {"opportunity_id": w["opp"].id, "message": "Magst du mitmachen?"},
        "member_invite": {
            "organisation_id": w["org"].id,
            "url": "http://localhost/i/x",
            "role": "member",
        },
        "shift_message": {
            "shift_id": shid,
            "subject": "Treffpunkt",
            "body": "Bitte am Tor B klingeln.",
        },
        "reminder_24h": {"signup_id": sid},
        "reminder_2h": {"signup_id": sid},
        "recognition": {"milestone": "hours_10", "hours": 10},
        "digest": {"opportunity_ids": [w["opp"].id], "reasons": {str(w["opp"].id): ["near you"]}},
        "shift_unfilled": {"shift_id": shid, "candidate_ids": [w["volunteer"].id]},
        "coordinator_summary": {"figures": {"new_volunteers": 12, "signups": 40}},
    }


@pytest.mark.parametrize("locale", ["de", "en"])
def test_every_kind_renders_in_both_languages(
    session: Session,
    world: Callable[..., dict[str, Any]],
    dispatcher: Dispatcher,
    recording: RecordingChannel,
    now: datetime,
    locale: str,
) -> None:
    w = world()
    w["volunteer"].locale = locale
    session.add(w["volunteer"])
    kinds = payloads(w)
    for kind, payload in kinds.items():
        outbox.enqueue(
            session,
            kind,
            dedupe_key=f"t:{kind}",
            now=now,
            user=w["volunteer"],
            payload=payload,
            locale=locale,
            channels=["email"],
        )
    session.commit()
    stats = dispatcher.run_until_idle()
    assert stats.failed == 0 and stats.skipped == 0, stats.reasons
    assert sorted(recording.kinds) == sorted(kinds)
    for notice, message in recording.sent:
        for text in (message.subject, message.text, message.html):
            assert "{{" not in text and "%(" not in text and "Undefined" not in text, notice.kind
        assert message.subject and message.link.startswith("http")
        if locale == "de":
            assert "Hallo" in message.text
        else:
            assert "Hello" in message.text


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
