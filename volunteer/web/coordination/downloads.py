"""CSV downloads of the coordination pages: one writer, one formula guard, one audit entry.

Every file a coordinator downloads leaves the service, so each download is recorded in the
audit log (who, which file, how many rows) before it is sent.
"""

import csv
import io
from collections.abc import Sequence
from typing import Any

from flask import Response

from volunteer.platform.clock import now
from volunteer.platform.db import get_session
from volunteer.services.coordination import audit_log
from volunteer.services.engagement.exports import safe_cell
from volunteer.web.helpers import acting_user, commit_work


def csv_response(
    filename: str, header: tuple[str, ...], rows: Sequence[tuple[Any, ...]]
) -> Response:
    """A UTF-8 CSV attachment (text a spreadsheet would run as a formula is defused), with
    the download recorded in the audit log."""
    commit_work(
        lambda: audit_log.record_export(
            get_session(), filename, by=acting_user(), now=now(), rows=len(rows)
        )
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(v) if isinstance(v, str) else v for v in row])
    return Response(
        "\ufeff" + buffer.getvalue(),  # BOM: Excel opens UTF-8 umlauts correctly
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
