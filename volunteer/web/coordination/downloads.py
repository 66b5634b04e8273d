"""CSV downloads of the coordination pages: one writer, one guard against spreadsheet formulas."""

import csv
import io
from collections.abc import Iterable
from typing import Any

from flask import Response

from volunteer.services.engagement.exports import safe_cell


def csv_response(
    filename: str, header: tuple[str, ...], rows: Iterable[tuple[Any, ...]]
) -> Response:
    """A UTF-8 CSV attachment; text a spreadsheet would run as a formula is defused."""
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
