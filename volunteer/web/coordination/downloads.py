"""CSV downloads of the coordination pages: one writer, one guard against spreadsheet formulas."""

import csv
import io
from collections.abc import Iterable
from typing import Any

from flask import Response


def csv_response(
    filename: str, header: tuple[str, ...], rows: Iterable[tuple[Any, ...]]
) -> Response:
    """A UTF-8 CSV attachment. Text starting with ``= + - @`` is prefixed with ``'`` so that a
    spreadsheet shows it instead of running it as a formula (a name like ``=HYPERLINK(...)``)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["'" + v if isinstance(v, str) and v[:1] in "=+-@" else v for v in row])
    return Response(
        "\ufeff" + buffer.getvalue(),  # BOM: Excel opens UTF-8 umlauts correctly
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
