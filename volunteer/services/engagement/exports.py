"""CSV exports for associations: confirmed hours per volunteer (for the Ehrenamtskarte NRW).

The application for the Ehrenamtskarte asks the organisation to confirm each person's hours per
year. The file opens directly in German spreadsheet programs: UTF-8 with a byte-order mark and
semicolons. Cells that a spreadsheet would run as a formula are defused (CSV injection).
"""

import csv
import io
from collections.abc import Sequence

from volunteer.services.engagement.hours import VolunteerTotal

HEADER_DE = [
    "Vorname",
    "Nachname",
    "E-Mail",
    "Jahr",
    "Bestätigte Stunden",
    "Einsätze",
    "Von",
    "Bis",
]
HEADER_EN = [
    "First name",
    "Last name",
    "E-mail",
    "Year",
    "Confirmed hours",
    "Entries",
    "From",
    "To",
]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """Prefix a quote to text a spreadsheet would evaluate (``=HYPERLINK(...)`` and friends)."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def _hours(minutes: int, locale: str) -> str:
    text = f"{minutes / 60:.2f}"
    return text.replace(".", ",") if locale == "de" else text


def hours_csv(totals: Sequence[VolunteerTotal], *, year: int, locale: str = "de") -> bytes:
    """One row per volunteer with confirmed hours in ``year``; returns the file's bytes."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if locale == "de" else ",", lineterminator="\r\n")
    writer.writerow(HEADER_DE if locale == "de" else HEADER_EN)
    for t in totals:
        writer.writerow(
            [
                safe_cell(t.user.first_name),
                safe_cell(t.user.last_name),
                safe_cell(t.user.email),
                year,
                _hours(t.minutes, locale),
                t.entries,
                t.first_day.isoformat(),
                t.last_day.isoformat(),
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")
