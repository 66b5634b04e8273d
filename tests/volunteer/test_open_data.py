"""Anonymised open data: counts of people under 5 hidden, with secondary suppression so no
total gives a hidden count away; CSV and JSON agree; the dictionary names every field; the
configured licence appears; linked from every page's footer."""

import csv
import io
from datetime import datetime

import pytest
from sqlmodel import Session, select

from notifications.scheduler import SCHEDULE, rules
from tests.factories import add_shift, create_need, make_signup, register_org, seed_reference
from volunteer.app import create_app
from volunteer.config import ConfigError
from volunteer.models import Cause, HourEntry, HourState, Role, SignupState
from volunteer.platform.spreadsheet import cell
from volunteer.services.coordination import disclosure, open_data

MONTH = "2026-11"  # FIXED_NOW is 28 November 2026


def _hidden_recoverable(table: list[list[int]], hide: list[list[bool]]) -> bool:
    """Could a row or column total give a hidden cell away (exactly one hidden in a line)?"""
    lines = [list(zip(r, h, strict=True)) for r, h in zip(table, hide, strict=True)]
    columns = zip(zip(*table, strict=True), zip(*hide, strict=True), strict=True)
    lines += [list(zip(c, h, strict=True)) for c, h in columns]
    return any(sum(h for _, h in line) == 1 for line in lines)


@pytest.mark.parametrize(("count", "hidden"), [(4, True), (5, False)])
def test_a_count_of_people_is_hidden_at_4_and_shown_at_5(count: int, hidden: bool) -> None:
    table = [[count, 12], [9, 30]]
    hide = disclosure.suppressed_table(table)
    assert hide[0][0] is hidden
    assert not _hidden_recoverable(table, hide)


def test_secondary_suppression_keeps_totals_from_giving_a_hidden_cell_away() -> None:
    table = [[3, 7, 8], [6, 9, 12], [20, 11, 5]]
    primary = [[0 < c < 5 for c in row] for row in table]
    # With only the 3 hidden, the first row's total (18) minus the 7 and 8 shown gives it back.
    assert _hidden_recoverable(table, primary)
    hide = disclosure.suppressed_table(table)
    assert hide[0][0] and not _hidden_recoverable(table, hide)
    assert sum(map(sum, hide)) == 4  # as few as possible: the 3, the 6, the 7 and the 9
    assert hide[0][1] and hide[1][0] and hide[1][1]


@pytest.fixture
def city(session: Session, make_user, now: datetime) -> dict:
    seed_reference(session)
    coordinator = make_user(role=Role.COORDINATOR)
    admin = make_user()
    org = register_org(session, admin, now=now, coordinator=coordinator)
    children = session.exec(select(Cause).where(Cause.slug == "children-youth")).one()
    need = create_need(session, org, admin, now=now, cause_ids=[children.id])
    shift = add_shift(session, need, admin, now=now, days=1, capacity=8)
    return {"need": need, "shift": shift, "org": org}


def _take_part(session, make_user, city, now, n: int) -> None:
    for _ in range(n):
        signup = make_signup(
            session, make_user(), city["shift"], now=now, state=SignupState.ACCEPTED
        )
        session.add(
            HourEntry(
                user_id=signup.user_id, organisation_id=city["org"].id, signup_id=signup.id,
                worked_on=now.date(), minutes=90, state=HourState.CONFIRMED,
            )
        )  # fmt: skip
    session.commit()
    _snapshot(session, now)


def _snapshot(session: Session, now: datetime) -> None:
    """What the scheduler does: the rule by its stable name, then the job's commit."""
    rules()["open_data"](session, now=now)
    session.commit()


def _cell(rows: list[dict], need) -> dict:
    (row,) = [
        r
        for r in rows
        if (r["month"], r["district_number"], r["cause"])
        == (MONTH, need.district_number, "children-youth")
    ]
    return row


@pytest.mark.parametrize(("people", "shown"), [(4, "."), (5, 5)])
def test_the_export_hides_fewer_than_five_people_and_their_hours(
    client, session, make_user, city, now, people, shown
):
    _take_part(session, make_user, city, now, people)
    data = client.get("/offene-daten/mitwirken.json").get_json()
    row = _cell(data["rows"], city["need"])
    assert (row["needs"], row["places"], row["volunteers"]) == (1, 8, shown)
    assert row["confirmed_hours"] == ("." if shown == "." else 7.5)
    # Every month's districts × causes table is protected both ways.
    for month in {r["month"] for r in data["rows"]}:
        grid: dict = {}
        for r in data["rows"]:
            if r["month"] == month:
                grid.setdefault(r["district_number"], []).append(r["volunteers"] == ".")
        hide = list(grid.values())
        counts = [[0] * len(hide[0]) for _ in hide]
        assert not _hidden_recoverable(counts, hide)


def test_json_and_csv_agree_and_the_dictionary_names_every_field(
    client, session, make_user, city, now
):
    _take_part(session, make_user, city, now, 6)
    data = client.get("/offene-daten/mitwirken.json").get_json()
    keys = [f.key for f in open_data.FIELDS]
    assert [f["key"] for f in data["fields"]] == keys
    assert all(set(r) == set(keys) for r in data["rows"])
    response = client.get("/offene-daten/mitwirken.csv")
    assert response.mimetype == "text/csv"
    text = response.get_data().decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text), delimiter=";"))  # German readers get ';'
    assert table[0] == keys
    assert table[1:] == [[cell(r[k], locale="de") for k in keys] for r in data["rows"]]
    assert _cell(data["rows"], city["need"])["confirmed_hours"] == 9.0
    assert "9" in [row[7] for row in table[1:] if row[0] == MONTH and row[3] == "children-youth"]
    dictionary = client.get("/offene-daten/datenlexikon").get_data(as_text=True)
    for f in open_data.FIELDS:
        assert f"<code>{f.key}</code>" in dictionary
    assert "Verschiedene Personen mit zugesagtem Platz" in dictionary


def test_the_licence_is_named_and_configurable(client, session, app_config, now):
    _snapshot(session, now)
    page = client.get("/offene-daten").get_data(as_text=True)
    assert "Datenlizenz Deutschland – Namensnennung – Version 2.0" in page
    assert "https://www.govdata.de/dl-de/by-2-0" in page
    json = client.get("/offene-daten/mitwirken.json").get_json()
    assert json["licence"]["id"] == "dl-de/by-2-0"
    other = create_app({**app_config, "OPEN_DATA_LICENCE": "cc-by-4.0"}).test_client()
    assert "creativecommons.org/licenses/by/4.0" in other.get("/offene-daten").get_data(True)
    with pytest.raises(ConfigError, match="OPEN_DATA_LICENCE"):
        create_app({**app_config, "OPEN_DATA_LICENCE": "all-rights-reserved"})


def test_every_page_links_the_open_data_in_its_footer(client):
    assert 'href="/offene-daten"' in client.get("/").get_data(as_text=True)


def test_before_the_first_snapshot_the_page_and_files_say_the_data_are_being_prepared(
    client, session, city, now
):
    page = client.get("/offene-daten")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Die offenen Daten werden gerade vorbereitet" in text
    assert "mitwirken.csv" not in text  # nothing to download yet
    for path in ("/offene-daten/mitwirken.csv", "/offene-daten/mitwirken.json"):
        response = client.get(path)
        assert response.status_code == 202  # not an error: come back shortly
        assert response.headers["Retry-After"] == "300"
        assert "werden gerade vorbereitet" in response.get_data(as_text=True)
    assert client.get("/offene-daten/mitwirken.json").get_json()["status"] == "preparing"


def test_the_files_serve_the_stored_snapshot_with_its_date_not_a_fresh_computation(
    client, session, make_user, city, now
):
    _take_part(session, make_user, city, now, 5)  # the rule ran with five people
    later = now.replace(hour=23)
    for _ in range(3):  # three more take part after the rule ran
        make_signup(session, make_user(), city["shift"], now=later, state=SignupState.ACCEPTED)
    session.commit()
    data = client.get("/offene-daten/mitwirken.json").get_json()
    assert _cell(data["rows"], city["need"])["volunteers"] == 5  # the snapshot, not 8
    assert data["generated_at"] == now.isoformat(timespec="seconds")
    page = client.get("/offene-daten").get_data(as_text=True)
    assert "Stand: 28.11.26" in page and "mitwirken.csv" in page
    _snapshot(session, later)  # the next run replaces it
    data = client.get("/offene-daten/mitwirken.json").get_json()
    assert _cell(data["rows"], city["need"])["volunteers"] == 8
    assert data["generated_at"] == later.isoformat(timespec="seconds")
    assert SCHEDULE["open_data"] == {"trigger": "interval", "minutes": 60}
