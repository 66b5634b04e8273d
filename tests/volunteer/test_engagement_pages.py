"""Signing up and the waiting list, through the pages and the notices they cause."""

import re
from datetime import timedelta
from pathlib import Path

from sqlmodel import select

from notifications.channels.inbox import InboxChannel
from notifications.channels.recording import RecordingChannel
from notifications.dispatcher import Dispatcher, Policy
from tests.factories import (
    add_member,
    make_opportunity,
    make_organisation,
    make_shift,
)
from volunteer.models import HourState, Signup, SignupState
from volunteer.platform.db import get_bind
from volunteer.services.discovery import engine
from volunteer.web.wording.signups import ASSOCIATION_LABELS, VOLUNTEER_LABELS

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def _card(page: str, shift_id: int) -> str:
    """The HTML of one shift's card on the detail page."""
    match = re.search(rf'<li [^>]*id="shift-{shift_id}">(.*?)</li>', page, re.S)
    assert match, f"no card for shift {shift_id}"
    return match.group(1)


def _top_flashes(page: str) -> str:
    match = re.search(r'<div class="wrap flashes".*?</div>', page, re.S)
    return match.group(0) if match else ""


def test_the_sign_up_result_is_shown_in_the_shift_card_the_page_opens_at(
    client, login, session, make_user, now
):
    org = make_organisation(session, now)
    add_member(session, org, make_user())
    opp = make_opportunity(session, now, org)
    shift = make_shift(session, now, opp, capacity=1)
    login(make_user())
    response = client.post(f"/engagements/schichten/{shift.id}/anmelden", data={})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/engagements/{opp.id}#result-{shift.id}")
    page = client.get(response.headers["Location"]).text
    card = _card(page, shift.id)
    assert f'id="result-{shift.id}"' in card and "Du bist angemeldet!" in card
    assert "Du bist angemeldet!" not in _top_flashes(page)
    again = client.post(f"/engagements/schichten/{shift.id}/anmelden", follow_redirects=True)
    assert "schon angemeldet" in _card(again.text, shift.id)  # a refusal is shown there too


def test_a_refusal_for_a_shift_no_longer_listed_is_shown_at_the_top(
    client, login, session, make_user, now, app
):
    opp = make_opportunity(session, now)
    shift = make_shift(session, now, opp, starts_in=timedelta(hours=1))
    login(make_user())
    app.config["CLOCK"] = lambda: now + timedelta(hours=5)  # it is over meanwhile
    page = client.post(
        f"/engagements/schichten/{shift.id}/anmelden", data={}, follow_redirects=True
    ).text
    assert "schon begonnen oder ist vorbei" in _top_flashes(page)


def test_joining_the_waiting_list_says_which_place_on_the_page_and_in_the_mail(
    app, client, login, session, make_user, now
):
    org = make_organisation(session, now)
    add_member(session, org, make_user())
    opp = make_opportunity(session, now, org, title="Lebensmittel sortieren")
    shift = make_shift(session, now, opp, capacity=1)
    first, ben, cem = make_user(), make_user(first_name="Ben"), make_user(first_name="Cem")
    for person in (first, ben, cem):
        login(person)
        page = client.post(
            f"/engagements/schichten/{shift.id}/anmelden",
            data={"join_waitlist": "y"},
            follow_redirects=True,
        ).text
    assert "Warteliste, Platz 2" in _card(page, shift.id)  # Cem's page
    states = dict(session.exec(select(Signup.user_id, Signup.state)).all())
    assert states[ben.id] == states[cem.id] == SignupState.WAITLISTED
    recording = RecordingChannel()
    Dispatcher(
        app,
        get_bind(app),
        {"email": recording, "inapp": InboxChannel()},
        policy=Policy(batch_size=50),
        worker="test",
        clock=lambda: now,
    ).run_until_idle()
    mails = {n.user_id: m for n, m in recording.sent if n.kind == "signup_received"}
    assert mails[ben.id].subject == "Warteliste, Platz 1: Lebensmittel sortieren"
    assert mails[cem.id].subject == "Warteliste, Platz 2: Lebensmittel sortieren"
    assert "auf der Warteliste, Platz 2" in mails[cem.id].text
    assert "hat deine Anmeldung erhalten" not in mails[cem.id].text
    assert mails[first.id].subject == "Deine Anmeldung: Lebensmittel sortieren"


def test_every_sign_up_state_has_words_for_both_audiences():
    assert set(VOLUNTEER_LABELS) == set(SignupState) == set(ASSOCIATION_LABELS)


def test_templates_compare_sign_up_and_hour_states_with_the_enums_not_string_literals():
    states = "|".join(sorted({s.value for s in SignupState} | {s.value for s in HourState}))
    # Sign-ups and hour entries (a guardian request has states of its own).
    literal = re.compile(
        rf"""(signup|entry|payload)\.state\s*(==|!=|in)\s*\(?\s*["']({states})["']"""
    )
    offenders = [
        f"{path.relative_to(TEMPLATES)}: {match.group(0)}"
        for path in sorted(TEMPLATES.rglob("*.*"))
        for match in literal.finditer(path.read_text("utf-8"))
    ]
    assert offenders == []


def test_the_engine_forgets_its_index_after_a_commit_that_changes_it_never_before(
    client, login, session, make_user, now
):
    opp = make_opportunity(session, now)
    shift = make_shift(session, now, opp, capacity=3)
    cached = engine.opportunity_pool(session, now=now)
    assert engine.opportunity_pool(session, now=now) is cached
    shift.place = "Hinterhof"
    session.add(shift)
    session.flush()
    assert engine.opportunity_pool(session, now=now) is cached  # not before the commit
    session.rollback()
    assert engine.opportunity_pool(session, now=now) is cached  # nor after a rollback
    login(make_user())  # a login stamps the user row: nothing the engine reads
    assert engine.opportunity_pool(session, now=now) is cached
    signup = client.post(f"/engagements/schichten/{shift.id}/anmelden", data={})
    assert signup.status_code == 302
    fresh = engine.opportunity_pool(session, now=now)
    assert fresh is not cached  # the sign-up's commit changed the places
    refused = client.post(f"/engagements/schichten/{shift.id}/anmelden", data={})
    assert refused.status_code == 302  # already signed up: rolled back
    assert engine.opportunity_pool(session, now=now) is fresh
