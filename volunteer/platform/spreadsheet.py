"""The one CSV writer of the service: every download a person opens in a spreadsheet goes here.

A CSV file has no way to say which separator or decimal mark it uses; the spreadsheet guesses
from the reader's regional settings. German Excel and LibreOffice expect ``;`` between cells and
a decimal comma (``1,5``) and read UTF-8 only with a byte-order mark; English ones expect ``,``
and a decimal point. So the file is written for the reader's language: ``de`` gets ``;``, the
comma and the BOM, every other language ``,`` and the point (and the BOM too, which English
spreadsheets accept and which keeps umlauts in names intact). Numbers go through Babel without
grouping, so ``1234,5`` is read as one number in both conventions. Moments are written as Berlin
wall time, ``2026-12-03 16:00:00`` (the time the site shows), which both conventions read as a
date and time; days as ``2026-12-03``.

Text that a spreadsheet would run as a formula (``=HYPERLINK(...)``, ``+``, ``-``, ``@``) is
defused with a leading quote (OWASP "CSV injection"); this is the only copy of that guard.
"""

import csv
import io
import json
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from babel.numbers import format_decimal

from volunteer.platform.clock import BERLIN

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Up to nine decimals, no grouping: the value as computed, never rounded to Babel's default three.
_NUMBER = "0.#########"


def safe_cell(value: str) -> str:
    """Prefix a quote to text a spreadsheet would evaluate (``=HYPERLINK(...)`` and friends)."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def delimiter(locale: str) -> str:
    """``;`` for German readers (the comma is their decimal mark), ``,`` for everyone else."""
    return ";" if _language(locale) == "de" else ","


def cell(value: Any, *, locale: str) -> str:
    """One value as the reader's spreadsheet reads it: numbers in their notation, text defused,
    lists and mappings as JSON, nothing for ``None``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)  # not 1/0: bool is an int to Python, not to the reader
    if isinstance(value, int | float | Decimal):
        return format_decimal(value, format=_NUMBER, locale=_language(locale))
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)  # stored times are UTC
        return aware.astimezone(BERLIN).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False)
    return safe_cell(str(value))


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]], *, locale: str) -> bytes:
    """A whole file (header first, CRLF line ends as RFC 4180 says) for a reader of ``locale``."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter(locale), lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([cell(v, locale=locale) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _language(locale: str) -> str:
    return str(locale or "de").replace("-", "_").split("_")[0].lower()
