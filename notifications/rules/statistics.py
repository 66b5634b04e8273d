"""The statistics rule: rebuilds the recent days of the match statistics' daily aggregates.

Sign-ups, acceptances, attendance and confirmed hours change all day; the coordinators' dashboard
reads only the aggregates, so this rule keeps today's and the last weeks' up to date
(``match_aggregates.REFRESH_DAYS``). Idempotent: a rerun writes the same rows. Queues no notices.
"""

import logging
from datetime import datetime

from sqlmodel import Session

from volunteer.services.coordination import match_aggregates

log = logging.getLogger(__name__)


def refresh_statistics(session: Session, *, now: datetime) -> int:
    rows = match_aggregates.refresh_recent(session, now=now)
    log.info("statistics: %d aggregate rows rebuilt", rows)
    return 0
