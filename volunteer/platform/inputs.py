"""Strict parsing of what clients send: one owner for every number, date and text rule.

Python's own parsers are too generous for input from strangers: ``"²".isdigit()`` is true but
``int("²")`` raises, ``int("١٢")`` is 12, ``date.fromisoformat`` takes ``20261224`` and
``9999-12-31`` (whose next day overflows), ``Decimal("sNaN")`` cannot even be compared, and
PostgreSQL refuses NUL bytes in text and integers beyond 32 bits in ``integer`` columns. These
functions accept only the plain forms a browser or API client sends and return ``None`` for the
rest, so callers answer with a translated error (or ignore the value), never a 500.
"""

import re
from datetime import date
from decimal import Decimal, InvalidOperation

# Primary keys are PostgreSQL ``integer`` columns: anything larger cannot name a row.
MAX_ID = 2**31 - 1
# Dates outside these years are typos or probes; the app's date arithmetic stays in range.
MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2199, 12, 31)
# How many values a list field (checkboxes) may carry; the longest real list is the skills.
MAX_LIST = 500

_INT = re.compile(r"[+-]?[0-9]{1,18}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DECIMAL = re.compile(r"[+-]?([0-9]{1,12}([.,][0-9]{0,12})?|[.,][0-9]{1,12})")
# C0 controls except tab, line feed and carriage return; DEL; C1 controls. Never meaningful in
# a form field, and NUL is refused by PostgreSQL.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def parse_int(value: object, low: int = 0, high: int = MAX_ID) -> int | None:
    """An integer in ``low..high`` written with ASCII digits, else ``None``."""
    text = str(value).strip() if value is not None else ""
    if not _INT.fullmatch(text):
        return None
    number = int(text)
    return number if low <= number <= high else None


def page_window(total: int, page: int, per_page: int) -> tuple[int, int]:
    """``(page, pages)`` for ``total`` items shown ``per_page`` at a time: at least one page, and
    a page number out of range (a stale link, a typed URL) clamped to the first or the last."""
    pages = max(1, -(-total // per_page))
    return min(max(1, page), pages), pages


def parse_date(value: object, low: date = MIN_DATE, high: date = MAX_DATE) -> date | None:
    """A ``YYYY-MM-DD`` date between ``low`` and ``high``, else ``None``."""
    text = str(value).strip() if value is not None else ""
    if not _DATE.fullmatch(text):
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None
    return day if low <= day <= high else None


def parse_decimal(value: object, low: float, high: float) -> Decimal | None:
    """A finite decimal number (``,`` or ``.`` as the separator) in ``low..high``, else ``None``.

    Refuses ``NaN``, ``sNaN``, ``Infinity`` and exponents, which ``Decimal`` accepts.
    """
    text = str(value).strip() if value is not None else ""
    if not _DECIMAL.fullmatch(text):
        return None
    try:
        number = Decimal(text.replace(",", "."))
    except InvalidOperation:
        return None
    return number if low <= number <= high else None


def clean_text(value: str) -> str:
    """The text without control characters (tab and line breaks stay)."""
    return _CONTROL.sub("", value)
