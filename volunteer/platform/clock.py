"""The boundary's clock. Views, jobs and commands call ``now()`` and pass the value in.

Tests set ``app.config["CLOCK"]`` to a callable to freeze or move time.
"""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

#: The city's time zone: times are stored in UTC and shown, bucketed and reported in this one.
BERLIN = ZoneInfo("Europe/Berlin")


def now() -> datetime:
    if has_app_context():
        clock = current_app.config.get("CLOCK")
        if clock is not None:
            value: datetime = clock()
            return value
    return datetime.now(UTC)
