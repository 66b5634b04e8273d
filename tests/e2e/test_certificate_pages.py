"""The public certificate check in a real browser at 320 and 1280 px: accessible, nothing
scrolls sideways, the form leads to the answer, and a wrong code reads as a clear "no"."""

from datetime import date

import pytest

from volunteer.services.engagement.certificate import Certificate, verification_code

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [320, 1280])
def test_checking_a_code_in_the_browser(browser, live_server, assert_accessible, width):
    statement = Certificate(
        holder="Zoë Ünal-Schmidt", issued_on=date(2026, 12, 1), organisations=()
    )
    code = verification_code(statement, secret=live_server.app.config["SECRET_KEY"])
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 900}, locale="de-DE"
    )
    page = context.new_page()
    page.goto("/nachweis/pruefen")
    assert_accessible(page)
    page.get_by_label("Prüfcode").fill(f"{live_server.url}/nachweis/{code}")
    page.get_by_role("button", name="Nachweis prüfen").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Dieser Nachweis ist echt").is_visible()
    assert "Zoë Ünal-Schmidt" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert_accessible(page)
    response = page.goto(f"/nachweis/{code[:-2]}xy")
    assert response is not None and response.status == 404
    assert page.get_by_role(
        "heading", name="Wir können diesen Nachweis nicht bestätigen"
    ).is_visible()
    assert "Zoë" not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert_accessible(page)
    context.close()
