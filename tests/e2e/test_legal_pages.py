"""The legal pages read on a phone: long German words and addresses never make them scroll."""

import pytest


@pytest.mark.parametrize("path", ["/datenschutz", "/impressum", "/barrierefreiheit"])
def test_legal_page_at_320_pixels_has_no_horizontal_scroll(browser, live_server, path):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.goto(path)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    context.close()
