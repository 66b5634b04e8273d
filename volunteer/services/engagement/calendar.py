"""Calendar files: one ``.ics`` per shift and a personal feed behind a secret, revocable token
(stored as a hash only, ended by every password change).

Times are written in Europe/Berlin with a VTIMEZONE (generated from the tz database by
``icalendar``), so calendar apps show the right local time on both sides of a DST change. UIDs
are stable per shift, so importing the same file twice updates the event instead of doubling it.
"""

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone
from sqlmodel import Session, col, select

from volunteer.models import Opportunity, Organisation, Shift, Signup, SignupState, User
from volunteer.services.errors import ServiceError

BERLIN = ZoneInfo("Europe/Berlin")
TZID = "Europe/Berlin"
FEED_STATES = (SignupState.APPLIED, SignupState.ACCEPTED, SignupState.WAITLISTED)
FEED_PAST_DAYS = 90


def _calendar(name: str, first: datetime | None, last: datetime | None) -> Calendar:
    cal = Calendar()
    cal.add("prodid", "-//Mitwirken Bochum//Ehrenamt//DE")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", TZID)
    start = (first or datetime.now(BERLIN)) - timedelta(days=1)
    end = (last or start) + timedelta(days=1)
    cal.add_component(Timezone.from_tzid(TZID, first_date=start.date(), last_date=end.date()))
    return cal


def _event(
    shift: Shift,
    opportunity: Opportunity,
    organisation: Organisation,
    *,
    base_url: str,
    now: datetime,
    status: str = "CONFIRMED",
) -> Event:
    event = Event()
    event.add("uid", f"shift-{shift.id}@mitwirken")
    event.add("dtstamp", now)
    event.add("dtstart", shift.starts_at.astimezone(BERLIN))
    event.add("dtend", shift.ends_at.astimezone(BERLIN))
    event.add("summary", f"{opportunity.title} ({organisation.name})")
    place = shift.place or opportunity.address
    if place:
        event.add("location", place)
    event.add("url", f"{base_url}/engagements/{opportunity.id}")
    event.add("description", f"{organisation.name}\n{base_url}/engagements/{opportunity.id}")
    event.add("status", "CANCELLED" if shift.cancelled_at else status)
    return event


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


def shift_ics(session: Session, shift: Shift, *, base_url: str, now: datetime) -> bytes:
    """One shift as a calendar file (public: the shift page is public too)."""
    rows = _rows(session, [shift])
    if not rows:
        raise ServiceError("not_found")
    cal = _calendar("Mitwirken", shift.starts_at, shift.ends_at)
    s, o, org = rows[0]
    cal.add_component(_event(s, o, org, base_url=base_url, now=now))
    ical: bytes = cal.to_ical()
    return ical


def feed_ics(session: Session, user: User, *, base_url: str, now: datetime) -> bytes:
    """Every shift the person is on or waiting for, from 90 days ago on."""
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
            _event(
                s,
                o,
                org,
                base_url=base_url,
                now=now,
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
