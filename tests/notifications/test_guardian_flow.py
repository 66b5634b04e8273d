"""The guardian's mails: formal, naming the child, with a link that works; reminder, then expiry."""

from datetime import datetime, timedelta

from flask import Flask
from sqlmodel import Session, col, select

from notifications.channels.recording import RecordingChannel
from notifications.dispatcher import Dispatcher
from notifications.scheduler import SCHEDULE, rules
from tests.factories import set_profile
from volunteer.models import (
    AgeGroup,
    AuditEntry,
    GuardianRequest,
    GuardianState,
    User,
)
from volunteer.services.accounts import guardians
from volunteer.services.discovery.profiles import profile_of


def _child(session: Session, make_user, now: datetime, *, locale: str = "de") -> User:
    child = make_user(first_name="Mia", locale=locale)
    set_profile(
        session,
        child,
        age_group=AgeGroup.UNDER_16,
        guardian_email="eltern@example.org",
        completed_at=now,
        updated_at=now,
    )
    return child


def test_the_guardian_mail_is_formal_names_the_child_and_links_to_its_page(
    app: Flask, session, make_user, now, dispatcher: Dispatcher, recording: RecordingChannel
):
    child = _child(session, make_user, now)
    guardians.request_consent(session, child, now=now)
    session.commit()
    dispatcher.run_until_idle()
    ((notice, mail),) = recording.sent
    assert notice.to_email == "eltern@example.org" and notice.user_id is None
    assert "Mia" in mail.subject
    assert mail.text.startswith("Sehr geehrte Erziehungsberechtigte,")
    assert "Hallo" not in mail.text and "Mia hat sich bei Mitwirken" in mail.text
    assert "Ihre Einwilligung" in mail.text and "widerrufen" in mail.text
    assert "Postleitzahl" in mail.text  # what is processed, and why
    # The outbox holds no working link: the renderer signs one at delivery.
    assert "url" not in notice.payload and set(notice.payload) == {"guardian_request_id"}
    assert "/ich/einwilligung/" in mail.link
    client = app.test_client()
    page = client.get(mail.link.replace("http://localhost", "")).get_data(as_text=True)
    assert "Einwilligung für Mia" in page


def test_no_answer_in_14_days_brings_one_reminder_then_the_request_expires(
    app: Flask,
    session,
    make_user,
    now,
    dispatcher: Dispatcher,
    recording: RecordingChannel,
    clock: dict[str, datetime],
):
    child = _child(session, make_user, now, locale="en")
    req = guardians.request_consent(session, child, now=now)
    session.commit()
    rule = rules()["guardian_requests"]  # the stable name the scheduler's job runs
    assert "guardian_requests" in SCHEDULE

    assert rule(session, now=now + timedelta(days=13)) == 0
    assert rule(session, now=now + timedelta(days=14)) == 1
    assert rule(session, now=now + timedelta(days=15)) == 0  # once only
    session.commit()
    clock["now"] = now + timedelta(days=15)
    dispatcher.run_until_idle()
    reminder = [m for n, m in recording.sent if n.kind == "guardian_reminder"]
    assert len(reminder) == 1
    assert reminder[0].subject == "Reminder: your consent for Mia"
    assert reminder[0].text.startswith("Dear parent or guardian,")
    assert "/ich/einwilligung/" in reminder[0].link

    rule(session, now=now + timedelta(days=21))
    session.commit()
    session.expire_all()
    assert session.get(GuardianRequest, req.id).state == GuardianState.EXPIRED
    assert profile_of(session, child).guardian_consent_at is None
    token = guardians.make_link_token(app.config["SECRET_KEY"], req.id)
    page = app.test_client().get(f"/ich/einwilligung/{token}").get_data(as_text=True)
    assert "abgelaufen" in page or "expired" in page
    steps = session.exec(
        select(AuditEntry.action)
        .where(col(AuditEntry.action).startswith("guardian."))
        .order_by(col(AuditEntry.id))
    ).all()
    assert steps == ["guardian.requested", "guardian.reminded", "guardian.expired"]


def test_naming_another_guardian_replaces_the_old_request_and_its_link(
    app: Flask, session, make_user, now
):
    child = _child(session, make_user, now)
    first = guardians.request_consent(session, child, now=now)
    profile = profile_of(session, child)
    assert profile is not None
    profile.guardian_email = "mutter@example.org"
    session.add(profile)
    second = guardians.request_consent(session, child, now=now)
    session.commit()
    assert session.get(GuardianRequest, first.id).state == GuardianState.SUPERSEDED
    old = guardians.make_link_token(app.config["SECRET_KEY"], first.id)
    assert app.test_client().get(f"/ich/einwilligung/{old}").status_code == 404
    new = guardians.make_link_token(app.config["SECRET_KEY"], second.id)
    assert app.test_client().get(f"/ich/einwilligung/{new}").status_code == 200
