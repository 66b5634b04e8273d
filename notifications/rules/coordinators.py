"""A weekly summary for city coordinators: what happened, and what needs their attention."""

from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from notifications.rules import enqueue_new
from volunteer.models import (
    PLACE_HOLDING_STATES,
    HourEntry,
    HourState,
    Notice,
    NoticeStatus,
    Opportunity,
    Organisation,
    Role,
    Shift,
    Signup,
    User,
)

WEEK = timedelta(days=7)


def _count(session: Session, stmt: SelectOfScalar[int]) -> int:
    return int(session.exec(stmt).one() or 0)


def weekly_figures(session: Session, *, now: datetime) -> dict[str, int | float]:
    since = now - WEEK
    taken = (
        select(Signup.shift_id, func.count().label("n"))
        .where(col(Signup.state).in_(PLACE_HOLDING_STATES))
        .group_by(col(Signup.shift_id))
        .subquery()
    )
    minutes = session.exec(
        select(func.coalesce(func.sum(HourEntry.minutes), 0)).where(
            HourEntry.state == HourState.CONFIRMED,
            col(HourEntry.decided_at) >= since,
        )
    ).one()
    return {
        "new_volunteers": _count(
            session, select(func.count()).select_from(User).where(col(User.created_at) >= since)
        ),
        "new_organisations": _count(
            session,
            select(func.count())
            .select_from(Organisation)
            .where(col(Organisation.created_at) >= since),
        ),
        "organisations_waiting": _count(
            session,
            select(func.count())
            .select_from(Organisation)
            .where(col(Organisation.verified_at).is_(None)),
        ),
        "new_opportunities": _count(
            session,
            select(func.count())
            .select_from(Opportunity)
            .where(col(Opportunity.published_at) >= since),
        ),
        "signups": _count(
            session, select(func.count()).select_from(Signup).where(col(Signup.created_at) >= since)
        ),
        "confirmed_hours": round(int(minutes or 0) / 60, 1),
        "shifts_unfilled": _count(
            session,
            select(func.count())
            .select_from(Shift)
            .join(taken, taken.c.shift_id == Shift.id, isouter=True)
            .where(
                col(Shift.cancelled_at).is_(None),
                col(Shift.starts_at) > now,
                col(Shift.starts_at) <= now + WEEK,
                func.coalesce(taken.c.n, 0) < Shift.capacity,
            ),
        ),
        "failed_notices": _count(
            session,
            select(func.count())
            .select_from(Notice)
            .where(Notice.status == NoticeStatus.FAILED, col(Notice.due_at) >= since),
        ),
    }


def schedule_coordinator_summaries(session: Session, *, now: datetime) -> int:
    """One summary per coordinator per ISO week (running it again that week adds nothing)."""
    year, week, _day = now.isocalendar()
    coordinators = session.exec(
        select(User).where(User.role == Role.COORDINATOR, col(User.deleted_at).is_(None))
    ).all()
    if not coordinators:
        return 0
    figures = weekly_figures(session, now=now)
    return sum(
        enqueue_new(
            session,
            "coordinator_summary",
            dedupe_key=f"coordinator-summary:{user.id}:{year}-W{week:02d}",
            now=now,
            user=user,
            payload={"figures": figures},
        )
        for user in coordinators
    )
