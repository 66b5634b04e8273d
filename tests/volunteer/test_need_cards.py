"""Cards and need pages that invite: logo or initials, cause icon, next date, places, distance,
and "passt zu dir" with the engine's top reason for a logged-in volunteer."""

import re
from datetime import timedelta

import pytest
from sqlmodel import select

from tests.factories import (
    fill_profile,
    make_opportunity,
    make_organisation,
    make_shift,
    make_signup,
    seed_reference,
)
from tests.volunteer.test_volunteer_pages import PROFILE
from volunteer.models import Cause, District, OpportunityCause, SignupState
from volunteer.services.discovery import cards, engine


@pytest.fixture
def need(session, now):
    seed_reference(session)
    d = session.exec(select(District).order_by(District.number)).first()
    org = make_organisation(session, now, name="Kinderhilfe Hamme e.V.")
    opp = make_opportunity(
        session,
        now,
        org,
        title="Hausaufgaben begleiten",
        district_number=d.number,
        lat=d.lat,
        lon=d.lon,
    )
    cause = session.exec(select(Cause).where(Cause.slug == "children-youth")).one()
    session.add(OpportunityCause(opportunity_id=opp.id, cause_id=cause.id))
    make_shift(session, now, opp, starts_in=timedelta(days=7, hours=1), capacity=3)
    make_shift(session, now, opp, starts_in=timedelta(days=40, hours=1), capacity=3)
    engine.invalidate()
    return opp


def test_a_visitor_sees_initials_cause_date_and_places_but_no_fit_badge(client, need):
    page = client.get("/engagements/").get_data(as_text=True)
    assert "Hausaufgaben begleiten" in page
    assert ">KH</span>" in page  # initials avatar: no logo uploaded
    assert "causes.svg" in page and "#children-youth" in page and "Kinder &amp; Jugend" in page
    assert 'class="date-chip"' in page and "Nächster Termin:" in page
    assert "6 Plätze frei" in page
    assert "Passt zu dir" not in page


def test_a_volunteer_sees_fits_you_with_the_top_reason_and_a_distance_band(
    client, login, make_user, need
):
    login(make_user())
    fill_profile(client, PROFILE)
    engine.invalidate()
    page = client.get("/engagements/").get_data(as_text=True)
    assert "Passt zu dir" in page
    assert 'class="badge-match-reason"' in page
    assert " km" in page and ("unter " in page or "–" in page)
    page = client.get("/ich/fuer-dich").get_data(as_text=True)
    assert "Hausaufgaben begleiten" in page and "Passt zu dir" in page
    assert "Warum das zu dir passt" in page
    # The fit as a percentage in the reader's format: "Passt zu 85 %" / "Fits 85%".
    assert re.search(r"Passt zu \d{1,3}\xa0%", page)
    client.post("/sprache", data={"lang": "en", "next": "/ich/fuer-dich"})
    english = client.get("/ich/fuer-dich").get_data(as_text=True)
    assert re.search(r"Fits \d{1,3}%", english)


def test_need_page_lists_dates_grouped_by_month(client, need, now):
    page = client.get(f"/engagements/{need.id}").get_data(as_text=True)
    months = [m for m in ("Dezember 2026", "Januar 2027") if f'class="shift-month">{m}<' in page]
    assert months == ["Dezember 2026", "Januar 2027"]
    assert page.count('class="shift shift-row"') == 2
    assert "Sa., 5. Dez., 11:00–14:00" in page  # 10:00 UTC is 11:00 in Berlin


def test_a_card_counts_places_as_sign_ups_hold_them_over_upcoming_shifts_only(
    client, session, now, make_user
):
    """The card's figures are summed in SQL (``cards.shift_facts``): only sign-ups that hold a
    place count, a full shift adds nothing (never less), cancelled and past shifts not at all,
    and the next date is the first upcoming shift even when it is full."""
    seed_reference(session)
    org = make_organisation(session, now, name="Tafel Wattenscheid")
    opp = make_opportunity(session, now, org, title="Ausgabe begleiten")
    full = make_shift(session, now, opp, starts_in=timedelta(days=2, hours=1), capacity=1)
    open_one = make_shift(session, now, opp, starts_in=timedelta(days=5, hours=1), capacity=4)
    make_shift(session, now, opp, starts_in=timedelta(days=6), capacity=9, cancelled_at=now)
    make_shift(session, now, opp, starts_in=-timedelta(days=1), capacity=9)
    for state in (SignupState.ACCEPTED, SignupState.APPLIED):  # two on a place for one
        make_signup(session, make_user(), full, now=now, state=state)
    for state in (SignupState.ATTENDED, SignupState.WITHDRAWN, SignupState.WAITLISTED):
        make_signup(session, make_user(), open_one, now=now, state=state)
    engine.invalidate()
    page = client.get("/engagements/").get_data(as_text=True)
    card = page[page.index("Ausgabe begleiten") :]
    assert "3 Plätze frei" in card[:3000]  # 4 - 1 attended; the full shift adds 0, not -1
    found = cards.card_hits(session, [opp.id], now=now)[0]
    assert (found.next_start, found.places_left) == (full.starts_at, 3)


def test_a_search_card_counts_only_the_dates_still_ahead_when_it_is_shown(
    app, client, session, now
):
    """Search cards come from the per-process listing (``listed.Listing.hits``), read once: the
    next date and the places left are counted at the moment of the request, so a date that has
    begun since the listing was read no longer counts, as in ``cards.card_hits`` from SQL."""
    seed_reference(session)
    org = make_organisation(session, now, name="Tafel Wattenscheid")
    opp = make_opportunity(session, now, org, title="Ausgabe begleiten")
    make_shift(session, now, opp, starts_in=timedelta(days=2, hours=1), capacity=2)
    later_shift = make_shift(session, now, opp, starts_in=timedelta(days=5, hours=1), capacity=4)
    engine.invalidate()
    card = _card(client.get("/engagements/").get_data(as_text=True), "Ausgabe begleiten")
    assert "6 Plätze frei" in card
    later = now + timedelta(days=3)
    app.config["CLOCK"] = lambda: later
    card = _card(client.get("/engagements/").get_data(as_text=True), "Ausgabe begleiten")
    assert "4 Plätze frei" in card and "6 Plätze frei" not in card
    found = cards.card_hits(session, [opp.id], now=later)[0]
    assert (found.next_start, found.places_left) == (later_shift.starts_at, 4)


def _card(page: str, title: str) -> str:
    return page[page.index(title) :][:3000]
