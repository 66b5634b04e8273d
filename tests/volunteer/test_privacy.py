"""Erasure that erases, and no working secret in the database (issue 9, items 4 and 7).

The erasure test fills every text field that can name a person with a unique marker, deletes the
account through the page, dumps every table and every column, and finds no marker. Statistics
(sign-ups per shift, confirmed minutes per organisation) stay.
"""

import io
import json
import re
import zipfile
from datetime import timedelta

import pytest
from sqlalchemy import func, or_
from sqlalchemy import select as sa_select
from sqlmodel import SQLModel, col, select

from tests.factories import (
    TEST_PASSWORD,
    add_member,
    make_opportunity,
    make_organisation,
    make_shift,
    set_profile,
)
from tests.spreadsheets import german_records, read_as_english_excel
from tests.volunteer.dump import database_text
from volunteer.models import (
    AgeGroup,
    AuditEntry,
    ConductCheck,
    Consent,
    GuardianRequest,
    HourEntry,
    HourState,
    MemberRole,
    Membership,
    Notice,
    NoticePreference,
    NoticeStatus,
    ProposalPair,
    ProposalRun,
    Signup,
    SignupState,
    SkillSuggestion,
    Token,
    User,
)
from volunteer.platform.signing import fill_slots
from volunteer.services.accounts import account, credentials
from volunteer.services.accounts.export import ABOUT_ME_AUDIT, ABOUT_ME_NOTICES, FILE_NAMES
from volunteer.services.coordination import verification
from volunteer.services.engagement import calendar, signups
from volunteer.services.notices import outbox
from volunteer.services.notices.kinds import SECURITY_KINDS
from volunteer.web.volunteers.my_data import REAUTH_KEY

MARK = "Qz7"  # every marker starts with this; nothing else in the database does


def m(n: int) -> str:
    return f"{MARK}{n:02d}x"


@pytest.fixture
def person_world(links, session, make_user, now):
    """A person who used everything: old and new addresses, profile with guardian, sign-ups with
    messages, a decline reason, hours with a note, a skill suggestion a coordinator resolved, a
    conduct check, memberships, invitations, a calendar link, and notices to and about them."""
    org = make_organisation(session, now, name="Tafel")
    admin = make_user(first_name="Admin")
    add_member(session, org, admin)
    coordinator = make_user(role="coordinator", first_name="Koordination")
    other_org = make_organisation(session, now, name="Sportverein")
    opp = make_opportunity(session, now, org, minors_ok=True)
    upcoming = make_shift(session, now, opp, capacity=1)
    second = make_shift(session, now, opp, starts_in=timedelta(days=5))
    past = make_shift(session, now, opp, starts_in=timedelta(days=-10))

    person = make_user(email=f"anna.{m(1)}@example.org", first_name=m(2), last_name=m(3))
    set_profile(
        session,
        person,
        address=f"{m(4)}straße 5",
        about=m(5),
        age_group=AgeGroup.UNDER_16,
        guardian_email=f"eltern.{m(6)}@example.org",
        guardian_consent_at=now,
        languages=["de", m(7)],
        availability=(1 << 0) | (1 << (5 * 3 + 1)),  # Monday morning, Saturday afternoon
    )
    session.add(Consent(user_id=person.id, kind="guardian", details={"email": f"e.{m(6)}@x.org"}))
    session.add(
        GuardianRequest(
            user_id=person.id, guardian_email=f"eltern.{m(6)}@example.org", requested_at=now,
            expires_at=now + timedelta(days=21),
        )
    )  # fmt: skip
    session.add(NoticePreference(user_id=person.id, kind="digest", channel="email", enabled=False))
    # Address history: anna -> neu (confirmed, audited), then a pending change to "next".
    credentials.request_email_change(
        session, person, new_email=f"neu.{m(8)}@example.org", password=TEST_PASSWORD,
        now=now, links=links, hours=24, mail_budget=5,
    )  # fmt: skip
    change = session.exec(select(Token).where(Token.purpose == "email_change")).one()
    change.used_at = None
    session.add(change)
    session.flush()
    person.email, person.email_key = f"neu.{m(8)}@example.org", f"neu.{m(8)}@example.org"
    from volunteer.services import audit

    audit.record(
        session, "user.email_changed", actor=person, now=now, object_type="user",
        object_id=person.id, old=f"anna.{m(1)}@example.org", new=person.email,
    )  # fmt: skip
    credentials.request_email_change(
        session, person, new_email=f"next.{m(9)}@example.org", password=TEST_PASSWORD,
        now=now + timedelta(minutes=1), links=links, hours=24, mail_budget=5,
    )  # fmt: skip
    account.authenticate(session, person.email, TEST_PASSWORD, now=now)  # login history
    credentials.request_password_reset(
        session, person.email, now=now, links=links, hours=2, mail_budget=5
    )
    # Sign-ups: one with a message (and a phone number), one declined with a reason, one past.
    applied = signups.sign_up(session, person, upcoming, now=now, message=f"Ruf an: 0170 {m(10)}")
    declined = signups.sign_up(
        session, person, second, now=now, message=f'=HYPERLINK("http://x.example","{m(11)}")'
    )
    signups.transition(
        session, declined, SignupState.DECLINED, by=admin, now=now, reason=f"leider {m(12)}"
    )
    attended = Signup(shift_id=past.id, user_id=person.id, state=SignupState.ATTENDED)
    session.add(attended)
    session.flush()
    entry = HourEntry(
        user_id=person.id, organisation_id=org.id, signup_id=attended.id,
        worked_on=now.date() - timedelta(days=10), minutes=180,
        state=HourState.CONFIRMED, note=m(13), decided_by_id=admin.id,
    )  # fmt: skip
    session.add(entry)
    session.flush()
    outbox.enqueue(
        session, "hours_submitted", dedupe_key=f"hours_submitted:{entry.id}:{admin.id}", now=now,
        user=admin, payload={"hour_entry_id": entry.id, "organisation_id": org.id},
    )  # fmt: skip
    session.add(SkillSuggestion(user_id=person.id, text=f"Jonglieren {m(14)}"))
    session.flush()
    verification.resolve_suggestions(
        session, f"Jonglieren {m(14)}", status="dismissed", by=coordinator, now=now
    )
    session.add(
        ConductCheck(
            organisation_id=org.id, user_id=person.id, seen_at=now, recorded_by_id=admin.id
        )
    )
    audit.record(
        session, "conduct_check.seen", actor=admin, now=now, object_type="user",
        object_id=person.id, organisation=org.id,
    )  # fmt: skip
    session.add(Membership(organisation_id=other_org.id, user_id=person.id, role=MemberRole.MEMBER))
    audit.record(
        session, "organisation.role", actor=admin, now=now, object_type="organisation",
        object_id=other_org.id, member=person.id, role="member",
    )  # fmt: skip
    # Delivered in-app copies that quote the person, in the association's inbox ...
    for n in session.exec(select(Notice).where(Notice.kind == "application_new")).all():
        n.status, n.sent_at = NoticeStatus.SENT, now
        n.subject, n.body = f"{m(2)} hat sich beworben", f"{m(2)}: Ruf an: 0170 {m(10)}"
        session.add(n)
    unfilled = Notice(
        kind="shift_unfilled", channel="inapp", dedupe_key="shift_unfilled:x:inapp",
        user_id=admin.id, payload={"shift_id": upcoming.id, "candidate_ids": [person.id]},
        status=NoticeStatus.SENT, due_at=now, sent_at=now, body=f"Vorschlag: {m(2)} ({m(3)})",
    )  # fmt: skip
    # ... the guardian's request (to an address without an account) ...
    request = GuardianRequest(
        user_id=person.id, guardian_email=f"eltern.{m(6)}@example.org", expires_at=now,
    )  # fmt: skip
    session.add(request)
    session.flush()
    guardian = Notice(
        kind="guardian_consent", channel="email", dedupe_key=f"guardian_consent:{request.id}:email",
        to_email=f"eltern.{m(6)}@example.org", due_at=now,
        payload={"guardian_request_id": request.id},
    )  # fmt: skip
    # ... and the person's own inbox, rendered in their language.
    own = Notice(
        kind="shift_message", channel="inapp", dedupe_key="shift_message:x:inapp",
        user_id=person.id, status=NoticeStatus.SENT, due_at=now, sent_at=now,
        subject=f"Hallo {m(2)}", body=f"Liebe {m(2)} {m(3)}", link="http://localhost/x",
    )  # fmt: skip
    session.add_all([unfilled, guardian, own])
    # The city's assignment planning proposed and invited the person.
    run = ProposalRun(
        requested_by_id=coordinator.id, requested_at=now, period_start=now.date(),
        period_end=now.date() + timedelta(days=7), status="done",
    )  # fmt: skip
    session.add(run)
    session.flush()
    session.add(
        ProposalPair(
            run_id=run.id, volunteer_id=person.id, shift_id=upcoming.id,
            score=0.8, invited_at=now, invited_by_id=coordinator.id,
        )
    )  # fmt: skip
    calendar.rotate_feed_token(session, person)
    session.commit()
    return {"person": person, "org": org, "admin": admin, "applied": applied, "entry": entry}


def _delete_through_the_page(client, login, person):
    login(person)
    with client.session_transaction() as sess:
        from volunteer.platform.clock import now

        sess[REAUTH_KEY] = now().isoformat()
    response = client.post("/ich/meine-daten/loeschen", data={"confirm": "y"})
    assert response.status_code == 302


def test_deleting_an_account_leaves_no_marker_in_any_table(
    app, client, login, session, person_world, now
):
    person = person_world["person"]
    before = database_text(session)
    assert before.count(MARK) >= 14  # the world really holds every marker
    signups_before = session.exec(select(func.count()).select_from(Signup)).one()
    with app.app_context():
        _delete_through_the_page(client, login, person)
    session.expire_all()

    dump = database_text(session)
    left = sorted({dump[i : i + 6] for i in range(len(dump)) if dump.startswith(MARK, i)})
    assert left == [], f"markers left after erasure: {left}"
    # Statistics stay: every sign-up row, the confirmed minutes of the organisation.
    assert session.exec(select(func.count()).select_from(Signup)).one() == signups_before
    entry = session.get(HourEntry, person_world["entry"].id)
    assert (entry.minutes, entry.state, entry.user_id, entry.note) == (180, "confirmed", None, "")
    # Nothing links to the person's id except the anonymous account row and its deletion record.
    for model in (
        Signup, HourEntry, Token, Consent, GuardianRequest, Membership, ConductCheck,
        SkillSuggestion,
    ):  # fmt: skip
        assert session.exec(select(model).where(col(model.user_id) == person.id)).all() == []
    about = session.exec(select(AuditEntry).where(AuditEntry.object_id == person.id)).all()
    assert [(a.action, a.object_type) for a in about if a.object_type == "user"] == [
        ("user.deleted", "user")
    ]
    assert session.exec(select(AuditEntry).where(AuditEntry.actor_id == person.id)).all() == []


def test_pending_notices_to_and_about_the_person_are_cancelled(
    app, client, login, session, person_world
):
    person, admin = person_world["person"], person_world["admin"]
    pending = session.exec(select(Notice).where(Notice.status == NoticeStatus.PENDING)).all()
    mine = [n.id for n in pending if n.user_id == person.id or n.kind == "guardian_consent"]
    about = [n.id for n in pending if n.kind == "hours_submitted"]
    assert mine and about
    with app.app_context():
        _delete_through_the_page(client, login, person)
    session.expire_all()
    for notice_id in mine + about:
        assert session.get(Notice, notice_id).status == NoticeStatus.CANCELLED
    # The association still learns that the place is free, from a notice that names no one.
    withdrawn = session.exec(
        select(Notice).where(Notice.kind == "signup_withdrawn", Notice.user_id == admin.id)
    ).all()
    assert withdrawn and all(n.status == NoticeStatus.PENDING for n in withdrawn)
    # The association's inbox no longer quotes the person.
    inbox = session.exec(
        select(Notice).where(Notice.user_id == admin.id, Notice.status == NoticeStatus.SENT)
    ).all()
    assert inbox == []


def test_the_address_of_a_deleted_account_can_register_again(
    app, client, login, session, person_world
):
    person = person_world["person"]
    address = person.email
    with app.app_context():
        _delete_through_the_page(client, login, person)
    response = client.post(
        "/konto/registrieren",
        data={
            "first_name": "Anna",
            "email": address,
            "password": "Ein ganz neues Passwort 7",
            "accept_terms": "y",
        },
    )
    assert response.status_code == 302
    again = session.exec(select(User).where(User.email_key == address.lower())).one()
    assert again.id != person.id and again.deleted_at is None


# --- secrets at rest -----------------------------------------------------------------------------
def test_no_working_link_or_feed_token_is_stored(app, client, login, session, make_user, now):
    from notifications.render import render

    org = make_organisation(session, now)
    admin = make_user()
    add_member(session, org, admin)
    client.post(
        "/konto/registrieren",
        data={"first_name": "Lena", "email": "lena@example.org",
              "password": TEST_PASSWORD, "accept_terms": "y"},
    )  # fmt: skip
    client.post("/konto/passwort-vergessen", data={"email": "lena@example.org"})
    lena = session.exec(select(User).where(User.email_key == "lena@example.org")).one()
    login(lena)
    client.post("/konto/email", data={"email": "lena2@example.org", "password": TEST_PASSWORD})
    login(admin)
    client.post(
        f"/vereine/{org.id}/mitglieder", data={"email": "ben@example.org", "role": "member"}
    )
    login(lena)
    client.post("/ich/kalender/neu")
    page = client.get("/ich/engagements").get_data(as_text=True)
    feed = re.search(r"/ich/kalender/([^/\"]+)\.ics", page).group(1)
    assert feed not in client.get("/ich/engagements").get_data(as_text=True)  # shown once

    session.expire_all()
    notices = session.exec(
        select(Notice).where(col(Notice.kind).in_(SECURITY_KINDS | {"organisation_invite"}))
    ).all()
    assert {n.kind for n in notices} >= {
        "verify_email",
        "password_reset",
        "email_change",
        "organisation_invite",
    }
    links = []
    for notice in notices:
        with app.app_context():
            rendered = render(session, notice, app=app, now=now)
        if "{token:" in str(notice.payload.get("url", "")):
            assert rendered.link == fill_slots(notice.payload["url"], app.config["SECRET_KEY"])
            assert rendered.link in rendered.text
            links.append(rendered.link.rsplit("/", 1)[1])
    assert len(links) >= 4
    dump = database_text(session)
    for token in [*links, feed]:
        assert token not in dump
    # The mailed links and the feed work all the same.
    verify = next(n for n in notices if n.kind == "verify_email")
    with app.app_context():
        link = render(session, verify, app=app, now=now).link
    assert client.get(link.removeprefix("http://localhost")).status_code == 302
    assert client.get(f"/ich/kalender/{feed}.ics").status_code == 200
    assert (
        client.get("/konto/bestaetigen/" + verify.payload["url"].rsplit("/", 1)[1]).status_code
        == 400
    )


def test_a_password_change_ends_the_calendar_link(client, login, session, make_user):
    user = make_user()
    login(user)
    client.post("/ich/kalender/neu")
    page = client.get("/ich/engagements").get_data(as_text=True)
    feed = re.search(r"/ich/kalender/([^/\"]+)\.ics", page).group(1)
    assert client.get(f"/ich/kalender/{feed}.ics").status_code == 200
    client.post(
        "/konto/passwort",
        data={"current_password": TEST_PASSWORD, "password": "Ganz neues Passwort 2026"},
    )
    assert client.get(f"/ich/kalender/{feed}.ics").status_code == 404
    session.expire_all()
    assert session.get(User, user.id).ical_token is None


# --- export --------------------------------------------------------------------------------------
def _export(client, login, person):
    login(person)
    with client.session_transaction() as sess:
        from volunteer.platform.clock import now

        sess[REAUTH_KEY] = now().isoformat()
    response = client.post("/ich/meine-daten/export")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    return zipfile.ZipFile(io.BytesIO(response.data))


def _csv(archive, name):
    return german_records(archive.read(name))


def test_the_export_holds_every_row_of_every_table_that_refers_to_the_person(
    app, client, login, session, person_world
):
    person = person_world["person"]
    with app.app_context():
        archive = _export(client, login, person)
    data = json.loads(archive.read("mitwirken.json"))
    # Derived from the schema's foreign keys: a table added later is checked without a change.
    references: dict[str, list[str]] = {}
    for table in SQLModel.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if (fk.column.table.name, fk.column.name) == ("user", "id"):
                references.setdefault(table.name, []).append(fk.parent.name)
    assert {"signup", "hourentry", "conductcheck", "consent", "token"} <= set(references)
    checked = 0
    for name, columns in references.items():
        table = SQLModel.metadata.tables[name]
        if name in ("signup", "hourentry"):
            columns = ["user_id"]  # decisions taken *for* an association are its records
        if name == "auditentry":
            columns = ["actor_id"]  # what others recorded about the person: below
        where = or_(*(table.c[c] == person.id for c in columns))
        stored = session.execute(sa_select(func.count()).select_from(table).where(where)).one()[0]
        exported = data[FILE_NAMES.get(name, name)]
        assert len(exported) == stored, name
        if "id" in table.c:
            ids = {r[0] for r in session.execute(sa_select(table.c.id).where(where)).all()}
            assert {r["id"] for r in exported} == ids, name
        checked += stored
    assert checked >= 15
    # Others' records about the person: the conduct check seen, the decline, hours confirmed ...
    about = {r["action"] for r in data[ABOUT_ME_AUDIT]}
    assert {"conduct_check.seen"} <= about
    assert all(r["actor_id"] != "me" for r in data[ABOUT_ME_AUDIT])
    # ... and notices sent to others about them: the association's and the guardian's.
    kinds = {r["kind"] for r in data[ABOUT_ME_NOTICES]}
    assert {"application_new", "hours_submitted", "guardian_consent", "shift_unfilled"} <= kinds
    # Other people by first name only; no secret leaves.
    hours = data["hours"][0]
    assert hours["decided_by_id"] == "Admin" and hours["user_id"] == "me"
    raw = b"".join(archive.read(n) for n in archive.namelist())
    assert person.password_hash.encode() not in raw and person.alternative_id.encode() not in raw
    assert b"token_hash" not in raw and person.ical_token.encode() not in raw


def test_the_export_explains_itself_in_the_persons_language(
    app, client, login, session, person_world
):
    person = person_world["person"]
    with app.app_context():
        archive = _export(client, login, person)
    names = set(archive.namelist())
    assert {"README.txt", "data_dictionary.csv", "mitwirken.json", "signups.csv"} <= names
    readme = archive.read("README.txt").decode()
    assert readme.startswith("Deine Daten bei Mitwirken")
    for name in names - {"README.txt", "data_dictionary.csv", "mitwirken.json"}:
        assert name in readme  # every file is described
    assert "declined = " in readme and "sat-afternoon = Samstag Nachmittag" in readme
    dictionary = _csv(archive, "data_dictionary.csv")
    assert dictionary and set(dictionary[0]) == {"Datei", "Feld", "Bedeutung"}
    undocumented = [(r["Datei"], r["Feld"]) for r in dictionary if not r["Bedeutung"]]
    assert undocumented == []
    described = {(r["Datei"], r["Feld"]) for r in dictionary}
    for name in names - {"README.txt", "data_dictionary.csv", "mitwirken.json"}:
        for field in (_csv(archive, name) or [{}])[0]:
            assert (name, field) in described, (name, field)
    # No raw bit mask: slot names in the person's language.
    (profile,) = _csv(archive, "profile.csv")
    assert profile["availability"] == "Montag Vormittag; Samstag Nachmittag"
    # A formula typed into a message is exported as text, not run by the spreadsheet.
    messages = [r["message"] for r in _csv(archive, "signups.csv")]
    assert any(m_.startswith("'=HYPERLINK(") for m_ in messages)
    assert not any(m_.startswith("=") for m_ in messages)
    # In English for someone who reads English.
    session.get(User, person.id).locale = "en"
    session.commit()
    with app.app_context():
        english = _export(client, login, person)
    assert english.read("README.txt").decode().startswith("Your data at Mitwirken")
    header, *_ = read_as_english_excel(english.read("profile.csv"))
    assert "availability" in header  # split on commas for an English spreadsheet
