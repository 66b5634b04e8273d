"""A calendar entry speaks the reader's language: the download in the page's, the feed in its
owner's (a calendar app sends no language), the time spelled out through Babel."""

from datetime import timedelta

import icalendar

from tests.factories import make_shift
from tests.locale_leaks import text_leaks
from volunteer.platform.i18n import LANG_COOKIE
from volunteer.services.engagement import calendar, signups


def _event(data: bytes) -> icalendar.Event:
    (event,) = icalendar.Calendar.from_ical(data).walk("VEVENT")
    return event


def test_the_shift_download_is_worded_in_the_pages_language(client, session, now):
    shift = make_shift(session, now, starts_in=timedelta(days=2))  # Monday 30 November, 10:00
    session.commit()
    german = _event(client.get(f"/engagements/schichten/{shift.id}.ics").data)
    description = str(german["DESCRIPTION"])
    assert "Montag, 30. November 2026, 10:00–13:00" in description
    assert "Veranstaltet von" in description and "Details:" in description
    assert not text_leaks(description, "de") and not text_leaks(str(german["SUMMARY"]), "de")
    client.set_cookie(LANG_COOKIE, "en")
    english = _event(client.get(f"/engagements/schichten/{shift.id}.ics").data)
    description = str(english["DESCRIPTION"])
    assert "Monday, November 30, 2026, 10:00\u202fAM–1:00\u202fPM" in description
    assert "Organised by" in description and "Veranstaltet" not in description
    assert not text_leaks(description, "en")


def test_the_feed_speaks_its_owners_language_and_names_a_cancelled_shift(
    client, session, make_user, now
):
    user = make_user(locale="en")
    shift = make_shift(session, now, starts_in=timedelta(days=2))
    signups.sign_up(session, user, shift, now=now)
    shift.cancelled_at = now
    session.add(shift)
    token = calendar.rotate_feed_token(session, user)
    session.commit()
    event = _event(client.get(f"/ich/kalender/{token}.ics").data)  # no cookie, no login
    assert str(event["SUMMARY"]).startswith("Cancelled: ")
    assert "Organised by" in str(event["DESCRIPTION"])
    assert not text_leaks(str(event["DESCRIPTION"]), "en")
