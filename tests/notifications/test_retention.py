"""The nightly retention rule keeps what the privacy notice promises, on a fixed clock."""

from datetime import datetime, timedelta

from flask import Flask
from sqlmodel import select

from notifications.channels.recording import RecordingChannel
from notifications.dispatcher import Dispatcher
from notifications.scheduler import SCHEDULE, rules
from tests.factories import make_opportunity, make_shift
from volunteer.models import (
    AuditEntry,
    Notice,
    NoticeStatus,
    Signup,
    SignupState,
    Token,
    User,
)

DAY = timedelta(days=1)


def _run(app: Flask, session, at: datetime) -> int:
    rule = rules()["retention"]  # the stable name the scheduler's job runs
    with app.app_context():
        created = rule(session, now=at)
    session.commit()
    session.expire_all()
    return created


def test_retention_deletes_and_empties_what_the_privacy_notice_promises(
    app: Flask, session, make_user, now
):
    assert "retention" in SCHEDULE
    stale = make_user(email_verified_at=None, created_at=now - 31 * DAY)
    fresh = make_user(email_verified_at=None, created_at=now - 29 * DAY)
    session.add_all(
        [
            Token(purpose="password_reset", token_hash="a" * 64, user_id=fresh.id,
                  created_at=now - 10 * DAY, expires_at=now - 8 * DAY),
            Token(purpose="password_reset", token_hash="b" * 64, user_id=fresh.id,
                  created_at=now, expires_at=now + DAY),
            AuditEntry(at=now - 366 * DAY, action="user.login", actor_id=fresh.id),
            AuditEntry(at=now - 300 * DAY, action="user.login", actor_id=fresh.id),
        ]
    )  # fmt: skip
    for channel, age in (("email", 91), ("inapp", 91), ("email", 10)):
        session.add(
            Notice(
                kind="signup_received", channel=channel, dedupe_key=f"x:{channel}:{age}",
                user_id=fresh.id, to_email="a@example.org" if channel == "email" else None,
                payload={"signup_id": 1}, status=NoticeStatus.SENT, due_at=now - age * DAY,
                created_at=now - age * DAY, sent_at=now - age * DAY, subject="Hallo",
                body="Ruf mich an: 0170 123",
            )
        )  # fmt: skip
    shift = make_shift(session, now, make_opportunity(session, now), starts_in=-200 * DAY)
    old = now - 181 * DAY
    declined = Signup(
        shift_id=shift.id,
        user_id=fresh.id,
        state=SignupState.DECLINED,
        message="Meine Nummer: 0170 1",
        reason="voll",
        updated_at=old,
    )
    other = make_user()
    attended = Signup(shift_id=shift.id, user_id=other.id, state=SignupState.ATTENDED,
                      message="Bis dann", updated_at=old)  # fmt: skip
    session.add_all([declined, attended])
    session.commit()

    _run(app, session, now)

    assert session.get(User, stale.id).deleted_at is not None  # never confirmed in 30 days
    assert session.get(User, fresh.id).deleted_at is None
    assert [t.token_hash[0] for t in session.exec(select(Token)).all()] == ["b"]
    assert [
        a.at.date() for a in session.exec(select(AuditEntry)).all() if a.action == "user.login"
    ] == [(now - 300 * DAY).date()]
    notices = {(n.channel, n.created_at.date()): n for n in session.exec(select(Notice)).all()}
    assert ("inapp", (now - 91 * DAY).date()) not in notices  # the inbox copy is gone
    emptied = notices[("email", (now - 91 * DAY).date())]
    assert (emptied.body, emptied.subject, emptied.to_email, emptied.payload) == (
        None,
        None,
        None,
        {},
    )
    assert emptied.dedupe_key == "x:email:91"  # kept, so no rule sends it again
    assert notices[("email", (now - 10 * DAY).date())].body == "Ruf mich an: 0170 123"
    assert (session.get(Signup, declined.id).message, session.get(Signup, declined.id).reason) == (
        "",
        "",
    )
    assert session.get(Signup, attended.id).message == "Bis dann"


def test_an_unused_account_is_warned_then_deleted_unless_its_owner_logs_in(
    app: Flask, session, make_user, now, dispatcher: Dispatcher, recording: RecordingChannel,
    clock: dict[str, datetime],
):  # fmt: skip
    idle = make_user(first_name="Ida", created_at=now - 800 * DAY, last_login_at=now - 731 * DAY)
    back = make_user(first_name="Ben", created_at=now - 800 * DAY, last_login_at=now - 731 * DAY)
    active = make_user(created_at=now - 800 * DAY, last_login_at=now - 700 * DAY)

    assert _run(app, session, now) == 2
    assert _run(app, session, now + DAY) == 0  # one warning only
    dispatcher.run_until_idle()
    (warning,) = [m for n, m in recording.sent if n.user_id == idle.id]
    assert warning.subject == "Dein Mitwirken-Konto wird gelöscht, wenn du dich nicht anmeldest"
    assert "28. Dezember 2026" in warning.text and "/konto/anmelden" in warning.link

    back.last_login_at = now + 10 * DAY  # Ben logs in after the warning
    session.add(back)
    session.commit()
    _run(app, session, now + 29 * DAY)
    assert session.get(User, idle.id).deleted_at is None  # the grace period is not over
    _run(app, session, now + 30 * DAY)
    assert session.get(User, idle.id).deleted_at is not None
    assert session.get(User, back.id).deleted_at is None
    assert session.get(User, active.id).deleted_at is None
    kinds = {n.kind for n in session.exec(select(Notice).where(Notice.user_id == active.id))}
    assert "account_inactive" not in kinds


def test_retention_periods_are_configuration(app: Flask, session, make_user, now):
    app.config["RETENTION_UNVERIFIED_DAYS"] = 3
    user = make_user(email_verified_at=None, created_at=now - 4 * DAY)
    _run(app, session, now)
    assert session.get(User, user.id).deleted_at is not None
