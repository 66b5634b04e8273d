"""The coordinator's pages in a real browser: accessible, with real figures (the funnel of the
statistics page is checked against the rows counted in the test)."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlmodel import col, func, select

from notifications.proposals import run_next_proposal
from notifications.scheduler import rules, run_rule
from tests.conftest import FIXED_NOW
from tests.factories import TEST_PASSWORD, make_user
from volunteer.demo.city import Scale, load_demo_data
from volunteer.models import ProposalPair, Role, Shift, Signup, SignupState, User
from volunteer.services.accounts.passwords import hash_password
from volunteer.services.coordination.match_aggregates import day_start
from volunteer.services.coordination.match_statistics import default_period

pytestmark = pytest.mark.browser


def _log_in(page, email: str) -> None:
    page.goto("/konto/anmelden")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Passwort").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()


def _german(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _counted_funnel(session) -> tuple[int, int]:
    """Sign-ups made and attendances on shifts of the default period, straight from the rows."""
    period = default_period(now=FIXED_NOW)
    lo, hi = day_start(period.start), day_start(period.end + timedelta(days=1))
    applied = session.exec(
        select(func.count())
        .select_from(Signup)
        .where(col(Signup.created_at) >= lo, col(Signup.created_at) < hi)
    ).one()
    attended = session.exec(
        select(func.count())
        .select_from(Signup)
        .join(Shift, col(Shift.id) == Signup.shift_id)
        .where(
            Signup.state == SignupState.ATTENDED,
            col(Shift.starts_at) >= lo,
            col(Shift.starts_at) < hi,
            col(Shift.cancelled_at).is_(None),
        )
    ).one()
    return applied, attended


def test_coordinator_reviews_the_city_and_runs_a_fair_proposal(
    page, browser, live_app, live_server, live_session, assert_accessible
):
    load_demo_data(live_session, now=FIXED_NOW, scale=Scale(60, 30, 30), progress=False)
    from volunteer.models import SkillSuggestion

    live_session.add(SkillSuggestion(text="Imkerei", created_at=FIXED_NOW))
    make_user(
        live_session, now=FIXED_NOW, email="koordination@bochum.example", role=Role.COORDINATOR
    )
    live_session.commit()
    page.goto("/konto/anmelden")
    page.get_by_label("E-Mail-Adresse").fill("koordination@bochum.example")
    page.get_by_label("Passwort").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    # The gap map is the scheduled rule's stored result (the job the scheduler runs).
    run_rule(live_app, "gaps", rules()["gaps"], now=FIXED_NOW)
    page.get_by_role("link", name="Koordination der Stadt").first.click()
    expect(page.get_by_role("heading", name="Lücken: Bedarf ohne Angebot")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Lückenkarte öffnen").click()
    expect(page.get_by_role("heading", name="Lückenkarte", level=1)).to_be_visible()
    expect(page.get_by_text("Berechnet vor")).to_be_visible()
    assert_accessible(page)
    page.locator("table th[scope=row] a").first.click()
    expect(page.get_by_role("heading", name="Was die Lücke schließen würde")).to_be_visible()
    expect(page.get_by_role("heading", name="Nach Zeit in der Woche")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Koordination der Stadt").first.click()
    page.get_by_role("link", name="Organisationen prüfen").click()
    expect(page.get_by_role("heading", name="Organisationen prüfen", level=1)).to_be_visible()
    page.get_by_role("button", name="prüfen und freischalten").first.click()
    expect(page.get_by_text("ist geprüft")).to_be_visible()
    page.get_by_label("Nachricht an").first.fill("Bitte schickt uns eure Satzung.")
    page.get_by_role("button", name="Um weitere Angaben bitten").first.click()
    expect(page.get_by_text("wurde um weitere Angaben gebeten")).to_be_visible()
    expect(page.get_by_text("wartet auf weitere Angaben")).to_be_visible()
    assert_accessible(page)
    # The funnel of the default period (the last 90 days), against the rows counted here.
    applied, attended = _counted_funnel(live_session)
    assert applied > 0 and attended > 0  # the demo city has a recent past
    page.get_by_role("link", name="Koordination der Stadt").first.click()
    page.get_by_role("link", name="Vermittlung in Zahlen").click()
    expect(page.get_by_role("heading", name="Vermittlung in Zahlen", level=1)).to_be_visible()
    summary = page.locator("#summary-table")
    for label, value in (("Anmeldungen", applied), ("Teilgenommen", attended)):
        row = summary.locator("tr").filter(
            has=page.get_by_role("rowheader", name=label, exact=True)
        )
        expect(row.locator("td").first).to_have_text(_german(value))
    funnel = page.locator("#funnel-title + figure text.chart-value")
    expect(funnel).to_have_count(7)  # profile -> recommended -> opened -> ... -> hours
    expect(funnel.nth(3)).to_have_text(_german(applied))
    expect(funnel.nth(5)).to_have_text(_german(attended))
    assert_accessible(page)
    page.get_by_role("link", name="Koordination der Stadt").first.click()
    page.get_by_role("link", name="Vorgeschlagene Fähigkeiten").click()
    expect(page.get_by_role("heading", name="Vorgeschlagene Fähigkeiten", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Koordination der Stadt").first.click()
    page.get_by_role("link", name="Stadtweiter Zuordnungsvorschlag").click()
    page.get_by_label("Fair verteilen").check()
    page.get_by_role("button", name="Vorschlag starten").click()
    expect(page.get_by_text("wartet auf den Start")).to_be_visible()
    page.get_by_role("link", name="Nicht mehr automatisch aktualisieren").click()
    assert_accessible(page)  # checked while still, so the reload cannot interrupt axe
    page.get_by_role("link", name="Automatisch aktualisieren").click()
    # The worker process computes it; the status page refreshes itself until it is done.
    assert run_next_proposal(live_app, worker="e2e") is not None
    expect(page.get_by_role("heading", name="Ergebnis")).to_be_visible()
    expect(page.get_by_text("Bestes Paar zuerst (gierig)")).to_be_visible()
    assert_accessible(page)
    boxes = page.locator('input[name="pair"]')
    for i in range(3):
        boxes.nth(i).check()
    page.get_by_role("button", name="Einladungen an die Ausgewählten verschicken").click()
    expect(page.get_by_text("3 Einladungen verschickt.")).to_be_visible()

    invited = live_session.exec(
        select(ProposalPair, User)
        .join(User, col(User.id) == ProposalPair.volunteer_id)
        .where(col(ProposalPair.invited_at).is_not(None))
        .order_by(col(ProposalPair.id))
    ).all()
    assert len(invited) == 3
    for _pair, user in invited[:2]:
        user.password_hash = hash_password(TEST_PASSWORD)
        user.email_verified_at = FIXED_NOW
        user.locale = "de"  # the demo city gives some people English; these steps read German
        live_session.add(user)
    live_session.commit()
    for (pair, user), answer in zip(invited[:2], ("Ja, melde mich an", "Nein, danke"), strict=True):
        context = browser.new_context(base_url=live_server.url, locale="de-DE")
        volunteer = context.new_page()
        _log_in(volunteer, user.email)
        volunteer.goto(f"/ich/einladungen/{pair.id}")
        expect(volunteer.get_by_role("heading", level=1)).to_contain_text("Einladung")
        assert_accessible(volunteer)
        volunteer.get_by_role("button", name=answer).click()
        expect(volunteer.get_by_role("status").first).to_be_visible()
        context.close()
    live_session.expire_all()
    answers = [live_session.get(ProposalPair, pair.id).answer for pair, _user in invited[:2]]
    assert answers == ["accepted", "declined"]
    accepted = live_session.get(ProposalPair, invited[0][0].id)
    assert live_session.get(Signup, accepted.signup_id).shift_id == accepted.shift_id
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Proposal of")
    expect(page.get_by_text("Best pair first (greedy)")).to_be_visible()
    assert_accessible(page)
