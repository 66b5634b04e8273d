"""One shift is one calendar event: the same UID in the download, the personal feed and every
e-mail, with a SEQUENCE that rises when the shift changes; change and cancel mails carry the
calendar update (METHOD:REQUEST, METHOD:CANCEL)."""

from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any

import icalendar
from flask.testing import FlaskClient
from sqlmodel import Session

from notifications.channels.recording import RecordingChannel
from notifications.dispatcher import Dispatcher
from volunteer.platform.clock import BERLIN
from volunteer.services.engagement import calendar
from volunteer.services.organisations import shifts as shift_service


def _event(data: bytes) -> tuple[icalendar.Calendar, icalendar.Event]:
    cal = icalendar.Calendar.from_ical(data)
    (event,) = cal.walk("VEVENT")
    return cal, event


def _mail_calendar(recording: RecordingChannel, kind: str) -> tuple[Any, Any, str]:
    ((_notice, message),) = [(n, m) for n, m in recording.sent if n.kind == kind]
    (attachment,) = message.attachments
    cal, event = _event(attachment.data)
    return cal, event, attachment.content_type


def test_one_uid_per_shift_in_download_feed_and_mails_with_sequence_and_method(
    session: Session,
    world: Callable[..., dict[str, Any]],
    dispatcher: Dispatcher,
    recording: RecordingChannel,
    client: FlaskClient,
    clock: dict[str, datetime],
    now: datetime,
) -> None:
    w = world()
    shift, volunteer = w["shift"], w["volunteer"]
    token = calendar.rotate_feed_token(session, volunteer)
    session.commit()

    _cal, download = _event(client.get(f"/engagements/schichten/{shift.id}.ics").data)
    _cal, fed = _event(client.get(f"/ich/kalender/{token}.ics").data)
    uid = str(download["uid"])
    assert uid == f"shift-{shift.id}@localhost" == str(fed["uid"])
    assert download["sequence"] == fed["sequence"] == 0
    assert str(fed["url"]).endswith(f"/engagements/{w['opp'].id}")

    # The association moves the shift by an hour: a calendar update to everyone on it.
    local = shift.starts_at.astimezone(BERLIN)
    moved = shift_service.ShiftInput(
        day=local.date(), start=time(local.hour + 1), end=time(local.hour + 4), capacity=3,
        place="Lager, Eingang B",
    )  # fmt: skip
    later = now + timedelta(hours=1)
    assert shift_service.edit_shift(session, shift, moved, by=w["admin"], now=later) == 1
    session.commit()
    clock["now"] = later
    dispatcher.run_until_idle()
    cal, changed, content_type = _mail_calendar(recording, "shift_changed")
    assert cal["method"] == "REQUEST" and content_type == "text/calendar; method=REQUEST"
    assert str(changed["uid"]) == uid and changed["sequence"] == 1
    assert changed.decoded("last-modified") == later
    assert changed.decoded("dtstart").hour == local.hour + 1
    assert str(changed["attendee"]) == f"mailto:{volunteer.email}"
    _cal, fed = _event(client.get(f"/ich/kalender/{token}.ics").data)
    assert str(fed["uid"]) == uid and fed["sequence"] == 1
    assert fed.decoded("dtstart") == changed.decoded("dtstart")

    # Then it is cancelled: the mail removes the event from the calendar.
    clock["now"] = later + timedelta(hours=1)
    assert (
        shift_service.cancel_shift(
            session,
            shift,
            reason="Der Lieferwagen ist ausgefallen.",
            by=w["admin"],
            now=clock["now"],
        )
        == 1
    )
    session.commit()
    dispatcher.run_until_idle()
    cal, cancelled, content_type = _mail_calendar(recording, "shift_cancelled")
    assert cal["method"] == "CANCEL" and content_type == "text/calendar; method=CANCEL"
    assert str(cancelled["uid"]) == uid and cancelled["sequence"] == 2
    assert cancelled["status"] == "CANCELLED"
