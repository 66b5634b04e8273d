"""Rules called directly with a fixed ``now``: reminders (also across DST), unfilled shifts,
coordinator summaries; running any rule twice queues nothing new."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from notifications.channels.recording import RecordingChannel
from notifications.dispatcher import Dispatcher
from notifications.rules.coordinators import schedule_coordinator_summaries, weekly_figures
from notifications.rules.organisations import schedule_unfilled_shifts
from notifications.rules.reminders import schedule_reminders
from volunteer.models import Notice, Role, SignupState, User, VolunteerProfile
from volunteer.services.discovery import engine

BERLIN = ZoneInfo("Europe/Berlin")


def test_reminders_are_due_24h_and_2h_before_and_idempotent(
    session: Session, world: Callable[..., dict[str, Any]], now: datetime
) -> None:
    w = world(starts_at=now + timedelta(hours=20))
    assert schedule_reminders(session, now=now) == 2
    assert schedule_reminders(session, now=now) == 0  # twice is harmless
    session.commit()
    due = {n.kind: n.due_at for n in session.exec(select(Notice).where(Notice.channel == "email"))}
    start = w["shift"].starts_at
    assert due == {
        "reminder_24h": start - timedelta(hours=24),
        "reminder_2h": start - timedelta(hours=2),
    }


def test_reminder_window_across_the_dst_change_in_berlin(
    session: Session,
    world: Callable[..., dict[str, Any]],
    dispatcher: Dispatcher,
    recording: RecordingChannel,
    clock: dict[str, datetime],
) -> None:
    # Sunday 29 March 2026: clocks jump from 02:00 to 03:00. The shift is at 10:00 local (CEST).
    start = datetime(2026, 3, 29, 10, 0, tzinfo=BERLIN).astimezone(UTC)
    before = datetime(2026, 3, 28, 8, 0, tzinfo=BERLIN).astimezone(UTC)
    w = world(starts_at=start)
    assert schedule_reminders(session, now=before) == 2
    session.commit()
    reminder = session.exec(
        select(Notice).where(Notice.kind == "reminder_24h", Notice.channel == "email")
    ).one()
    assert reminder.due_at == start - timedelta(hours=24)  # 24 real hours ...
    assert reminder.due_at.astimezone(BERLIN).hour == 9  # ... which is 09:00 the day before (CET)
    clock["now"] = reminder.due_at - timedelta(minutes=1)
    assert dispatcher.run_until_idle().claimed == 0  # not yet
    clock["now"] = reminder.due_at
    dispatcher.run_until_idle()
    (message,) = [m for n, m in recording.sent if n.kind == "reminder_24h"]
    assert "Sonntag, 29. März 2026, 10:00–13:00" in message.text
    assert b"DTSTART;TZID=Europe/Berlin:20260329T100000" in message.attachments[0].data
    # The scheduler was down until 30 minutes before the start: the 2 h reminder still goes out,
    # once; a late 24 h reminder would not (expired).
    clock["now"] = start - timedelta(minutes=30)
    dispatcher.run_until_idle()
    assert [n.kind for n, _m in recording.sent].count("reminder_2h") == 1
    assert w["signup"].state == SignupState.ACCEPTED


def test_a_reminder_too_late_to_be_useful_is_skipped_with_a_reason(
    session: Session,
    world: Callable[..., dict[str, Any]],
    dispatcher: Dispatcher,
    recording: RecordingChannel,
    clock: dict[str, datetime],
    now: datetime,
) -> None:
    w = world(starts_at=now + timedelta(hours=20))
    schedule_reminders(session, now=now)
    session.commit()
    clock["now"] = w["shift"].starts_at + timedelta(minutes=5)  # the scheduler slept through it
    stats = dispatcher.run_until_idle()
    assert stats.sent == 0 and recording.sent == []
    reasons = {n.last_error for n in session.exec(select(Notice))}
    assert reasons == {"too late to be useful"}


def test_withdrawn_signups_get_no_reminder(
    session: Session,
    world: Callable[..., dict[str, Any]],
    dispatcher: Dispatcher,
    recording: RecordingChannel,
    now: datetime,
) -> None:
    w = world(starts_at=now + timedelta(hours=20))
    schedule_reminders(session, now=now)
    w["signup"].state = SignupState.WITHDRAWN
    session.add(w["signup"])
    session.commit()
    dispatcher.run_until_idle()
    assert recording.sent == []


def test_unfilled_shift_three_days_ahead_notifies_each_member_once(
    session: Session,
    world: Callable[..., dict[str, Any]],
    dispatcher: Dispatcher,
    recording: RecordingChannel,
    make_user: Callable[..., User],
    now: datetime,
) -> None:
    w = world(starts_at=now + timedelta(hours=60), capacity=4)
    # Two people the engine can suggest (every weekly slot free, German spoken), one who hides.
    for first_name, discoverable in (("Jonas", True), ("Lena", True), ("Hidden", False)):
        person = make_user(first_name=first_name)
        session.add(
            VolunteerProfile(
                user_id=person.id,
                availability=(1 << 21) - 1,
                languages=["de"],
                discoverable=discoverable,
                completed_at=now,
            )
        )
    session.commit()
    engine.invalidate()
    assert schedule_unfilled_shifts(session, now=now) == 1
    assert schedule_unfilled_shifts(session, now=now) == 0
    session.commit()
    dispatcher.run_until_idle()
    ((notice, message),) = recording.sent
    assert notice.user_id == w["admin"].id
    assert "3 von 4 Plätzen sind noch frei" in message.text
    # The engine's top candidates, with its reasons worded for the association; not the
    # volunteer already signed up, not the one who asked not to be found.
    lines = [line for line in message.text.splitlines() if line.startswith("- ")]
    assert sorted(line.split(":")[0] for line in lines) == ["- Jonas", "- Lena"]
    assert all("hat Zeit" in line for line in lines), lines
    assert "Jonas" in message.html and "Hidden" not in message.text


@pytest.mark.parametrize(
    ("state", "capacity", "unfilled"),
    [
        (SignupState.ACCEPTED, 1, 0),  # her place fills the shift
        (SignupState.ACCEPTED, 2, 1),
        (SignupState.WITHDRAWN, 1, 1),  # a withdrawn sign-up holds no place
    ],
)
def test_a_shift_is_unfilled_while_the_engine_counts_a_free_place(
    session: Session,
    world: Callable[..., dict[str, Any]],
    now: datetime,
    state: SignupState,
    capacity: int,
    unfilled: int,
) -> None:
    world(starts_at=now + timedelta(hours=60), capacity=capacity, state=state)
    assert weekly_figures(session, now=now)["shifts_unfilled"] == unfilled
    assert schedule_unfilled_shifts(session, now=now) == unfilled  # one notice for the admin


def test_coordinators_get_one_weekly_summary(
    session: Session,
    world: Callable[..., dict[str, Any]],
    make_user: Callable[..., User],
    dispatcher: Dispatcher,
    recording: RecordingChannel,
    now: datetime,
) -> None:
    world()
    make_user(role=Role.COORDINATOR, locale="en")
    assert schedule_coordinator_summaries(session, now=now) == 1
    assert schedule_coordinator_summaries(session, now=now + timedelta(days=1)) == 0  # same week
    session.commit()
    dispatcher.run_until_idle()
    ((_n, message),) = recording.sent
    assert message.subject == "Mitwirken this week" and "New sign-ups: 1" in message.text
