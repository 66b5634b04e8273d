"""Shifts of an opportunity: adding them (one-off or a weekly series), changing and cancelling them.

Editing or cancelling a shift that people signed up for writes a notice to each of them in the
same transaction and raises the shift's calendar ``sequence``. Every check runs before the first
write, so a refused form never leaves half a series behind.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from volunteer.models import (
    PLACE_HOLDING_STATES,
    Opportunity,
    OpportunityStatus,
    Shift,
    Signup,
    SignupState,
    User,
)
from volunteer.platform.richtext import markup_problem
from volunteer.services import audit, fields
from volunteer.services.accounts import account as accounts
from volunteer.services.engagement import signups
from volunteer.services.errors import ServiceError
from volunteer.services.notices import outbox
from volunteer.services.organisations import recurrence

MAX_CAPACITY = 500
# People whose plans a shift change affects: they hold a place or wait for one.
AFFECTED_STATES = frozenset({*PLACE_HOLDING_STATES, SignupState.WAITLISTED}) - {
    SignupState.ATTENDED
}


@dataclass(slots=True, kw_only=True)
class ShiftInput:
    """What the shift form collects: local date and times (Europe/Berlin)."""

    day: date
    start: time
    end: time
    capacity: int
    place: str = ""
    repeat: str = "once"  # once / weekly
    repeat_until: date | None = None
    weekdays: list[int] | None = None
    every_weeks: int = 1


def _check_shift(data: ShiftInput, now: datetime) -> list[recurrence.Occurrence]:
    if not 1 <= data.capacity <= MAX_CAPACITY:
        raise ServiceError("bad_capacity", field="capacity", max=MAX_CAPACITY)
    if markup_problem(data.place):
        raise ServiceError("markup", field="place")
    try:
        if data.repeat == "weekly":
            if data.repeat_until is None:
                raise ServiceError("repeat_needs_end", field="repeat_until")
            occurrences = recurrence.weekly(
                data.day,
                data.start,
                data.end,
                until=data.repeat_until,
                weekdays=data.weekdays or None,
                every_weeks=data.every_weeks,
            )
        elif data.repeat == "once":
            occurrences = [recurrence.occurrence(data.day, data.start, data.end)]
        else:
            raise ServiceError("bad_choice", field="repeat")
    except recurrence.RecurrenceError as error:
        raise ServiceError(error.code, field=error.field, max=recurrence.MAX_OCCURRENCES) from None
    if occurrences[0].starts_at <= now:
        raise ServiceError("in_the_past", field="day")
    return occurrences


def add_shifts(
    session: Session, opportunity: Opportunity, data: ShiftInput, *, by: User, now: datetime
) -> list[Shift]:
    """One shift, or a weekly series of them (sharing a ``series_id``)."""
    if opportunity.status == OpportunityStatus.CLOSED:
        raise ServiceError("need_closed")
    occurrences = _check_shift(data, now)
    series = str(uuid.uuid4()) if data.repeat == "weekly" else None
    place = " ".join(data.place.split())
    assert opportunity.id is not None
    shifts = [
        Shift(
            opportunity_id=opportunity.id,
            starts_at=o.starts_at,
            ends_at=o.ends_at,
            capacity=data.capacity,
            place=place,
            series_id=series,
            created_at=now,
            updated_at=now,
        )
        for o in occurrences
    ]
    session.add_all(shifts)
    if data.repeat == "weekly":
        opportunity.regular = True
        session.add(opportunity)
    session.flush()
    audit.record(
        session, "shift.created", actor=by, now=now, object_type="opportunity",
        object_id=opportunity.id, count=len(shifts), series=series,
    )  # fmt: skip
    return shifts


def affected_signups(session: Session, shift: Shift) -> list[Signup]:
    return list(
        session.exec(
            select(Signup).where(
                Signup.shift_id == shift.id,
                col(Signup.state).in_(AFFECTED_STATES),
                col(Signup.user_id).is_not(None),
            )
        ).all()
    )


def notify_affected(
    session: Session, shift: Shift, kind: str, *, now: datetime, facts: dict[str, Any]
) -> int:
    """One notice per person on the shift or waiting for it (:func:`affected_signups`) whose
    account still exists; the key carries the moment so each change or message counts. Returns
    how many were told."""
    count = 0
    for signup in affected_signups(session, shift):
        user = accounts.active_user(session, signup.user_id)
        if user is None:
            continue
        outbox.enqueue(
            session,
            kind,
            dedupe_key=f"{kind}:{shift.id}:{signup.id}:{now.isoformat()}",
            now=now,
            user=user,
            payload={"shift_id": shift.id, "signup_id": signup.id, **facts},
        )
        count += 1
    return count


def edit_shift(session: Session, shift: Shift, data: ShiftInput, *, by: User, now: datetime) -> int:
    """Change one shift's time, capacity or place; returns how many people were notified.

    The capacity cannot drop below the places already held: the association has to decline or
    move people first, rather than the system silently bumping someone.
    """
    if shift.cancelled_at is not None:
        raise ServiceError("shift_cancelled")
    data.repeat = "once"
    (occ,) = _check_shift(data, now)
    held = signups.places_taken(session, shift)
    if data.capacity < held:
        raise ServiceError("capacity_below_taken", field="capacity", taken=held)
    before = {
        "old_starts_at": shift.starts_at.isoformat(),
        "old_ends_at": shift.ends_at.isoformat(),
        "old_place": shift.place,
    }
    changed_time = (occ.starts_at, occ.ends_at) != (shift.starts_at, shift.ends_at)
    changed_place = " ".join(data.place.split()) != shift.place
    shift.starts_at, shift.ends_at = occ.starts_at, occ.ends_at
    shift.capacity = data.capacity
    shift.place = " ".join(data.place.split())
    shift.updated_at = now
    if changed_time or changed_place:
        shift.sequence += 1  # calendars replace the event they have
    session.add(shift)
    session.flush()
    audit.record(
        session, "shift.updated", actor=by, now=now, object_type="shift", object_id=shift.id
    )
    if not (changed_time or changed_place):
        return 0  # a capacity change alone does not alter anyone's plans
    return notify_affected(session, shift, "shift_changed", now=now, facts=before)


CANCEL_REASON_MAX = 500


def _cancel_reason(reason: str) -> str:
    """The association's words to the people affected: required, plain text, bounded."""
    return fields.plain_text(reason, field="reason", max_length=CANCEL_REASON_MAX, one_line=True)


def cancel_shift(session: Session, shift: Shift, *, reason: str, by: User, now: datetime) -> int:
    """Cancel a future shift; everyone signed up or waiting is told why. Returns that number."""
    text = _cancel_reason(reason)
    if shift.cancelled_at is not None:
        return 0
    if shift.starts_at <= now:
        raise ServiceError("shift_started")
    shift.cancelled_at = now
    shift.updated_at = now
    shift.sequence += 1
    session.add(shift)
    session.flush()
    audit.record(
        session, "shift.cancelled", actor=by, now=now, object_type="shift", object_id=shift.id
    )
    return notify_affected(
        session,
        shift,
        "shift_cancelled",
        now=now,
        facts={"starts_at": shift.starts_at.isoformat(), "reason": text},
    )


def cancel_series_from(
    session: Session, shift: Shift, *, reason: str, by: User, now: datetime
) -> int:
    """Cancel this and every later shift of its weekly series (e.g. the group stops)."""
    if shift.series_id is None:
        return cancel_shift(session, shift, reason=reason, by=by, now=now)
    _cancel_reason(reason)
    later = session.exec(
        select(Shift).where(
            Shift.series_id == shift.series_id,
            col(Shift.starts_at) >= shift.starts_at,
            col(Shift.cancelled_at).is_(None),
        )
    ).all()
    return sum(
        cancel_shift(session, s, reason=reason, by=by, now=now) for s in later if s.starts_at > now
    )


# --- overviews ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ShiftRow:
    shift: Shift
    taken: int
    waiting: int

    @property
    def free(self) -> int:
        return max(0, self.shift.capacity - self.taken)


def shift_rows(
    session: Session,
    shifts: Sequence[Shift],
) -> list[ShiftRow]:
    """Shifts with places taken and people waiting, in two queries whatever the count."""
    ids = [s.id for s in shifts]
    counts: dict[tuple[int, str], int] = {}
    if ids:
        for shift_id, state, n in session.exec(
            select(Signup.shift_id, Signup.state, func.count())
            .where(col(Signup.shift_id).in_(ids))
            .group_by(col(Signup.shift_id), Signup.state)
        ).all():
            counts[(shift_id, state)] = int(n)
    rows = []
    for s in shifts:
        assert s.id is not None
        held = sum(counts.get((s.id, st), 0) for st in PLACE_HOLDING_STATES)
        rows.append(ShiftRow(s, held, counts.get((s.id, SignupState.WAITLISTED), 0)))
    return rows


def shifts_of(
    session: Session, opportunity: Opportunity, *, now: datetime, past: bool = False
) -> list[Shift]:
    query = select(Shift).where(Shift.opportunity_id == opportunity.id)
    if past:
        query = query.where(col(Shift.starts_at) < now).order_by(col(Shift.starts_at).desc())
    else:
        query = query.where(col(Shift.starts_at) >= now - timedelta(hours=12)).order_by(
            col(Shift.starts_at)
        )
    return list(session.exec(query).all())
