"""For parents and guardians: one reminder after 14 days without an answer, then expiry.

The steps and their deadlines belong to ``volunteer.services.accounts.guardians``; this rule is
the clock's entry point (stable name ``guardian_requests``).
"""

from datetime import datetime

from sqlmodel import Session

from volunteer.services.accounts import guardians


def schedule_guardian_requests(session: Session, *, now: datetime) -> int:
    """Queue due reminders and let unanswered requests expire; returns reminders queued."""
    return guardians.remind_and_expire(session, now=now)
