"""The guardian flow in a real browser: a 14-year-old fills in the profile, the parent opens the
link from the mail, reads who and what it is about, consents, and later withdraws."""

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from notifications.render import render
from tests.conftest import FIXED_NOW
from tests.factories import TEST_PASSWORD, make_user
from volunteer.catalogue.sync import sync_reference_data
from volunteer.models import AuditEntry, Consent, GuardianRequest, Notice, VolunteerProfile
from volunteer.platform.clock import now

pytestmark = pytest.mark.browser


def test_a_parent_consents_through_the_mailed_link_and_withdraws_later(
    browser, page, live_app, live_server, live_session, assert_accessible
):
    sync_reference_data(live_session)
    child = make_user(live_session, now=FIXED_NOW, email="mia@example.org", first_name="Mia")
    live_session.commit()

    # Mia logs in and says she is under 16, with her mother's address; she opts in to be found.
    page.goto("/konto/anmelden")
    page.get_by_label("E-Mail-Adresse").fill("mia@example.org")
    page.get_by_label("Passwort").fill(TEST_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Anmelden").click()
    page.goto("/ich/profil")
    page.get_by_label("Postleitzahl oder Adresse").fill("44787")
    page.get_by_label("Samstag Vormittag").check()
    page.get_by_label("unter 16").check()
    page.get_by_label("E-Mail eines Elternteils", exact=False).fill("mama@example.org")
    with page.expect_navigation():
        page.get_by_role("button", name="Speichern und zeigen, was zu mir passt").click()
    page.goto("/ich/profil/mehr")  # step two: being findable
    box = page.get_by_label("Vereine dürfen mich finden", exact=False)
    assert not box.is_checked()  # opt-in: unticked until she ticks it
    box.check()
    with page.expect_navigation():
        page.get_by_role("button", name="Speichern und zeigen, was zu mir passt").click()

    # The mail to the mother, as the dispatcher renders it: formal, naming Mia, with the link.
    live_session.expire_all()
    notice = live_session.exec(select(Notice).where(Notice.kind == "guardian_consent")).one()
    assert notice.to_email == "mama@example.org"
    with live_app.app_context():
        mail = render(live_session, notice, app=live_app, now=now())
    assert "Mia" in mail.subject and mail.text.startswith("Sehr geehrte Erziehungsberechtigte,")
    link = mail.link.removeprefix(live_server.url)
    assert link.startswith("/ich/einwilligung/")

    # The mother, in her own browser (no account), opens the link.
    mother = browser.new_context(base_url=live_server.url, locale="de-DE")
    parent = mother.new_page()
    parent.goto(link)
    expect(parent.get_by_role("heading", name="Einwilligung für Mia")).to_be_visible()
    expect(parent.get_by_text("Art. 8 DSGVO", exact=False)).to_be_visible()
    expect(parent.get_by_text("Wir verarbeiten den Vornamen", exact=False)).to_be_visible()
    expect(parent.get_by_role("button", name="Ich willige nicht ein")).to_be_visible()
    assert_accessible(parent)
    with parent.expect_navigation():
        parent.get_by_role("button", name="Ich willige ein").click()
    expect(parent.get_by_text("Vielen Dank. Ihre Einwilligung ist gespeichert.")).to_be_visible()
    expect(parent.get_by_role("button", name="Meine Einwilligung widerrufen")).to_be_visible()
    assert_accessible(parent)
    live_session.expire_all()
    assert live_session.get(VolunteerProfile, child.id).guardian_consent_at is not None

    # Weeks later, the same link: she withdraws.
    parent.goto(link)
    with parent.expect_navigation():
        parent.get_by_role("button", name="Meine Einwilligung widerrufen").click()
    expect(parent.get_by_text("Ihre Einwilligung ist widerrufen.")).to_be_visible()
    expect(parent.get_by_text("nicht mehr sichtbar", exact=False)).to_be_visible()
    mother.close()

    # Mia's "Meine Daten" tells the story, in words, never "Abgesagt".
    page.goto("/ich/meine-daten")
    table = page.locator("#consents-title + p + .table-scroll table")
    expect(table.get_by_text("Einwilligung eines Elternteils", exact=False)).to_be_visible()
    expect(
        table.get_by_text("von deinen Eltern bzw. Erziehungsberechtigten widerrufen")
    ).to_be_visible()
    assert "Abgesagt" not in table.inner_text()
    assert_accessible(page)

    live_session.expire_all()
    assert live_session.get(VolunteerProfile, child.id).guardian_consent_at is None
    record = live_session.exec(select(Consent).where(Consent.kind == "guardian")).one()
    assert record.withdrawn_how == "guardian_link" and len(record.text_sha256) == 64
    assert live_session.exec(select(GuardianRequest)).one().state == "withdrawn"
    steps = live_session.exec(
        select(AuditEntry.action).where(AuditEntry.object_id == child.id)
    ).all()
    assert {"guardian.requested", "guardian.consented", "guardian.withdrawn"} <= set(steps)
