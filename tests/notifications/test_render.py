"""Every notice kind renders in German and English, with links and without leftovers."""

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from notifications.channels.recording import RecordingChannel
from notifications.dispatcher import Dispatcher
from volunteer.models import Notice
from volunteer.services.notices import outbox

SIGNUP_KINDS = ("signup_received", "signup_accepted", "signup_declined", "waitlist_moved_up")


def payloads(w: dict[str, Any]) -> dict[str, dict[str, Any]]:
    sid, shid, oid, org = w["signup"].id, w["shift"].id, w["opp"].id, w["org"].id
    eid = w["entry"].id
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
        # The producers' payloads (volunteer/services/*), as they write them.
        **{k: {"signup_id": sid, "shift_id": shid, "state": "accepted"} for k in SIGNUP_KINDS},
        "application_new": {"signup_id": sid, "shift_id": shid, "opportunity_id": oid},
        "signup_withdrawn": {
            "signup_id": sid,
            "shift_id": shid,
            "state": "withdrawn",
            "opportunity_id": oid,
        },
        "shift_changed": {"shift_id": shid, "signup_id": sid, "starts_at": "2026-11-30T09:00"},
        "shift_cancelled": {"shift_id": shid, "signup_id": sid, "starts_at": "2026-11-30T09:00"},
        "hours_submitted": {"hour_entry_id": eid, "organisation_id": org},
        "hours_confirmed": {"hour_entry_id": eid, "organisation_id": org, "minutes": 150},
        "hours_rejected": {
            "hour_entry_id": eid,
            "organisation_id": org,
            "minutes": 150,
            "reason": "An dem Tag war die Ausgabe geschlossen.",
        },
        "candidate_invited": {"opportunity_id": oid, "organisation_id": org, "invited_by": 1},
        "proposal_invitation": {"pair_id": 1, "shift_id": shid},
        "organisation_invite": {
            "organisation_id": org,
            "invited_by": 1,
            "role": "member",
            "url": "http://localhost/vereine/einladung/x",
        },
        "organisation_registered": {"organisation_id": org},
        "organisation_verified": {"organisation_id": org},
        "shift_message": {
            "shift_id": shid,
            "signup_id": sid,
            "organisation_id": org,
            "from_user_id": w["admin"].id,
            "text": "Bitte am Tor B klingeln.",
        },
        "reminder_24h": {"signup_id": sid},
        "reminder_2h": {"signup_id": sid},
        "recognition": {"milestone": "hours_10", "hours": 10},
        "digest": {
            "opportunity_ids": [oid],
            "reasons": {str(oid): [{"code": "distance", "km": 2.1}, {"code": "remote"}]},
        },
        "shift_unfilled": {"shift_id": shid, "candidate_ids": [w["volunteer"].id]},
        "coordinator_summary": {"figures": {"new_volunteers": 12, "signups": 40}},
    }


TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "notices"


def test_every_registered_kind_has_its_three_templates_and_a_render_test() -> None:
    for kind in sorted(outbox.KINDS):
        for name in ("subject.txt", "body.txt", "body.html"):
            assert (TEMPLATES / kind / name).is_file(), f"{kind}/{name} is missing"
    kinds_with_templates = {p.name for p in TEMPLATES.iterdir() if p.is_dir()}
    assert kinds_with_templates == set(outbox.KINDS), "templates without a registered kind"
    assert set(payloads(FAKE_WORLD)) == set(outbox.KINDS)


def test_an_unknown_kind_is_refused(session: Session, now: datetime) -> None:
    with pytest.raises(outbox.UnknownKind):
        outbox.enqueue(session, "sigup_received", dedupe_key="typo", now=now, to_email="a@b.de")


class _Id:
    id = 1


FAKE_WORLD: dict[str, Any] = {
    k: _Id() for k in ("signup", "shift", "opp", "org", "entry", "volunteer", "admin")
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
    # The payload's frozen facts reach the reader (not silently dropped by a name mismatch).
    by_kind = {n.kind: m for n, m in recording.sent}
    assert "Bitte am Tor B klingeln." in by_kind["shift_message"].text
    assert "An dem Tag war die Ausgabe geschlossen." in by_kind["hours_rejected"].html
    assert ("2,1 km" if locale == "de" else "2.1 km") in by_kind["digest"].text
    assert "/vereine/einladung/x" in by_kind["organisation_invite"].text
    assert "/vereine/" in by_kind["hours_submitted"].link
    assert "/koordination/vereine" in by_kind["organisation_registered"].link


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
