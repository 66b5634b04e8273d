"""CSV exports for associations: confirmed hours per volunteer (for the Ehrenamtskarte NRW).

The application for the Ehrenamtskarte asks the organisation to confirm each person's hours per
year. The file is written by the service's one CSV writer (``volunteer.platform.spreadsheet``), so
it opens directly in German spreadsheet programs (``;``, decimal comma, byte-order mark) and
formulas typed into a name are defused.
"""

from collections.abc import Sequence

from volunteer.platform.spreadsheet import csv_bytes
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


def hours_csv(totals: Sequence[VolunteerTotal], *, year: int, locale: str = "de") -> bytes:
    """One row per volunteer with confirmed hours in ``year``; returns the file's bytes."""
    rows = [
        (
            t.user.first_name,
            t.user.last_name,
            t.user.email,
            year,
            round(t.minutes / 60, 2),
            t.entries,
            t.first_day.isoformat(),
            t.last_day.isoformat(),
        )
        for t in totals
    ]
    return csv_bytes(HEADER_DE if locale == "de" else HEADER_EN, rows, locale=locale)
