"""The web side: inbox with unread count, preferences, one-click unsubscribe, quiet hours."""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from notifications.channels.recording import RecordingChannel
from notifications.dispatcher import Dispatcher
from volunteer.models import Notice, NoticePreference, User, VolunteerProfile
from volunteer.services.notices import outbox
from volunteer.services.notices.unsubscribe import make_token


def test_inbox_shows_delivered_notices_with_unread_count_and_marks_read(
    client: FlaskClient,
    login: Callable[..., FlaskClient],
    session: Session,
    world: Callable[..., dict[str, Any]],
    dispatcher: Dispatcher,
    now: datetime,
) -> None:
    w = world()
    v = w["volunteer"]
    outbox.enqueue(
        session,
        "signup_accepted",
        dedupe_key="a",
        now=now,
        user=v,
        payload={"signup_id": w["signup"].id},
    )
    outbox.enqueue(
        session,
        "reminder_2h",
        dedupe_key="later",
        now=now,
        user=v,
        payload={"signup_id": w["signup"].id},
        due_at=now + timedelta(days=1),
    )
    session.commit()
    dispatcher.run_until_idle()
    login(v)
    page = client.get("/postfach/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Du bist dabei: Lebensmittel sortieren" in html and "In zwei Stunden" not in html
    assert 'class="nav-badge">1<' in html and "1 ungelesene Nachricht" in html
    notice = session.exec(
        select(Notice).where(Notice.channel == "inapp", Notice.kind == "signup_accepted")
    ).one()
    assert client.post(f"/postfach/{notice.id}/gelesen").status_code == 302
    assert "nav-badge" not in client.get("/postfach/").get_data(as_text=True)
    assert client.get("/postfach/?seite=99999999999").status_code == 200
    # Someone else's notice looks like none at all.
    login(w["admin"])
    assert client.post(f"/postfach/{notice.id}/gelesen").status_code == 404


def test_preferences_switch_kinds_off_and_set_quiet_hours(
    app: Flask,
    client: FlaskClient,
    login: Callable[..., FlaskClient],
    session: Session,
    world: Callable[..., dict[str, Any]],
    dispatcher: Dispatcher,
    recording: RecordingChannel,
    clock: dict[str, datetime],
    now: datetime,
) -> None:
    w = world()
    v = w["volunteer"]
    login(v)
    assert client.get("/benachrichtigungen").status_code == 200
    form = {
        "signup_accepted__inapp": "y",
        "reminder_24h__email": "y",
        "digest_frequency": "weekly",
        "quiet_start_hour": "21",
        "quiet_end_hour": "8",
    }
    assert client.post("/benachrichtigungen", data=form).status_code == 302
    pref = session.get(NoticePreference, (v.id, "signup_accepted", "email"))
    assert pref is not None and pref.enabled is False
    bad = client.post("/benachrichtigungen", data={**form, "quiet_end_hour": "25"})
    assert bad.status_code == 422
    half = client.post("/benachrichtigungen", data={**form, "quiet_end_hour": ""})
    assert half.status_code == 422
    outbox.enqueue(
        session,
        "signup_accepted",
        dedupe_key="a",
        now=now,
        user=v,
        payload={"signup_id": w["signup"].id},
    )
    outbox.enqueue(
        session,
        "reminder_24h",
        dedupe_key="r",
        now=now,
        user=v,
        payload={"signup_id": w["signup"].id},
        channels=["email"],
    )
    outbox.enqueue(session, "password_changed", dedupe_key="p", now=now, user=v, payload={})
    session.commit()
    clock["now"] = datetime.fromisoformat("2026-11-28T21:30:00+00:00")  # 22:30 in Berlin: quiet
    stats = dispatcher.run_until_idle()
    assert recording.kinds == ["password_changed"]  # security notices ignore quiet hours
    assert stats.deferred == 1 and stats.skipped == 1  # e-mail switched off; in-app still sent
    reminder = session.exec(select(Notice).where(Notice.kind == "reminder_24h")).one()
    session.refresh(reminder)
    assert (
        reminder.status == "pending" and reminder.due_at.isoformat() == "2026-11-29T07:00:00+00:00"
    )


def test_one_click_unsubscribe_verifies_the_signed_token(
    app: Flask,
    client: FlaskClient,
    session: Session,
    make_user: Callable[..., User],
) -> None:
    user = make_user()
    token = make_token(app.config["SECRET_KEY"], user.id, "digest")
    assert client.get(f"/benachrichtigungen/abbestellen/{token}").status_code == 200
    assert (
        session.get(NoticePreference, (user.id, "digest", "email")) is None
    )  # GET changes nothing
    assert (
        client.post(
            f"/benachrichtigungen/abbestellen/{token}", data={"List-Unsubscribe": "One-Click"}
        ).status_code
        == 200
    )
    pref = session.get(NoticePreference, (user.id, "digest", "email"))
    assert pref is not None and pref.enabled is False
    forged = make_token("another-secret-key-0123456789abcdef", user.id, "digest")
    for bad in (forged, "x" * 600, "%00", token[:-2]):
        assert client.post(f"/benachrichtigungen/abbestellen/{bad}").status_code == 404
    security = make_token(app.config["SECRET_KEY"], user.id, "password_reset")
    assert client.post(f"/benachrichtigungen/abbestellen/{security}").status_code == 404
    assert session.get(VolunteerProfile, user.id) is None
