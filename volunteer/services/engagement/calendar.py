"""Calendar entries for shifts: the one builder behind the ``.ics`` download, the personal feed
and the calendar attached to notices, and the feed's secret, revocable token (stored as a hash
only, ended by every password change).

One shift is one calendar event wherever it comes from: its UID (``shift-<id>@<host of
BASE_URL>``) is the same in the file, the feed and every e-mail, so a calendar app updates the
event it has instead of adding a second. ``SEQUENCE`` (``Shift.sequence``, raised when the time
or place changes or the shift is cancelled) and ``LAST-MODIFIED`` tell it which version is newer.

Times are written in Europe/Berlin with a VTIMEZONE (generated from the tz database by
``icalendar``), so calendar apps show the right local time on both sides of a DST change.
"""

import hashlib
import secrets
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from icalendar import Calendar, Event, vCalAddress
from icalendar import Timezone as VTimezone
from sqlmodel import Session, col, select

from volunteer.models import Opportunity, Organisation, Shift, Signup, SignupState, User
from volunteer.platform.clock import BERLIN
from volunteer.services.errors import ServiceError

# (shift, need, organisation, the need's URL) -> (SUMMARY, DESCRIPTION) in the reader's
# language: the caller words the event (``volunteer.web.wording.calendar``), this module only
# builds it, so the file, the feed and the notice say the same in the same words.
EventWords = Callable[[Shift, Opportunity, Organisation, str], tuple[str, str]]

TZID = "Europe/Berlin"
FEED_STATES = (SignupState.APPLIED, SignupState.ACCEPTED, SignupState.WAITLISTED)
FEED_PAST_DAYS = 90


def shift_uid(shift: Shift, *, base_url: str) -> str:
    """The shift's one UID, derived from the configured ``BASE_URL`` (stable across sources)."""
    return f"shift-{shift.id}@{urlsplit(base_url).hostname or 'mitwirken'}"


def _calendar(name: str, first: datetime, last: datetime, *, method: str = "") -> Calendar:
    cal = Calendar()
    cal.add("prodid", "-//Mitwirken//Ehrenamt//DE")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", TZID)
    start, end = first - timedelta(days=1), last + timedelta(days=1)
    cal.add_component(VTimezone.from_tzid(TZID, first_date=start.date(), last_date=end.date()))
    return cal


def shift_event(
    shift: Shift,
    opportunity: Opportunity,
    organisation: Organisation,
    *,
    base_url: str,
    url: str,
    now: datetime,
    words: EventWords,
    status: str = "CONFIRMED",
) -> Event:
    """The calendar event of one shift; every calendar this app writes is built from it."""
    event = Event()
    event.add("uid", shift_uid(shift, base_url=base_url))
    event.add("sequence", shift.sequence)
    event.add("dtstamp", now)
    event.add("last-modified", shift.updated_at)
    event.add("dtstart", shift.starts_at.astimezone(BERLIN))
    event.add("dtend", shift.ends_at.astimezone(BERLIN))
    summary, description = words(shift, opportunity, organisation, url)
    event.add("summary", summary)
    place = shift.place or opportunity.address
    if place:
        event.add("location", place)
    event.add("url", url)
    event.add("description", description)
    event.add("status", "CANCELLED" if shift.cancelled_at else status)
    return event


def notice_calendar(
    shift: Shift,
    opportunity: Opportunity,
    organisation: Organisation,
    *,
    base_url: str,
    url: str,
    organizer: str,
    attendee: str | None,
    now: datetime,
    words: EventWords,
) -> bytes:
    """The entry attached to a notice: ``METHOD:REQUEST`` adds or updates the event in the
    reader's calendar, ``METHOD:CANCEL`` (for a cancelled shift) removes it."""
    method = "CANCEL" if shift.cancelled_at else "REQUEST"
    cal = _calendar("Mitwirken", shift.starts_at, shift.ends_at, method=method)
    event = shift_event(
        shift, opportunity, organisation, base_url=base_url, url=url, now=now, words=words
    )
    sender = vCalAddress(f"mailto:{organisation.contact_email or organizer}")
    sender.params["cn"] = organisation.name
    event.add("organizer", sender)
    if attendee:
        person = vCalAddress(f"mailto:{attendee}")
        person.params["role"] = "REQ-PARTICIPANT"
        person.params["partstat"] = "ACCEPTED"
        event.add("attendee", person)
    cal.add_component(event)
    ical: bytes = cal.to_ical()
    return ical


def _rows(
    session: Session, shifts: Iterable[Shift]
) -> list[tuple[Shift, Opportunity, Organisation]]:
    ids = [s.id for s in shifts]
    if not ids:
        return []
    return [
        (s, o, org)
        for s, o, org in session.exec(
            select(Shift, Opportunity, Organisation)
            .join(Opportunity, col(Opportunity.id) == col(Shift.opportunity_id))
            .join(Organisation, col(Organisation.id) == col(Opportunity.organisation_id))
            .where(col(Shift.id).in_(ids))
            .order_by(col(Shift.starts_at))
        ).all()
    ]


def shift_ics(
    session: Session, shift: Shift, *, base_url: str, url: str, now: datetime, words: EventWords
) -> bytes:
    """One shift as a calendar file (public: the shift page is public too)."""
    rows = _rows(session, [shift])
    if not rows:
        raise ServiceError("not_found")
    cal = _calendar("Mitwirken", shift.starts_at, shift.ends_at)
    s, o, org = rows[0]
    cal.add_component(shift_event(s, o, org, base_url=base_url, url=url, now=now, words=words))
    ical: bytes = cal.to_ical()
    return ical


def feed_ics(
    session: Session,
    user: User,
    *,
    base_url: str,
    url_of: Callable[[Opportunity], str],
    now: datetime,
    words: EventWords,
) -> bytes:
    """Every shift the person is on or waiting for, from 90 days ago on.

    ``url_of`` gives a need's page (the caller builds it with ``url_for``)."""
    shifts = session.exec(
        select(Shift, Signup.state)
        .join(Signup, col(Signup.shift_id) == col(Shift.id))
        .where(
            Signup.user_id == user.id,
            col(Signup.state).in_([s.value for s in FEED_STATES]),
            Shift.ends_at > now - timedelta(days=FEED_PAST_DAYS),
        )
    ).all()
    state_of = {s.id: state for s, state in shifts}
    rows = _rows(session, [s for s, _ in shifts])
    first = rows[0][0].starts_at if rows else now
    last = rows[-1][0].ends_at if rows else now
    cal = _calendar("Mitwirken", first, last)
    for s, o, org in rows:
        tentative = state_of.get(s.id) != SignupState.ACCEPTED
        cal.add_component(
            shift_event(
                s,
                o,
                org,
                base_url=base_url,
                url=url_of(o),
                now=now,
                words=words,
                status="TENTATIVE" if tentative else "CONFIRMED",
            )
        )
    ical: bytes = cal.to_ical()
    return ical


def _fingerprint(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def rotate_feed_token(session: Session, user: User) -> str:
    """A new feed token; the old feed URL stops working at once (e.g. after sharing it by mistake).

    Returns the raw token, which exists only in this response: the account stores its SHA-256
    fingerprint, so a copy of the database cannot read anyone's calendar.
    """
    raw = secrets.token_urlsafe(32)
    user.ical_token = _fingerprint(raw)
    session.add(user)
    session.flush()
    return raw


def revoke_feed_token(session: Session, user: User) -> None:
    """Switch the feed off (also on every password change: a new password ends old links)."""
    user.ical_token = None
    session.add(user)
    session.flush()


def user_for_feed_token(session: Session, token: str) -> User | None:
    if not token or len(token) > 64:
        return None
    user = session.exec(select(User).where(User.ical_token == _fingerprint(token))).first()
    return user if user is not None and user.deleted_at is None else None
