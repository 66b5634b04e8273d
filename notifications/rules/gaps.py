"""The gap map for coordinators, computed on the clock instead of in a web request.

Testing every listed need against every findable volunteer takes seconds at city scale; the page
must answer at once, so the leader recomputes the map every 15 minutes (and once at start-up)
and the page shows the stored result with its age. Running it twice only replaces the report.
"""

from datetime import datetime

from sqlmodel import Session

from volunteer.services.coordination import gaps


def compute_gaps(session: Session, *, now: datetime) -> int:
    """Store a fresh gap map; queues no notices (returns 0, as rules report notices queued)."""
    gaps.refresh(session, now=now)
    return 0
