"""The coordinators' audit log: what they did, in words, filtered, and as CSV."""

from datetime import timedelta

from sqlmodel import select

from tests.spreadsheets import read_as_german_excel
from volunteer.models import AuditEntry, Organisation, Role
from volunteer.services import audit


def _csv(response) -> list[list[str]]:
    return read_as_german_excel(response.data)


def test_the_log_shows_decisions_downloads_and_proposals_in_words(
    client, login, session, make_user, now
):
    kim = make_user(role=Role.COORDINATOR, first_name="Kim")
    org = Organisation(name="Tafel Wattenscheid", contact_email="t@example.org")
    session.add(org)
    session.commit()
    login(kim)
    client.post(
        f"/koordination/vereine/{org.id}/pruefen",
        data={"decision": "info_requested", "message": "Bitte Satzung."},
    )
    client.get("/koordination/bericht.csv")
    today = now.date().isoformat()
    client.post("/koordination/vorschlag", data={"period_start": today, "period_end": today})

    page = client.get("/koordination/protokoll").get_data(as_text=True)
    assert "hat eine Organisation um weitere Angaben gebeten" in page
    assert "hat eine Datei heruntergeladen" in page and "mitwirken-bezirke.csv" in page
    assert "hat einen stadtweiten Vorschlag gestartet" in page
    assert "Kim" in page and "organisation.info_requested" not in page

    only = client.get("/koordination/protokoll?gruppe=exports").get_data(as_text=True)
    assert "heruntergeladen" in only and "weitere Angaben" not in only
    rows = _csv(client.get("/koordination/protokoll.csv?gruppe=verification"))
    assert rows[0] == ["Zeit", "Person", "Aktion", "Objektart", "Objekt-Nr.", "Details"]
    assert [r[2] for r in rows[1:]] == ["organisation.info_requested"]
    # The audit CSV is a download too.
    actions = session.exec(select(AuditEntry.action)).all()
    assert actions.count("export.downloaded") == 2


def test_filters_by_person_and_by_period_with_inclusive_days(
    client, login, session, make_user, now
):
    kim = make_user(role=Role.COORDINATOR, first_name="Kim")
    ali = make_user(role=Role.COORDINATOR, first_name="Ali")
    audit.record(session, "proposal.requested", actor=kim, now=now - timedelta(days=2))
    audit.record(session, "proposal.requested", actor=ali, now=now)
    audit.record(session, "user.login", actor=ali, now=now)  # not a coordination action
    session.commit()
    login(kim)
    everyone = client.get("/koordination/protokoll").get_data(as_text=True)
    assert "2 Einträge" in everyone
    mine = client.get(f"/koordination/protokoll?person={kim.id}").get_data(as_text=True)
    assert "1 Eintrag" in mine and "Kim" in mine
    day = (now - timedelta(days=2)).date()
    same_day = client.get(f"/koordination/protokoll?von={day}&bis={day}").get_data(as_text=True)
    assert "1 Eintrag" in same_day
    before = day - timedelta(days=1)
    none = client.get(f"/koordination/protokoll?bis={before}").get_data(as_text=True)
    assert "Keine Einträge" in none


def test_bad_filters_are_a_clear_error_and_only_coordinators_see_the_log(client, login, make_user):
    login(make_user())
    assert client.get("/koordination/protokoll").status_code == 404
    login(make_user(role=Role.COORDINATOR))
    bad = client.get("/koordination/protokoll?von=gestern")
    assert bad.status_code == 400 and "Tag, Monat und Jahr" in bad.get_data(as_text=True)
    backwards = client.get("/koordination/protokoll?von=2026-12-02&bis=2026-12-01")
    assert backwards.status_code == 400
    assert client.get("/koordination/protokoll?gruppe=evil").status_code == 400
