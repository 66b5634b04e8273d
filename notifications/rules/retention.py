"""The nightly retention rule: deletes or empties what the privacy notice says we keep no longer.

A thin job around :func:`volunteer.services.accounts.retention.apply`, with the periods from the
app's configuration (``RETENTION_*``), the same values the privacy notice quotes. Returns the
number of notices it queued (warnings before an unused account is deleted).
"""

import logging
from datetime import datetime

from flask import current_app
from sqlmodel import Session

from volunteer.services.accounts import retention

log = logging.getLogger(__name__)


def apply_retention(session: Session, *, now: datetime) -> int:
    summary = retention.apply(session, retention.Periods.from_config(current_app.config), now=now)
    log.info("retention: %s", summary)
    return summary.inactive_warned
