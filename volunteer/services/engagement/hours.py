"""Hours: volunteers report them, associations confirm or reject them, totals count confirmed.

The one module that creates or changes an hour entry. Only confirmed hours count towards the
Ehrenamtskarte, and each association confirms only hours done for it. An entry moves
``submitted -> confirmed | rejected`` (``HOUR_TRANSITIONS``), once. One sign-up has at most one
entry that is not rejected, so hours are never counted twice for the same shift.

Attendance is a separate decision (:mod:`volunteer.services.engagement.applications`): marking
someone absent never rejects her report, marking her present never writes one for her. A report
against a "did not come" is shown to the association as a conflict to decide.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from sqlalchemy import extract, func
from sqlmodel import Session, col, select

from volunteer.models import (
    HOUR_TRANSITIONS,
    HourEntry,
    HourState,
    Organisation,
    Signup,
    SignupState,
    User,
    VolunteerProfile,
)
from volunteer.platform.clock import BERLIN
from volunteer.platform.richtext import markup_problem
from volunteer.services import audit
from volunteer.services.accounts import account as accounts
from volunteer.services.discovery.visibility import shown_clause
from volunteer.services.engagement import signups
from volunteer.services.errors import ServiceError
from volunteer.services.notices import outbox
from volunteer.services.organisations.members import admins
from volunteer.services.organisations.recurrence import duration_minutes

# How far back hours may be reported: the Ehrenamtskarte looks at the last two years.
MAX_AGE_DAYS = 2 * 366
# States of a sign-up for which the person may report hours: she was (or says she was) there.
# NO_SHOW is included on purpose: attendance and hours are separate decisions, and a report
# against a no-show is a conflict the association decides (see ``conflicts``), not a refusal.
REPORTABLE_STATES = frozenset(
    {SignupState.APPLIED, SignupState.ACCEPTED, SignupState.ATTENDED, SignupState.NO_SHOW}
)


class Timed(Protocol):
    """Anything with a start and an end: a ``Shift`` row, or a shift read as columns."""

    @property
    def starts_at(self) -> datetime: ...

    @property
    def ends_at(self) -> datetime: ...


def plausible_minutes(shift: Timed, *, margin_minutes: int) -> int:
    """The most minutes one may report for ``shift``: its length plus the configured margin.

    The margin (``HOURS_MARGIN_MINUTES``) allows for setting up and staying a little longer;
    600 minutes for a 20-minute shift are a typing error, not engagement.
    """
    return duration_minutes(shift.starts_at, shift.ends_at) + max(0, margin_minutes)


def open_entry_for(session: Session, signup: Signup) -> HourEntry | None:
    """The submitted or confirmed entry for a sign-up, if any."""
    return session.exec(
        select(HourEntry).where(
            HourEntry.signup_id == signup.id, HourEntry.state != HourState.REJECTED
        )
    ).first()


def submit_hours(
    session: Session,
    user: User,
    signup: Signup,
    *,
    minutes: int,
    margin_minutes: int,
    now: datetime,
    note: str = "",
) -> HourEntry:
    """The volunteer reports hours for a shift she was on; the association is asked to confirm.

    The only place an hour entry is created. One open or confirmed entry per sign-up (after a
    rejection she may report again). Every admin of the association gets an ``hours_submitted``
    notice in the same transaction; whether it is delivered follows their "hours to confirm"
    preference, which the dispatcher checks at delivery.
    """
    if user.deleted_at is not None or signup.user_id != user.id:
        raise ServiceError("not_found")
    shift, _, organisation = signups.shift_with_need(session, signup.shift_id)
    if signup.state not in REPORTABLE_STATES or shift.cancelled_at is not None:
        raise ServiceError("hours_not_possible", field="minutes")
    if shift.starts_at > now:
        raise ServiceError("hours_in_future", field="minutes")
    worked_on = shift.starts_at.astimezone(BERLIN).date()
    if (now.astimezone(BERLIN).date() - worked_on).days > MAX_AGE_DAYS:
        raise ServiceError("too_old", field="minutes")
    longest = plausible_minutes(shift, margin_minutes=margin_minutes)
    if not 1 <= minutes <= longest:
        raise ServiceError(
            "minutes_implausible",
            field="minutes",
            max=longest,
            length=duration_minutes(shift.starts_at, shift.ends_at),
        )
    if markup_problem(note):
        raise ServiceError("markup", field="note")
    if open_entry_for(session, signup) is not None:
        raise ServiceError("hours_already_submitted", field="minutes")
    assert organisation.id is not None
    entry = HourEntry(
        user_id=user.id,
        organisation_id=organisation.id,
        signup_id=signup.id,
        worked_on=worked_on,
        minutes=minutes,
        note=note.strip()[:1000],
        state=HourState.SUBMITTED,
        created_at=now,
    )
    session.add(entry)
    session.flush()
    outbox.enqueue_each(
        session, "hours_submitted", admins(session, organisation),
        dedupe_key=f"hours_submitted:{entry.id}", now=now,
        payload={"hour_entry_id": entry.id, "organisation_id": organisation.id},
    )  # fmt: skip
    return entry


def _decide(
    session: Session,
    org: Organisation,
    entry: HourEntry,
    to: HourState,
    *,
    by: User,
    now: datetime,
    reason: str = "",
) -> HourEntry:
    if entry.organisation_id != org.id:
        raise ServiceError("not_found")
    if to not in HOUR_TRANSITIONS[HourState(entry.state)]:
        raise ServiceError("hours_already_decided", state=entry.state)
    entry.state = to
    entry.decided_at = now
    entry.decided_by_id = by.id
    session.add(entry)
    session.flush()
    audit.record(
        session, f"hours.{to}", actor=by, now=now, object_type="hour_entry", object_id=entry.id,
        minutes=entry.minutes,
    )  # fmt: skip
    volunteer = accounts.active_user(session, entry.user_id)
    if volunteer is not None:
        kind = "hours_confirmed" if to == HourState.CONFIRMED else "hours_rejected"
        outbox.enqueue(
            session,
            kind,
            dedupe_key=f"{kind}:{entry.id}",
            now=now,
            user=volunteer,
            payload={
                "hour_entry_id": entry.id,
                "organisation_id": org.id,
                "minutes": entry.minutes,
                "reason": reason.strip()[:500],
            },
        )
    return entry


def confirm(
    session: Session, org: Organisation, entry: HourEntry, *, by: User, now: datetime
) -> HourEntry:
    return _decide(session, org, entry, HourState.CONFIRMED, by=by, now=now)


def reject(
    session: Session,
    org: Organisation,
    entry: HourEntry,
    *,
    by: User,
    now: datetime,
    reason: str = "",
) -> HourEntry:
    return _decide(session, org, entry, HourState.REJECTED, by=by, now=now, reason=reason)


def decide_many(
    session: Session,
    org: Organisation,
    entry_ids: Iterable[int],
    to: HourState,
    *,
    by: User,
    now: datetime,
) -> int:
    """Confirm or reject several entries at once; all or nothing.

    Ids of other organisations' entries or already decided ones make the whole call fail, so a
    stale page never confirms half a list.
    """
    ids = sorted(set(entry_ids))
    if not ids:
        raise ServiceError("nothing_selected", field="entries")
    entries = session.exec(
        select(HourEntry).where(col(HourEntry.id).in_(ids), HourEntry.organisation_id == org.id)
    ).all()
    if len(entries) != len(ids):
        raise ServiceError("not_found")
    for entry in entries:
        _decide(session, org, entry, to, by=by, now=now)
    return len(entries)


@dataclass(frozen=True, slots=True)
class PendingEntry:
    """An entry waiting for the association's decision, and whether it contradicts attendance."""

    entry: HourEntry
    user: User | None
    # The association recorded "did not come" for this shift, yet she reported hours: it must
    # decide which is right; nothing decides it automatically.
    marked_absent: bool


def pending(session: Session, org: Organisation) -> list[PendingEntry]:
    rows = session.exec(
        select(HourEntry, User, Signup.state)
        .join(User, col(User.id) == HourEntry.user_id, isouter=True)
        .join(VolunteerProfile, col(VolunteerProfile.user_id) == HourEntry.user_id, isouter=True)
        .join(Signup, col(Signup.id) == HourEntry.signup_id, isouter=True)
        .where(
            HourEntry.organisation_id == org.id,
            HourEntry.state == HourState.SUBMITTED,
            shown_clause(),
        )
        .order_by(col(HourEntry.worked_on), col(HourEntry.id))
    ).all()
    return [PendingEntry(e, u, state == SignupState.NO_SHOW) for e, u, state in rows]


def recent_decided(
    session: Session, org: Organisation, *, limit: int = 20
) -> list[tuple[HourEntry, User | None]]:
    rows = session.exec(
        select(HourEntry, User)
        .join(User, col(User.id) == HourEntry.user_id, isouter=True)
        .join(VolunteerProfile, col(VolunteerProfile.user_id) == HourEntry.user_id, isouter=True)
        .where(
            HourEntry.organisation_id == org.id,
            HourEntry.state != HourState.SUBMITTED,
            shown_clause(),
        )
        .order_by(col(HourEntry.decided_at).desc(), col(HourEntry.id).desc())
        .limit(limit)
    ).all()
    return [(e, u) for e, u in rows]


@dataclass(frozen=True, slots=True)
class VolunteerTotal:
    """Confirmed hours of one volunteer for one organisation in one year."""

    user: User
    minutes: int
    entries: int
    first_day: date
    last_day: date

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 2)


def totals_per_volunteer(session: Session, org: Organisation, *, year: int) -> list[VolunteerTotal]:
    """Confirmed hours per volunteer, for the Ehrenamtskarte application (deleted people skip)."""
    # SQLModel types select() for up to four columns; at run time it takes any number.
    rows = session.exec(
        select(  # type: ignore[call-overload]
            User,
            func.sum(HourEntry.minutes),
            func.count(),
            func.min(HourEntry.worked_on),
            func.max(HourEntry.worked_on),
        )
        .join(User, col(User.id) == HourEntry.user_id)
        .join(VolunteerProfile, col(VolunteerProfile.user_id) == HourEntry.user_id, isouter=True)
        .where(
            HourEntry.organisation_id == org.id,
            HourEntry.state == HourState.CONFIRMED,
            extract("year", col(HourEntry.worked_on)) == year,
            col(User.deleted_at).is_(None),
            shown_clause(),
        )
        .group_by(col(User.id))
        .order_by(col(User.last_name), col(User.first_name), col(User.id))
    ).all()
    return [VolunteerTotal(u, int(m or 0), int(n), first, last) for u, m, n, first, last in rows]


def organisation_minutes(session: Session, org: Organisation, *, year: int) -> int:
    """Confirmed minutes done for the organisation in a year (anonymised people included)."""
    total = session.exec(
        select(func.coalesce(func.sum(HourEntry.minutes), 0)).where(
            HourEntry.organisation_id == org.id,
            HourEntry.state == HourState.CONFIRMED,
            extract("year", col(HourEntry.worked_on)) == year,
        )
    ).one()
    return int(total)
