"""The association journey through its pages and services: what associations rely on."""

import io
from datetime import time, timedelta

import pytest
from sqlmodel import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tests.factories import (
    add_shift,
    create_need,
    make_association,
    make_profile,
    make_signup,
    png_bytes,
    register_org,
    seed_reference,
)
from tests.spreadsheets import read_as_german_excel
from volunteer.models import (
    HourEntry,
    Membership,
    Notice,
    Opportunity,
    Organisation,
    Role,
    Shift,
    Signup,
    SignupState,
)
from volunteer.platform.richtext import render
from volunteer.services.discovery import engine, engine_values
from volunteer.services.engagement import hours
from volunteer.services.errors import ServiceError
from volunteer.services.organisations import opportunities
from volunteer.services.organisations import organisation as organisations


@pytest.fixture
def world(session, now):
    """A verified organisation with an admin, a published need and a shift in three days."""
    seed_reference(session)
    engine.invalidate()
    return make_association(session, now=now)


def _notices(session, kind):
    return session.exec(select(Notice).where(Notice.kind == kind)).all()


# --- organisations -------------------------------------------------------------------------------
def test_registering_makes_the_user_admin_of_an_unlisted_organisation(
    client, login, session, make_user
):
    seed_reference(session)
    make_user(role=Role.COORDINATOR)
    user = make_user()
    login(user)
    response = client.post(
        "/vereine/registrieren",
        data={
            "name": "Tafel  Wattenscheid",
            "kind": "verein",
            "address": "Wattenscheid",
            "contact_email": "info@tafel.example",
            "website": "www.tafel.example",
            "description": "Wir **retten** Lebensmittel.\n\n- Abholen\n- Verteilen",
        },
    )
    assert response.status_code == 302
    org = session.exec(select(Organisation)).one()
    assert (org.name, org.verified_at, org.website) == (
        "Tafel Wattenscheid",
        None,
        "https://www.tafel.example",
    )
    assert org.district_number is not None
    member = session.exec(select(Membership)).one()
    assert (member.user_id, member.role) == (user.id, "admin")
    assert _notices(session, "organisation_registered")  # the coordinators are told
    page = client.get(f"/vereine/{org.id}/")
    assert "Warte auf Prüfung".lower() in page.text.lower() or "Prüfung" in page.text


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("name", "<b>Verein</b>", "ohne HTML"),
        ("description", "Hallo <script>alert(1)</script>", "ohne HTML"),
        ("description", "<img src=x onerror=alert(1)>", "ohne HTML"),
        ("address", "12345", "außerhalb unseres Gebiets"),
        ("address", "Mondstraße ohne Ort", "nicht finden"),
        ("website", "javascript:alert(1)", "Webadresse"),
        ("kind", "sekte", "gültige Auswahl"),
    ],
)
def test_bad_organisation_input_gets_a_field_message_and_saves_nothing(
    client, login, session, make_user, field, value, expected
):
    seed_reference(session)
    login(make_user())
    data = {"name": "Verein", "kind": "verein", "address": "44787", "contact_email": "a@b.de"}
    data[field] = value
    response = client.post("/vereine/registrieren", data=data)
    assert response.status_code == 422
    assert expected in response.text
    assert session.exec(select(Organisation)).first() is None


def test_only_coordinators_verify_and_verification_makes_needs_public(world, session, now):
    org, admin, need = world["org"], world["admin"], world["need"]
    org.verified_at = None
    session.add(org)
    session.commit()
    assert need.id not in {o.id for o in engine_values.listed_opportunities(session)}
    with pytest.raises(ServiceError):
        organisations.verify(session, org, by=admin, now=now)
    organisations.verify(session, org, by=world["coordinator"], now=now)
    session.commit()
    assert need.id in {o.id for o in engine_values.listed_opportunities(session)}
    assert any(n.user_id == admin.id for n in _notices(session, "organisation_verified"))


def test_logo_is_checked_reencoded_and_served(world, client, login, session):
    org = world["org"]
    login(world["admin"])
    url = f"/vereine/{org.id}/logo"
    not_image = client.post(url, data={"logo": (io.BytesIO(b"%PDF-1.4 nope"), "x.png")})
    assert not_image.status_code == 422 and "kein Bild" in not_image.text
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    assert client.post(url, data={"logo": (io.BytesIO(svg), "x.svg")}).status_code == 422
    too_large = png_bytes() + b"\0" * (organisations.MAX_LOGO_BYTES + 1)
    # Encoded in memory: the test client would spool a body this large to an unclosed file.
    boundary, body = encode_multipart(
        {"logo": FileStorage(io.BytesIO(too_large), "big.png", content_type="image/png")}
    )
    response = client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 422 and "zu groß" in response.text
    session.expire_all()
    assert session.get(Organisation, org.id).logo is None  # nothing half-saved
    jpeg = png_bytes((2000, 1000), "JPEG")
    assert client.post(url, data={"logo": (io.BytesIO(jpeg), "logo.jpg")}).status_code == 302
    served = client.get(url)
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    from PIL import Image

    assert Image.open(io.BytesIO(served.data)).size == (512, 256)
    removed = client.post(f"/vereine/{org.id}/logo/entfernen", follow_redirects=True)
    assert "Das Logo ist entfernt." in removed.text
    session.expire_all()
    assert session.get(Organisation, org.id).logo is None


def test_unverified_logo_is_hidden_from_outsiders(world, client, login, session, make_user):
    org = world["org"]
    org.logo, org.logo_type, org.verified_at = png_bytes(), "image/png", None
    session.add(org)
    session.commit()
    assert client.get(f"/vereine/{org.id}/logo").status_code == 404
    login(make_user())
    assert client.get(f"/vereine/{org.id}/logo").status_code == 404
    login(world["admin"])
    assert client.get(f"/vereine/{org.id}/logo").status_code == 200


def test_invitation_by_email_transfer_and_leaving(
    world, client, login, session, make_user, now, mailed_link
):
    org, admin = world["org"], world["admin"]
    login(admin)
    response = client.post(
        f"/vereine/{org.id}/mitglieder", data={"email": "Ben@Example.org", "role": "member"}
    )
    assert response.status_code == 302
    (mail,) = _notices(session, "organisation_invite")
    assert mail.to_email == "Ben@Example.org" and mail.channel == "email"
    token = mailed_link(mail).rsplit("/", 1)[1]
    # Someone else cannot use the forwarded link.
    login(make_user(email="mallory@example.org"))
    assert client.post(f"/vereine/einladung/{token}").status_code == 400
    ben = make_user(email="ben@example.org", first_name="Ben")
    login(ben)
    assert client.get(f"/vereine/einladung/{token}").status_code == 200
    assert client.post(f"/vereine/einladung/{token}").status_code == 302
    assert client.get(f"/vereine/{org.id}/").status_code == 200
    assert client.post(f"/vereine/einladung/{token}").status_code == 400  # single use
    # Members may not manage members; the admin page is not there for them.
    assert client.get(f"/vereine/{org.id}/profil").status_code == 404
    # The last admin cannot leave; after handing over the role they can.
    login(admin)
    client.post(f"/vereine/{org.id}/verlassen")
    assert session.exec(select(Membership).where(Membership.user_id == admin.id)).first()
    ben_member = session.exec(select(Membership).where(Membership.user_id == ben.id)).one()
    client.post(f"/vereine/{org.id}/mitglieder/{ben_member.id}/admin-uebergeben")
    session.expire_all()
    assert session.get(Membership, ben_member.id).role == "admin"
    assert client.post(f"/vereine/{org.id}/verlassen").status_code == 302
    assert session.exec(select(Membership).where(Membership.user_id == admin.id)).first() is None
    assert client.get(f"/vereine/{org.id}/").status_code == 404


# --- needs ---------------------------------------------------------------------------------------
def test_posting_a_need_with_skills_and_publishing_it(world, client, login, session):
    org = world["org"]
    login(world["admin"])
    page = client.get(f"/vereine/{org.id}/einsaetze/neu")
    assert page.status_code == 200 and "Vorlesen" in page.text
    from volunteer.models import Cause, Skill

    skill = session.exec(select(Skill).where(Skill.slug == "reading-aloud")).one()
    cause = session.exec(select(Cause)).first()
    response = client.post(
        f"/vereine/{org.id}/einsaetze/neu",
        data={
            "title": "Sprachcafé",
            "description": "Wir **sprechen** Deutsch.",
            "address": "Langendreer",
            "required_skills": [str(skill.id), "banana", "99999"],
            "causes": [str(cause.id)],
            "languages": ["de", "ar"],
            "needs_conduct_certificate": "y",
        },
    )
    # An unknown skill id is a field error, never a 500.
    assert response.status_code == 422 and "angebotenen" in response.text
    response = client.post(
        f"/vereine/{org.id}/einsaetze/neu",
        data={
            "title": "Sprachcafé",
            "description": "Wir **sprechen** Deutsch.",
            "address": "Langendreer",
            "required_skills": [str(skill.id)],
            "causes": [str(cause.id)],
            "languages": ["de", "ar"],
            "needs_conduct_certificate": "y",
        },
    )
    assert response.status_code == 302
    need = session.exec(select(Opportunity).where(Opportunity.title == "Sprachcafé")).one()
    assert need.status == "draft" and need.languages == ["ar", "de"]
    assert need.needs_conduct_certificate and need.district_number is not None
    client.post(f"/vereine/{org.id}/einsaetze/{need.id}/status", data={"status": "published"})
    client.post(f"/vereine/{org.id}/einsaetze/{need.id}/status", data={"status": "paused"})
    session.expire_all()
    assert session.get(Opportunity, need.id).status == "paused"
    detail = client.get(f"/vereine/{org.id}/einsaetze/{need.id}")
    assert "<strong>sprechen</strong>" in detail.text
    copy = client.post(f"/vereine/{org.id}/einsaetze/{need.id}/duplizieren")
    assert copy.status_code == 302
    copies = session.exec(select(Opportunity).where(Opportunity.title == "Sprachcafé")).all()
    assert sorted(c.status for c in copies) == ["draft", "paused"]


@pytest.mark.parametrize(
    ("data", "field_text"),
    [
        ({"title": "<script>alert(1)</script>"}, "ohne HTML"),
        ({"description": "<a href='javascript:x'>klick</a>"}, "ohne HTML"),
        ({"description": "&lt;script&gt;"}, "ohne HTML"),
        ({"address": ""}, "wo der Einsatz stattfindet"),
        ({"address": "10115 Berlin"}, "außerhalb unseres Gebiets"),
        ({"languages": ["xx"]}, "angebotenen"),
    ],
)
def test_bad_need_input_is_refused(world, client, login, session, data, field_text):
    org = world["org"]
    login(world["admin"])
    before = len(session.exec(select(Opportunity)).all())
    form = {"title": "Gartenhilfe", "address": "44787", **data}
    response = client.post(f"/vereine/{org.id}/einsaetze/neu", data=form)
    assert response.status_code == 422
    assert field_text in response.text
    assert len(session.exec(select(Opportunity)).all()) == before


def test_copying_a_need_makes_a_draft_with_its_texts_and_skills_but_no_dates(
    world, client, login, session
):
    org, need = world["org"], world["need"]
    login(world["admin"])
    response = client.post(f"/vereine/{org.id}/einsaetze/{need.id}/duplizieren")
    assert response.status_code == 302
    copy = session.exec(select(Opportunity).where(Opportunity.id != need.id)).one()
    assert response.headers["Location"].endswith(f"/einsaetze/{copy.id}/bearbeiten")
    assert (copy.status, copy.organisation_id) == ("draft", org.id)
    assert (copy.title, copy.description, copy.postcode, copy.lat, copy.lon) == (
        need.title, need.description, need.postcode, need.lat, need.lon,
    )  # fmt: skip
    assert opportunities.skill_ids(session, copy) == opportunities.skill_ids(session, need)
    assert opportunities.skill_ids(session, copy)[0]  # the factory's need requires a skill
    assert session.exec(select(Shift).where(Shift.opportunity_id == copy.id)).all() == []


def test_stored_markup_is_never_rendered_as_html(world, client, login, session):
    need = world["need"]
    need.description = '<script>alert("x")</script><img src=x onerror=alert(1)> **ok**'
    session.add(need)
    session.commit()
    login(world["admin"])
    page = client.get(f"/vereine/{world['org'].id}/einsaetze/{need.id}").text
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in page and "<strong>ok</strong>" in page


def test_rich_text_formats_paragraphs_lists_and_bold():
    html = str(render("Erster Absatz\nzweite Zeile\n\n- eins\n- **zwei**\n\nEnde"))
    assert html == (
        "<p>Erster Absatz<br>zweite Zeile</p><ul><li>eins</li><li><strong>zwei</strong></li></ul>"
        "<p>Ende</p>"
    )


# --- shifts --------------------------------------------------------------------------------------
def _shift_form(now, **changes):
    day = (now + timedelta(days=7)).date()
    form = {
        "day": day.isoformat(),
        "start_time": "18:00",
        "end_time": "20:00",
        "capacity": "3",
        "repeat": "once",
        "every_weeks": "1",
    }
    form.update(changes)
    return form


def test_a_weekly_need_generates_its_dates_up_to_the_end(world, client, login, session, now):
    org, need = world["org"], world["need"]
    login(world["admin"])
    first = (now + timedelta(days=2)).date()
    response = client.post(
        f"/vereine/{org.id}/einsaetze/{need.id}/termine/neu",
        data=_shift_form(
            now,
            day=first.isoformat(),
            repeat="weekly",
            repeat_until=(first + timedelta(weeks=9)).isoformat(),
        ),
    )
    assert response.status_code == 302
    series = session.exec(select(Shift).where(Shift.series_id.is_not(None))).all()  # type: ignore[union-attr]
    assert len(series) == 10 and len({s.series_id for s in series}) == 1
    assert {
        s.starts_at.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Berlin")).hour
        for s in series
    } == {18}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"day": "2026-11-01"}, "in der Vergangenheit"),
        ({"end_time": "17:00"}, "nach dem Beginn"),
        ({"capacity": "0"}, "zwischen 1 und 500"),
        ({"capacity": "-4"}, "zwischen 1 und 500"),
        ({"capacity": "viele"}, "ganze Zahl"),
        ({"repeat": "weekly"}, "braucht ein Enddatum"),
        ({"repeat": "weekly", "repeat_until": "2029-01-01"}, "höchstens ein Jahr"),
        ({"day": "32.13.2026"}, "Datum"),
        ({"place": "<b>Hof</b>"}, "ohne HTML"),
    ],
)
def test_bad_shift_input_is_refused_and_nothing_is_saved(
    world, client, login, session, now, changes, message
):
    org, need = world["org"], world["need"]
    login(world["admin"])
    before = len(session.exec(select(Shift)).all())
    response = client.post(
        f"/vereine/{org.id}/einsaetze/{need.id}/termine/neu", data=_shift_form(now, **changes)
    )
    assert response.status_code == 422
    assert message in response.text
    assert len(session.exec(select(Shift)).all()) == before


def test_editing_a_shift_with_signups_notifies_those_people(
    world, client, login, session, make_user, now
):
    org, shift = world["org"], world["shift"]
    mia, tom, gone = make_user(first_name="Mia"), make_user(), make_user()
    make_signup(session, mia, shift, now=now, state=SignupState.ACCEPTED)
    make_signup(session, tom, shift, now=now, state=SignupState.WAITLISTED)
    make_signup(session, gone, shift, now=now, state=SignupState.WITHDRAWN)
    login(world["admin"])
    url = f"/vereine/{org.id}/termine/{shift.id}/bearbeiten"
    assert "2 Personen" in client.get(url).text
    day = (now + timedelta(days=4)).date().isoformat()
    response = client.post(url, data=_shift_form(now, day=day, capacity="2"))
    assert response.status_code == 302
    changed = _notices(session, "shift_changed")
    assert {n.user_id for n in changed} == {mia.id, tom.id}
    assert all(n.payload["shift_id"] == shift.id for n in changed)
    # Fewer places than people holding one is refused.
    response = client.post(url, data=_shift_form(now, day=day, capacity="0"))
    assert response.status_code == 422
    make_signup(session, make_user(), shift, now=now)
    response = client.post(url, data=_shift_form(now, day=day, capacity="1"))
    assert response.status_code == 422 and "halten schon einen Platz" in response.text
    cancel = f"/vereine/{org.id}/termine/{shift.id}/absagen"
    asked = client.post(cancel)  # the button on the edit page asks first, and why
    assert asked.status_code == 200 and "Diesen Termin absagen?" in asked.text
    assert 'name="confirmed" value="1"' in asked.text and 'name="reason"' in asked.text
    session.expire_all()
    assert session.get(Shift, shift.id).cancelled_at is None
    no_reason = client.post(cancel, data={"confirmed": "1", "reason": "  "})
    assert no_reason.status_code == 422 and "Bitte fülle dieses Feld aus" in no_reason.text
    session.expire_all()
    assert session.get(Shift, shift.id).cancelled_at is None
    done = client.post(cancel, data={"confirmed": "1", "reason": "Die Halle ist gesperrt."})
    assert done.status_code == 302
    session.expire_all()
    assert session.get(Shift, shift.id).cancelled_at is not None
    cancelled = _notices(session, "shift_cancelled")
    assert len(cancelled) == 2 * 3  # e-mail and inbox, 3 people
    assert {n.payload["reason"] for n in cancelled} == {"Die Halle ist gesperrt."}


# --- applications, attendance, hours ------------------------------------------------------------
def test_accept_decline_waitlist_and_message_a_shift(world, client, login, session, make_user, now):
    org, shift = world["org"], world["shift"]
    a, b, c = make_user(first_name="Ada"), make_user(first_name="Bo"), make_user(first_name="Cem")
    sa, sb = make_signup(session, a, shift, now=now), make_signup(session, b, shift, now=now)
    sc = make_signup(session, c, shift, now=now, state=SignupState.WAITLISTED)
    login(world["admin"])
    page = client.get(f"/vereine/{org.id}/termine/{shift.id}")
    assert a.email in page.text  # contact details: they applied
    client.post(f"/vereine/{org.id}/anmeldungen/{sa.id}/entscheiden", data={"action": "accept"})
    client.post(
        f"/vereine/{org.id}/anmeldungen/{sb.id}/entscheiden",
        data={"action": "decline", "message": "Leider schon voll, gern nächstes Mal!"},
    )
    session.expire_all()
    assert session.get(Signup, sa.id).state == "accepted"
    declined = session.get(Signup, sb.id)
    assert declined.state == "declined" and declined.reason.startswith("Leider")
    # Declining Bo freed a place: Cem moved up from the waiting list.
    assert session.get(Signup, sc.id).state == "applied"
    assert _notices(session, "signup_accepted") and _notices(session, "waitlist_moved_up")
    response = client.post(
        f"/vereine/{org.id}/termine/{shift.id}", data={"message": "Bitte feste Schuhe mitbringen."}
    )
    assert response.status_code == 302
    sent = _notices(session, "shift_message")
    assert {n.user_id for n in sent} == {a.id, c.id}
    assert sent[0].payload["text"] == "Bitte feste Schuhe mitbringen."
    bad = client.post(
        f"/vereine/{org.id}/termine/{shift.id}", data={"message": "<script>x</script>"}
    )
    assert bad.status_code == 422


def _report(client, signup, minutes, note=""):
    return client.post(
        f"/ich/engagements/{signup.id}/stunden", data={"minutes": minutes, "note": note}
    )


def test_reported_hours_reach_the_association_which_confirms_them_in_one_click(
    world, client, login, session, make_user, now, app
):
    org, need, admin = world["org"], world["need"], world["admin"]
    shift = add_shift(session, need, admin, now=now, days=1)  # 15:00-17:00
    mia = make_user(first_name="Mia", last_name="Muster")
    signup = make_signup(session, mia, shift, now=now, state=SignupState.ACCEPTED)
    app.config["CLOCK"] = lambda: now + timedelta(days=2)
    login(mia)
    assert _report(client, signup, 120, note="gern wieder").status_code == 302
    (entry,) = session.exec(select(HourEntry)).all()
    assert (entry.user_id, entry.minutes, entry.state) == (mia.id, 120, "submitted")
    told = _notices(session, "hours_submitted")  # one row per channel
    assert {(n.user_id, n.payload["hour_entry_id"]) for n in told} == {(admin.id, entry.id)}
    login(admin)
    page = client.get(f"/vereine/{org.id}/stunden")
    assert "Mia" in page.text and "gern wieder" in page.text
    assert "Muster" not in page.text  # the surname is for the Ehrenamtskarte CSV only
    assert f'value="{entry.id}" id="entry-{entry.id}" aria-label' in page.text
    assert "checked" not in page.text  # nothing is pre-ticked for bulk confirmation
    client.post(f"/vereine/{org.id}/stunden/{entry.id}/confirm")
    session.expire_all()
    assert session.get(HourEntry, entry.id).state == "confirmed"
    assert _notices(session, "hours_confirmed")
    again = client.post(f"/vereine/{org.id}/stunden/{entry.id}/confirm")
    assert again.status_code == 302  # a second click is harmless: it says so, changes nothing


def test_reported_minutes_must_fit_the_shift_plus_the_margin(
    world, client, login, session, make_user, now, app
):
    need, admin = world["need"], world["admin"]
    shift = add_shift(session, need, admin, now=now, days=1, start=time(15), end=time(15, 20))
    mia = make_user()
    signup = make_signup(session, mia, shift, now=now, state=SignupState.ACCEPTED)
    app.config["CLOCK"] = lambda: now + timedelta(days=2)
    app.config["HOURS_MARGIN_MINUTES"] = 30
    login(mia)
    refused = _report(client, signup, 600)
    assert refused.status_code == 422
    assert "Dieser Termin dauerte 20 Minuten" in refused.text
    assert "zwischen 1 und 50 Minuten" in refused.text and 'aria-invalid="true"' in refused.text
    assert session.exec(select(HourEntry)).all() == []
    assert _report(client, signup, 0).status_code == 422
    assert _report(client, signup, 50).status_code == 302
    assert session.exec(select(HourEntry.minutes)).all() == [50]


def test_attendance_never_rewrites_hours_and_a_conflict_is_shown_to_decide(
    world, client, login, session, make_user, now, app
):
    org, need, admin = world["org"], world["need"], world["admin"]
    shift = add_shift(session, need, admin, now=now, days=1)
    mia, tom = make_user(first_name="Mia", last_name="Muster"), make_user(first_name="Tom")
    sm = make_signup(session, mia, shift, now=now, state=SignupState.ACCEPTED)
    st = make_signup(session, tom, shift, now=now, state=SignupState.ACCEPTED)
    login(admin)
    early = client.post(
        f"/vereine/{org.id}/anmeldungen/{sm.id}/anwesenheit", data={"action": "attended"}
    )
    assert early.status_code == 302
    session.expire_all()
    assert session.get(Signup, sm.id).state == "accepted"  # not before the shift started
    app.config["CLOCK"] = lambda: now + timedelta(days=2)
    login(mia)
    _report(client, sm, 90)
    login(admin)
    client.post(f"/vereine/{org.id}/anmeldungen/{sm.id}/anwesenheit", data={"action": "no_show"})
    client.post(f"/vereine/{org.id}/anmeldungen/{st.id}/anwesenheit", data={"action": "attended"})
    session.expire_all()
    assert session.get(Signup, sm.id).state == "no_show"
    (entry,) = session.exec(select(HourEntry)).all()  # Tom's "attended" reported nothing for him
    assert (entry.user_id, entry.minutes, entry.state) == (mia.id, 90, "submitted")
    assert not _notices(session, "hours_rejected")
    conflict = "Als nicht erschienen markiert"
    assert conflict in client.get(f"/vereine/{org.id}/stunden").text
    assert conflict in client.get(f"/vereine/{org.id}/termine/{shift.id}").text
    client.post(f"/vereine/{org.id}/anmeldungen/{sm.id}/anwesenheit", data={"action": "attended"})
    session.expire_all()
    assert session.get(Signup, sm.id).state == "attended"
    assert [(e.minutes, e.state) for e in session.exec(select(HourEntry)).all()] == [
        (90, "submitted")
    ]
    assert conflict not in client.get(f"/vereine/{org.id}/stunden").text


def test_hours_are_confirmed_in_bulk_all_or_nothing_and_exported(
    world, client, login, session, make_user, now, app
):
    org, admin, need = world["org"], world["admin"], world["need"]
    other = register_org(
        session, make_user(), now=now, coordinator=world["coordinator"], name="Andere"
    )
    other_need = create_need(session, other, admin, now=now)
    mia = make_user(first_name="Mia", last_name="=HYPERLINK(1)")
    later = now + timedelta(days=3)
    entries = []
    for target, minutes in ((need, 90), (need, 60), (other_need, 30)):
        shift = add_shift(session, target, admin, now=now, days=1)
        signup = make_signup(session, mia, shift, now=now, state=SignupState.ACCEPTED)
        entries.append(
            hours.submit_hours(session, mia, signup, minutes=minutes, margin_minutes=0, now=later)
        )
    session.commit()
    e1, e2, foreign = entries
    app.config["CLOCK"] = lambda: later
    login(admin)
    response = client.post(
        f"/vereine/{org.id}/stunden", data={"entries": [e1.id, foreign.id], "action": "confirm"}
    )
    assert response.status_code == 422
    session.expire_all()
    assert session.get(HourEntry, e1.id).state == "submitted"  # nothing half-done
    client.post(f"/vereine/{org.id}/stunden", data={"entries": [e1.id, e2.id], "action": "confirm"})
    session.expire_all()
    assert {session.get(HourEntry, i).state for i in (e1.id, e2.id)} == {"confirmed"}
    e3 = hours.submit_hours(
        session,
        mia,
        make_signup(session, mia, add_shift(session, need, admin, now=now, days=2), now=now),
        minutes=45,
        margin_minutes=0,
        now=later,
    )
    session.commit()
    reject = {"entries": [e3.id], "action": "reject"}
    asked = client.post(f"/vereine/{org.id}/stunden", data=reject)  # bulk reject asks first
    assert asked.status_code == 200 and "Diese Stunden ablehnen?" in asked.text
    assert "45 Minuten" in asked.text and f'name="entries" value="{e3.id}"' in asked.text
    session.expire_all()
    assert session.get(HourEntry, e3.id).state == "submitted"
    client.post(f"/vereine/{org.id}/stunden", data={**reject, "confirmed": "1"})
    session.expire_all()
    assert session.get(HourEntry, e3.id).state == "rejected"
    year = later.year
    assert hours.organisation_minutes(session, org, year=year) == 150
    export = client.get(f"/vereine/{org.id}/stunden/export.csv?year={year}")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    rows = read_as_german_excel(export.data)
    assert rows[0][:5] == ["Vorname", "Nachname", "E-Mail", "Jahr", "Bestätigte Stunden"]
    assert rows[1][:6] == ["Mia", "'=HYPERLINK(1)", mia.email, str(year), "2,5", "2"]
    assert client.get(f"/vereine/{org.id}/stunden/export.csv?year=abc").status_code == 200


@pytest.mark.parametrize(
    ("state", "minutes", "note", "code"),
    [
        (SignupState.ACCEPTED, 0, "", "minutes_implausible"),
        (SignupState.ACCEPTED, 121, "", "minutes_implausible"),
        (SignupState.ACCEPTED, 60, "<script>", "markup"),
        (SignupState.DECLINED, 60, "", "hours_not_possible"),
        (SignupState.WITHDRAWN, 60, "", "hours_not_possible"),
    ],
)
def test_submitting_bad_hours_is_refused(
    world, session, make_user, now, state, minutes, note, code
):
    mia = make_user()
    signup = make_signup(session, mia, world["shift"], now=now, state=state)
    with pytest.raises(ServiceError) as info:
        hours.submit_hours(
            session,
            mia,
            signup,
            minutes=minutes,
            margin_minutes=0,
            note=note,
            now=now + timedelta(days=4),
        )
    assert info.value.code == code


def test_hours_for_a_signup_are_submitted_once_after_the_shift(world, session, make_user, now):
    mia = make_user()
    signup = make_signup(session, mia, world["shift"], now=now, state=SignupState.ATTENDED)
    args = {"minutes": 60, "margin_minutes": 0}
    with pytest.raises(ServiceError) as info:
        hours.submit_hours(session, mia, signup, now=now, **args)
    assert info.value.code == "hours_in_future"
    later = now + timedelta(days=4)
    hours.submit_hours(session, mia, signup, now=later, **args)
    with pytest.raises(ServiceError) as info:
        hours.submit_hours(session, mia, signup, now=later, **args)
    assert info.value.code == "hours_already_submitted"
    with pytest.raises(ServiceError):
        hours.submit_hours(session, make_user(), signup, now=later, **args)  # not theirs
    with pytest.raises(ServiceError) as info:
        hours.submit_hours(session, mia, signup, now=now + timedelta(days=800), **args)
    assert info.value.code == "too_old"


# --- candidates ----------------------------------------------------------------------------------
def test_candidates_show_first_name_district_and_reasons_only(
    world, client, login, session, make_user, now
):
    org, need = world["org"], world["need"]
    mia = make_user(first_name="Mia", last_name="Geheim", email="mia.geheim@example.org")
    make_profile(session, mia, now=now)
    hidden = make_user(first_name="Hidden")
    make_profile(session, hidden, now=now, discoverable=False)
    engine.invalidate()
    login(world["admin"])
    page = client.get(f"/vereine/{org.id}/einsaetze/{need.id}/kandidaten")
    assert page.status_code == 200
    assert "Mia, Gleisdreieck" in page.text  # first name and district (44787)
    assert "Geheim" not in page.text and "mia.geheim" not in page.text
    assert "Hidden" not in page.text
    assert "wohnt unter 1 km entfernt" in page.text  # a band, never "0,4 km"
    client.post(f"/vereine/{org.id}/einsaetze/{need.id}/kandidaten/{mia.id}/einladen")
    client.post(f"/vereine/{org.id}/einsaetze/{need.id}/kandidaten/{mia.id}/einladen")
    invites = _notices(session, "candidate_invited")
    assert len(invites) == 2 and {n.user_id for n in invites} == {mia.id}  # once, two channels
    assert invites[0].payload["opportunity_id"] == need.id
    nobody = client.post(f"/vereine/{org.id}/einsaetze/{need.id}/kandidaten/{hidden.id}/einladen")
    assert nobody.status_code == 404


def test_profile_edit_and_roles(world, client, login, session, make_user, now):
    org, admin = world["org"], world["admin"]
    login(admin)
    page = client.get(f"/vereine/{org.id}/profil")
    assert page.status_code == 200 and "Lesepaten Bochum e.V." in page.text
    form = {"name": "Lesepaten Bochum", "kind": "verein", "address": "Weitmar"}
    form["contact_email"] = "hallo@lesepaten.example"
    assert client.post(f"/vereine/{org.id}/profil", data=form).status_code == 302
    session.expire_all()
    assert session.get(Organisation, org.id).name == "Lesepaten Bochum"
    assert session.get(Organisation, org.id).verified_at is not None  # the check stays
    bad = client.post(f"/vereine/{org.id}/profil", data={**form, "description": "<iframe>"})
    assert bad.status_code == 422
    ben = make_user(first_name="Ben")
    session.add(Membership(organisation_id=org.id, user_id=ben.id, role="member"))
    session.commit()
    mine = session.exec(select(Membership).where(Membership.user_id == admin.id)).one()
    theirs = session.exec(select(Membership).where(Membership.user_id == ben.id)).one()
    client.post(f"/vereine/{org.id}/mitglieder/{mine.id}/rolle", data={"role": "member"})
    session.expire_all()
    assert session.get(Membership, mine.id).role == "admin"  # the last admin stays admin
    theirs_id = theirs.id
    client.post(f"/vereine/{org.id}/mitglieder/{theirs_id}/rolle", data={"role": "admin"})
    client.post(f"/vereine/{org.id}/mitglieder/{theirs_id}/entfernen")
    session.expire_all()
    assert session.get(Membership, theirs_id) is None


def test_conduct_certificate_is_recorded_as_seen_never_stored(
    world, client, login, session, make_user, now
):
    from volunteer.models import ConductCheck

    org, need, shift = world["org"], world["need"], world["shift"]
    need.needs_conduct_certificate = True
    session.add(need)
    session.commit()
    mia = make_user(first_name="Mia")
    signup = make_signup(session, mia, shift, now=now)
    login(world["admin"])
    assert "Führungszeugnis von Mia" in client.get(f"/vereine/{org.id}/termine/{shift.id}").text
    client.post(f"/vereine/{org.id}/anmeldungen/{signup.id}/fuehrungszeugnis")
    check = session.exec(select(ConductCheck)).one()
    assert (check.user_id, check.organisation_id, check.seen_at.date()) == (
        mia.id,
        org.id,
        now.date(),
    )
    page = client.get(f"/vereine/{org.id}/termine/{shift.id}").text
    assert "Führungszeugnis eingesehen am 28.11.2026" in page


def test_cancelling_the_rest_of_a_weekly_series(world, session, now):
    from datetime import time

    from volunteer.services.organisations import opportunities
    from volunteer.services.organisations import shifts as shift_service

    need, admin = world["need"], world["admin"]
    first = (now + timedelta(days=1)).date()
    series = shift_service.add_shifts(
        session,
        need,
        shift_service.ShiftInput(
            day=first,
            start=time(10),
            end=time(12),
            capacity=3,
            repeat="weekly",
            repeat_until=first + timedelta(weeks=3),
        ),
        by=admin,
        now=now,
    )
    assert len(series) == 4
    shift_service.cancel_series_from(
        session, series[2], reason="Die Gruppe hört auf.", by=admin, now=now
    )
    assert [s.cancelled_at is not None for s in series] == [False, False, True, True]
    with pytest.raises(ServiceError):
        opportunities.set_status(session, need, "draft", by=admin, now=now)
    opportunities.set_status(session, need, "closed", by=admin, now=now)
    with pytest.raises(ServiceError) as info:
        shift_service.add_shifts(
            session,
            need,
            shift_service.ShiftInput(day=first, start=time(10), end=time(12), capacity=1),
            by=admin,
            now=now,
        )
    assert info.value.code == "need_closed"
