"""Every CSV download opens in the reader's spreadsheet: German Excel needs ``;``, a decimal
comma and a byte-order mark, English ones ``,`` and a decimal point; formulas never run."""

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from tests.spreadsheets import BOM, read_as_english_excel, read_as_german_excel
from volunteer.models import Role, SkillSuggestion
from volunteer.platform.spreadsheet import csv_bytes, delimiter


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("de", "Name;Stunden;Anteil;Einsätze;Leer\r\n'=HYPERLINK(1);1234,5;0,333;3;\r\n"),
        ("en", "Name,Stunden,Anteil,Einsätze,Leer\r\n'=HYPERLINK(1),1234.5,0.333,3,\r\n"),
        ("en_GB", "Name,Stunden,Anteil,Einsätze,Leer\r\n'=HYPERLINK(1),1234.5,0.333,3,\r\n"),
    ],
)
def test_numbers_follow_the_readers_convention_without_grouping(locale, expected):
    header = ["Name", "Stunden", "Anteil", "Einsätze", "Leer"]
    body = csv_bytes(header, [["=HYPERLINK(1)", 1234.5, Decimal("0.333"), 3, None]], locale=locale)
    assert body == BOM + expected.encode()


def test_moments_are_berlin_wall_time_and_days_iso_in_both_conventions():
    winter = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)
    summer = datetime(2026, 7, 3, 15, 0)  # as SQLite hands a stored UTC time back: naive
    for locale in ("de", "en"):
        body = csv_bytes(["a", "b", "c"], [[winter, summer, date(2026, 12, 3)]], locale=locale)
        assert body.decode("utf-8-sig").splitlines()[1] == delimiter(locale).join(
            ["2026-12-03 16:00:00", "2026-07-03 17:00:00", "2026-12-03"]
        )


def test_a_german_cell_with_a_semicolon_stays_one_cell():
    body = csv_bytes(["Text", "Zahl"], [["Kaffee; Kuchen", 1.5]], locale="de")
    assert read_as_german_excel(body) == [["Text", "Zahl"], ["Kaffee; Kuchen", "1,5"]]


@pytest.mark.parametrize("text", ["=1+1", "+49 234", "-2", "@SUM(A1)", "\tx"])
def test_text_a_spreadsheet_would_run_is_defused(text):
    (_, (cell,)) = read_as_german_excel(csv_bytes(["x"], [[text]], locale="de"))
    assert cell == "'" + text


@pytest.fixture
def coordinator(make_user):
    return make_user(role=Role.COORDINATOR, email="koordination@bochum.example")


def test_the_skill_suggestions_download_in_german_and_in_english(
    client, login, session, coordinator, make_user, now
):
    for _ in range(6):  # six asked: enough to be shown under the disclosure rule
        session.add(SkillSuggestion(user_id=make_user().id, text="=HYPERLINK(x)", created_at=now))
    session.commit()
    login(coordinator)
    german = client.get("/koordination/faehigkeiten.csv")
    assert german.mimetype == "text/csv"
    assert read_as_german_excel(german.data) == [
        ["Vorgeschlagene Fähigkeit", "Anzahl Vorschläge"],
        ["'=HYPERLINK(x)", "6"],
    ]
    coordinator.locale = "en"
    session.add(coordinator)
    session.commit()
    english = read_as_english_excel(client.get("/koordination/faehigkeiten.csv").data)
    assert english == [["Suggested skill", "Times suggested"], ["'=HYPERLINK(x)", "6"]]


def test_the_audit_download_is_split_by_semicolons_in_german_and_commas_in_english(
    client, login, session, coordinator
):
    login(coordinator)
    client.get("/koordination/faehigkeiten.csv")  # a download is itself an audit entry
    german = read_as_german_excel(client.get("/koordination/protokoll.csv").data)
    assert german[0] == ["Zeit", "Person", "Aktion", "Objektart", "Objekt-Nr.", "Details"]
    assert "export.downloaded" in {row[2] for row in german[1:]}
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", row[0]) for row in german[1:])
    coordinator.locale = "en"
    session.add(coordinator)
    session.commit()
    english = read_as_english_excel(client.get("/koordination/protokoll.csv").data)
    assert english[0] == ["Time", "Person", "Action", "Object type", "Object number", "Details"]
    assert len(english) == len(german) + 1
