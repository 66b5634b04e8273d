"""A calendar entry (.ics) for a shift, attached to reminders.

Times are written in Europe/Berlin with a VTIMEZONE, so calendars show the right local time
on both sides of a DST change; the UID is stable per shift so a re-sent entry updates the
existing one instead of adding a second.
"""

from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from volunteer.models import Opportunity, Organisation, Shift

BERLIN = ZoneInfo("Europe/Berlin")


def shift_calendar(
    shift: Shift, opportunity: Opportunity, organisation: Organisation, *, url: str, base: str
) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Mitwirken//Notices//DE")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    event = Event()
    host = urlsplit(base).hostname or "mitwirken.local"
    event.add("uid", f"shift-{shift.id}@{host}")
    event.add("dtstamp", shift.updated_at)
    event.add("dtstart", shift.starts_at.astimezone(BERLIN))
    event.add("dtend", shift.ends_at.astimezone(BERLIN))
    event.add("summary", f"{opportunity.title} ({organisation.name})")
    place = shift.place or opportunity.address
    if place:
        event.add("location", place)
    contact = ", ".join(x for x in (organisation.contact_email, organisation.phone) if x)
    if contact:
        event.add("description", contact)
    event.add("url", url)
    if shift.cancelled_at is not None:
        event.add("status", "CANCELLED")
    cal.add_component(event)
    cal.add_missing_timezones()
    return bytes(cal.to_ical())
