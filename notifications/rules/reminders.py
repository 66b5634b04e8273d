"""Shift reminders 24 h and 2 h before, for accepted sign-ups.

"24 hours before" means 24 real hours (UTC arithmetic): across a DST change the reminder comes
at 09:00 local time for a 10:00 shift, never twice and never skipped. Each reminder knows when
it stops being useful (``expires_at``): the 24 h one once the 2 h one takes over, the 2 h one
shortly before the start. A reminder that was due while the scheduler was down is still sent
when it comes back, unless it has expired by then (the dispatcher skips it with a reason).
"""

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from notifications.rules import enqueue_new
from volunteer.models import Shift, Signup, SignupState, User

REMINDERS = (
    # kind, how long before the start, until when before the start it is still useful
    ("reminder_24h", timedelta(hours=24), timedelta(hours=2)),
    ("reminder_2h", timedelta(hours=2), timedelta(minutes=15)),
)
# How far ahead the rule looks: a little more than the longest reminder, so a run every few
# minutes always sees each shift before its reminder is due.
LOOKAHEAD = timedelta(hours=25)


def dedupe_key(kind: str, signup: Signup, shift: Shift) -> str:
    """Names the sign-up *and* the start time: a moved shift gets fresh reminders."""
    return f"{kind.replace('_', '-')}:{signup.id}:{shift.starts_at.isoformat()}"


def schedule_reminders(session: Session, *, now: datetime) -> int:
    """Queue the reminders of every accepted sign-up for shifts starting within a day."""
    rows = session.exec(
        select(Signup, Shift, User)
        .join(Shift, col(Shift.id) == Signup.shift_id)
        .join(User, col(User.id) == Signup.user_id)
        .where(
            Signup.state == SignupState.ACCEPTED,
            col(Shift.cancelled_at).is_(None),
            col(Shift.starts_at) > now,
            col(Shift.starts_at) <= now + LOOKAHEAD,
            col(User.deleted_at).is_(None),
        )
    ).all()
    created = 0
    for signup, shift, user in rows:
        for kind, before, useful_until in REMINDERS:
            expires_at = shift.starts_at - useful_until
            if now >= expires_at:
                continue
            created += enqueue_new(
                session,
                kind,
                dedupe_key=dedupe_key(kind, signup, shift),
                now=now,
                user=user,
                payload={"signup_id": signup.id, "expires_at": expires_at.isoformat()},
                due_at=shift.starts_at - before,
            )
    return created
