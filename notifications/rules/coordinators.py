"""A weekly summary for city coordinators: what happened, and what needs their attention."""

from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from notifications.rules import enqueue_new
from volunteer.models import (
    HourEntry,
    HourState,
    Notice,
    NoticeStatus,
    Opportunity,
    Organisation,
    Shift,
    Signup,
    User,
)
from volunteer.platform.db import count_rows
from volunteer.services.accounts import account as accounts
from volunteer.services.discovery.engine_values import places_taken

WEEK = timedelta(days=7)


def weekly_figures(session: Session, *, now: datetime) -> dict[str, int | float]:
    since = now - WEEK
    minutes = session.exec(
        select(func.coalesce(func.sum(HourEntry.minutes), 0)).where(
            HourEntry.state == HourState.CONFIRMED,
            col(HourEntry.decided_at) >= since,
        )
    ).one()
    return {
        "new_volunteers": count_rows(session, User, col(User.created_at) >= since),
        "new_organisations": count_rows(
            session, Organisation, col(Organisation.created_at) >= since
        ),
        "organisations_waiting": count_rows(
            session, Organisation, col(Organisation.verified_at).is_(None)
        ),
        "new_opportunities": count_rows(
            session, Opportunity, col(Opportunity.published_at) >= since
        ),
        "signups": count_rows(session, Signup, col(Signup.created_at) >= since),
        "confirmed_hours": round(int(minutes or 0) / 60, 1),
        "shifts_unfilled": count_rows(
            session,
            Shift,
            col(Shift.cancelled_at).is_(None),
            col(Shift.starts_at) > now,
            col(Shift.starts_at) <= now + WEEK,
            places_taken(Shift.id) < Shift.capacity,
        ),
        "failed_notices": count_rows(
            session, Notice, col(Notice.status) == NoticeStatus.FAILED, col(Notice.due_at) >= since
        ),
    }


def schedule_coordinator_summaries(session: Session, *, now: datetime) -> int:
    """One summary per coordinator per ISO week (running it again that week adds nothing)."""
    year, week, _day = now.isocalendar()
    coordinators = accounts.coordinators(session)
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
