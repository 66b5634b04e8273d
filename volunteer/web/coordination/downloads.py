"""CSV downloads of the coordination pages: the service's one CSV writer, one audit entry.

Every file a coordinator downloads leaves the service, so each download is recorded in the
audit log (who, which file, how many rows) before it is sent.
"""

from collections.abc import Sequence
from typing import Any

from flask import Response
from flask_babel import get_locale

from volunteer.platform.clock import now
from volunteer.platform.db import get_session
from volunteer.platform.spreadsheet import csv_bytes
from volunteer.services.coordination import audit_log
from volunteer.web.helpers import acting_user, attachment, commit_work


def csv_response(
    filename: str, header: tuple[str, ...], rows: Sequence[tuple[Any, ...]]
) -> Response:
    """A CSV attachment in the reader's spreadsheet convention (German: ``;``, decimal comma,
    BOM), with the download recorded in the audit log."""
    commit_work(
        lambda: audit_log.record_export(
            get_session(), filename, by=acting_user(), now=now(), rows=len(rows)
        )
    )
    return attachment(
        csv_bytes(header, rows, locale=str(get_locale() or "de")), filename, "text/csv"
    )
