"""The HTML e-mails in a real browser at 375 px: every notice kind, rendered from its real
producer's payload, fits a phone without scrolling sideways, passes axe, and wears the site's
brand colour (read from the site's own stylesheet, so the two cannot drift apart)."""

import re
from pathlib import Path

import pytest
from sqlmodel import select

from notifications.render import render
from tests.notifications.test_producers import produce_every_kind
from volunteer.models import Notice
from volunteer.services.notices.kinds import KINDS

pytestmark = pytest.mark.browser

APP_CSS = Path(__file__).resolve().parents[2] / "volunteer" / "static" / "css" / "app.css"


def _rgb(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def test_every_notice_mail_fits_a_phone_passes_axe_and_is_in_the_sites_blue(
    browser, app, session, make_user, now, assert_accessible
):
    brand = re.search(r"--brand:\s*(#[0-9a-fA-F]{6})", APP_CSS.read_text("utf-8"))
    assert brand, "app.css defines --brand"
    produce_every_kind(session, make_user, now, app)
    notices = session.exec(select(Notice).where(Notice.channel == "email")).all()
    assert {n.kind for n in notices} == set(KINDS)
    context = browser.new_context(viewport={"width": 375, "height": 800}, locale="de-DE")
    page = context.new_page()
    problems = []
    seen = set()
    with app.app_context():
        for notice in notices:
            if notice.kind in seen:
                continue
            seen.add(notice.kind)
            message = render(session, notice, app=app, now=now)
            page.set_content(message.html)
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > 375:
                problems.append(f"{notice.kind}: {width} px wide at 375 px")
            band = page.locator(".brand").evaluate("e => getComputedStyle(e).backgroundColor")
            if band != _rgb(brand.group(1)):
                problems.append(f"{notice.kind}: brand band {band}, the site's is {brand.group(1)}")
            if page.locator("a.button").count():
                button = page.locator("a.button").first.bounding_box()
                assert button is not None and button["width"] <= 375
            assert_accessible(page)
    context.close()
    assert not problems, "\n".join(problems)
