"""Every role's main pages in a real browser at 320 and 1280 px: axe finds no serious or
critical violation and nothing scrolls sideways. The demo city gives the pages real content."""

from pathlib import Path

import pytest
from sqlmodel import select

from notifications.scheduler import rules, run_rule
from tests.conftest import FIXED_NOW
from tests.crawl import demo_pages as demo_pages_of
from volunteer.demo.city import (
    DEMO_COORDINATOR,
    DEMO_PASSWORD,
    DEMO_VOLUNTEER,
    Scale,
    load_demo_data,
)
from volunteer.models import Notice, NoticeStatus, User
from volunteer.services.coordination import gaps

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
# On a phone a table row is a card of "label: value" cells; a label taller than its value (three
# lines of "Bestätigte Stunden in diesem Jahr") must make the cell taller, not run into the next.
SPILLING_CELLS = """[...document.querySelectorAll('.table-stack td[data-label]')]
    .filter(td => td.scrollHeight > td.clientHeight + 1).length"""


@pytest.fixture
def demo_pages(live_app, live_session):
    load_demo_data(live_session, now=FIXED_NOW, scale=Scale(60, 30, 30), progress=False)
    live_session.commit()
    pages = demo_pages_of(live_session)
    # The coordinator's pages with content: the gap map as its scheduled rule stores it (and one
    # gap's drill-down), and a notice that failed for good.
    run_rule(live_app, "gaps", rules()["gaps"], now=FIXED_NOW)
    live_session.expire_all()
    gap = gaps.latest(live_session).rows[0]
    pages[DEMO_COORDINATOR].append(f"/koordination/luecken/{gap.district}/{gap.skill}")
    volunteer = live_session.exec(select(User).where(User.email_key == DEMO_VOLUNTEER)).one()
    live_session.add(
        Notice(
            kind="verify_email", channel="email", dedupe_key="e2e-failed", user_id=volunteer.id,
            to_email=volunteer.email, status=NoticeStatus.FAILED, due_at=FIXED_NOW, attempts=3,
            last_error="recipient refused: 550 5.1.1 user unknown",
        )
    )  # fmt: skip
    live_session.commit()
    return pages


@pytest.mark.parametrize("width", [320, 1280])
def test_every_role_reaches_its_pages_accessibly_without_sideways_scrolling(
    new_context, demo_pages, assert_accessible, width
):
    problems = []
    for role, paths in demo_pages.items():
        context = new_context(viewport={"width": width, "height": 900}, locale="de-DE")
        context.set_default_timeout(15_000)
        page = context.new_page()
        if role != "visitor":
            page.goto("/konto/anmelden")
            page.get_by_label("E-Mail-Adresse").fill(role)
            page.get_by_label("Passwort").fill(DEMO_PASSWORD)
            page.get_by_label("Passwort").press("Enter")
            page.wait_for_load_state()
        for path in paths:
            response = page.goto(path)
            assert response is not None and response.status < 400, f"{role} {path}: {response}"
            scroll = page.evaluate("document.documentElement.scrollWidth")
            if scroll > width:
                problems.append(f"{role} {path}: {scroll} px wide at {width} px")
            if spilling := page.evaluate(SPILLING_CELLS):
                problems.append(f"{role} {path}: {spilling} table cells spill into the next")
            assert_accessible(page)
        context.close()
    assert not problems, "\n".join(problems)


def test_the_phone_menu_opens_without_javascript(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 375, "height": 700},
        locale="de-DE",
        java_script_enabled=False,
    )
    page = context.new_page()
    page.goto("/")
    menu = page.get_by_role("navigation", name="Hauptnavigation")
    assert not menu.is_visible()
    page.locator(".menu > summary").click()
    assert menu.is_visible()
    header = page.locator(".site-header").bounding_box()
    assert header is not None
    context.close()
