"""The public open-data export, computed on the clock instead of per request.

The export reads two years of shifts, sign-ups and hours, seconds of work at city scale, and its
URLs are public: computed per request, any client could keep the service busy. So the leader
recomputes it every hour (and once at start-up) and the page serves the stored snapshot with its
date. Running it twice only replaces the snapshot.
"""

from datetime import datetime

from sqlmodel import Session

from volunteer.services.coordination import open_data


def refresh_open_data(session: Session, *, now: datetime) -> int:
    """Store a fresh export; queues no notices (returns 0, as rules report notices queued)."""
    open_data.refresh(session, now=now)
    return 0
