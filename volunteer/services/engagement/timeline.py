"""A volunteer's own shifts, one page at a time: what "Meine Engagements" shows.

The page reads like a timeline on a phone: the shifts still to come first (soonest first), then
the past ones (latest first) with their hours, twenty per page. One person can collect hundreds
of sign-ups over the years (and a busy one a hundred upcoming); rendering all of them on every
visit cost 60 ms of CPU at Bochum scale and blocked a worker for seconds under load, so a page
reads only its own rows, as columns (no ``Signup``/``Shift``/``Opportunity`` objects).

Which sign-ups count where: an upcoming shift (one that has not ended) is listed unless the
person withdrew or was declined; every past shift is listed, whatever its state, because its
hours and attendance stay hers.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from volunteer.models import (
    HourEntry,
    HourState,
    Opportunity,
    Organisation,
    Shift,
    Signup,
    SignupState,
    User,
)
from volunteer.platform.inputs import page_window
from volunteer.services.engagement.signups import joined_to_need

PER_PAGE = 20
# Upcoming sign-ups in these states are no longer plans: they are not listed.
_NOT_PLANNED = (SignupState.DECLINED, SignupState.WITHDRAWN)


@dataclass(frozen=True, slots=True)
class MyShift:
    """One sign-up as the page shows it: the shift's times and place, the need and its
    organisation by name."""

    signup_id: int
    state: SignupState
    shift_id: int
    starts_at: datetime
    ends_at: datetime
    place: str
    cancelled_at: datetime | None
    opportunity_id: int
    title: str
    organisation: str


@dataclass(frozen=True, slots=True)
class ReportedHours:
    """The latest hour entry of a past sign-up (a rejected one may be reported again)."""

    minutes: int
    state: HourState


@dataclass(frozen=True)
class Timeline:
    upcoming: list[MyShift]
    past: list[MyShift]
    hours: dict[int, ReportedHours]  # by sign-up, for this page's past shifts
    page: int
    pages: int
    upcoming_total: int
    past_total: int


def _upcoming(user: User, now: datetime) -> ColumnElement[bool]:
    return and_(
        col(Signup.user_id) == user.id,
        col(Shift.ends_at) > now,
        col(Signup.state).not_in([s.value for s in _NOT_PLANNED]),
    )


def _past(user: User, now: datetime) -> ColumnElement[bool]:
    return and_(col(Signup.user_id) == user.id, col(Shift.ends_at) <= now)


def _rows(
    session: Session, where: ColumnElement[bool], order: tuple[Any, ...], offset: int, limit: int
) -> list[MyShift]:
    if limit <= 0:
        return []
    rows = session.execute(
        joined_to_need(
            sa_select(
                col(Signup.id),
                col(Signup.state),
                col(Shift.id),
                col(Shift.starts_at),
                col(Shift.ends_at),
                col(Shift.place),
                col(Shift.cancelled_at),
                col(Opportunity.id),
                col(Opportunity.title),
                col(Organisation.name),
            )
        )
        .join(Organisation, col(Organisation.id) == col(Opportunity.organisation_id))
        .where(where)
        .order_by(*order)
        .offset(offset)
        .limit(limit)
    ).all()
    return [MyShift(*row) for row in rows]


def timeline(
    session: Session, user: User, *, now: datetime, page: int = 1, per_page: int = PER_PAGE
) -> Timeline:
    """Page ``page`` of the person's shifts: upcoming ones, then past ones, ``per_page`` in all.
    A page number past the end shows the last page."""
    upcoming_n, past_n = session.execute(
        sa_select(
            func.coalesce(func.sum(case((_upcoming(user, now), 1), else_=0)), 0),
            func.coalesce(func.sum(case((_past(user, now), 1), else_=0)), 0),
        )
        .select_from(Signup)
        .join(Shift, col(Shift.id) == col(Signup.shift_id))
        .where(col(Signup.user_id) == user.id)
    ).one()
    upcoming_total, past_total = int(upcoming_n), int(past_n)
    page, pages = page_window(upcoming_total + past_total, page, per_page)
    first = (page - 1) * per_page
    upcoming = _rows(
        session,
        _upcoming(user, now),
        (col(Shift.starts_at), col(Signup.id)),
        first,
        min(per_page, upcoming_total - first),
    )
    past = _rows(
        session,
        _past(user, now),
        (col(Shift.starts_at).desc(), col(Signup.id).desc()),
        max(0, first - upcoming_total),
        per_page - len(upcoming),
    )
    hours: dict[int, ReportedHours] = {}
    if past:
        for signup_id, minutes, state in session.exec(
            select(HourEntry.signup_id, HourEntry.minutes, HourEntry.state)
            .where(
                col(HourEntry.user_id) == user.id,
                col(HourEntry.signup_id).in_([s.signup_id for s in past]),
            )
            .order_by(col(HourEntry.id))
        ).all():
            hours[int(signup_id or 0)] = ReportedHours(minutes, HourState(state))  # latest wins
    return Timeline(upcoming, past, hours, page, pages, upcoming_total, past_total)
