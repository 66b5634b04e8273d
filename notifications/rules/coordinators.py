"""A weekly summary for city coordinators: what happened, and what needs their attention."""

from datetime import datetime, timedelta

from sqlalchemy import func
from sqlalchemy.sql.expression import ColumnElement, FromClause
from sqlmodel import Session, SQLModel, col, select

from notifications.rules import enqueue_new, places_taken
from volunteer.models import (
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


def _count(
    session: Session,
    table: type[SQLModel],
    *conditions: ColumnElement[bool],
    outer_join: tuple[FromClause, ColumnElement[bool]] | None = None,
) -> int:
    """How many rows of ``table`` (outer-joined to ``outer_join``) meet every condition."""
    stmt = select(func.count()).select_from(table)
    if outer_join is not None:
        stmt = stmt.join(outer_join[0], outer_join[1], isouter=True)
    return int(session.exec(stmt.where(*conditions)).one() or 0)


def weekly_figures(session: Session, *, now: datetime) -> dict[str, int | float]:
    since = now - WEEK
    taken = places_taken()
    minutes = session.exec(
        select(func.coalesce(func.sum(HourEntry.minutes), 0)).where(
            HourEntry.state == HourState.CONFIRMED,
            col(HourEntry.decided_at) >= since,
        )
    ).one()
    return {
        "new_volunteers": _count(session, User, col(User.created_at) >= since),
        "new_organisations": _count(session, Organisation, col(Organisation.created_at) >= since),
        "organisations_waiting": _count(
            session, Organisation, col(Organisation.verified_at).is_(None)
        ),
        "new_opportunities": _count(session, Opportunity, col(Opportunity.published_at) >= since),
        "signups": _count(session, Signup, col(Signup.created_at) >= since),
        "confirmed_hours": round(int(minutes or 0) / 60, 1),
        "shifts_unfilled": _count(
            session,
            Shift,
            col(Shift.cancelled_at).is_(None),
            col(Shift.starts_at) > now,
            col(Shift.starts_at) <= now + WEEK,
            func.coalesce(taken.c.n, 0) < Shift.capacity,
            outer_join=(taken, taken.c.shift_id == Shift.id),
        ),
        "failed_notices": _count(
            session, Notice, col(Notice.status) == NoticeStatus.FAILED, col(Notice.due_at) >= since
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
