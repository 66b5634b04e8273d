"""The browser harness: a live server on 127.0.0.1 and Debian's Chromium driven by Playwright.

Playwright never downloads a browser here: it launches ``/usr/bin/chromium`` (or
``VOLUNTEER_TEST_CHROMIUM``). Locally, without Chromium, browser tests skip with a reason; in CI
they fail instead. Every page can be checked with axe-core (``assert_accessible``).

axe-core is 570 KB of JavaScript: the contexts the ``page`` and ``new_context`` fixtures make
install it on every document they open (``add_init_script``), so ``assert_accessible`` does not
send it through Playwright again for each page it checks (it still injects it into pages of
contexts made otherwise). It runs only the rules whose impact can be serious or critical: a
rule that can only report a minor or moderate violation could never fail the check, so running
it cost time (the ``region`` rule walks the whole page) and decided nothing.
"""

import os
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from sqlalchemy import make_url
from sqlmodel import Session
from werkzeug.serving import make_server

from tests.conftest import IN_CI
from volunteer.app import create_app
from volunteer.platform import migrate
from volunteer.platform.db import make_engine

CHROMIUM = os.environ.get("VOLUNTEER_TEST_CHROMIUM") or shutil.which("chromium") or ""
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
SERIOUS = {"serious", "critical"}
AXE_SOURCE = Axe().axe_script
# axe with the rules that can only report a minor or moderate violation switched off (a rule's
# impact is part of its metadata; a rule without one keeps running).
AXE_RUN = """async (serious) => {
    const off = axe._audit.rules.filter(r => r.impact && !serious.includes(r.impact));
    return await axe.run(document, {
        resultTypes: ["violations"],
        rules: Object.fromEntries(off.map(r => [r.id, {enabled: false}])),
    });
}"""


class LiveServer:
    def __init__(self, app: Flask) -> None:
        self.app = app
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        # ``shutdown`` waits for the serving loop to look again: every 0.1 s, not werkzeug's
        # 0.5 s, which every browser test paid at its end.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)


@pytest.fixture
def live_config(tmp_path: Path) -> dict[str, Any]:
    """Production-like: CSRF on, secure cookies, a real SQLite file migrated by Alembic (a copy
    of ``migrated_sqlite``)."""
    return {
        "DATABASE_URL": f"sqlite:///{tmp_path}/live.sqlite3",
        "SECRET_KEY": "live-test-secret-key-0123456789abcdef",
        "RATELIMIT_ENABLED": False,
        "COOKIE_SECURE": True,
    }


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file that Alembic migrated to head, once per test process: each live database
    starts as a copy of it (running every migration again cost each browser test ~0.2 s of CPU;
    the copy is the same file)."""
    path = tmp_path_factory.mktemp("migrated") / "head.sqlite3"
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    secret = "migrate-test-secret-key-0123456789abcdef"
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": secret, "DATABASE_BIND": engine})
    migrate.upgrade(app)
    engine.dispose()
    return path


@pytest.fixture
def live_app(live_config: dict[str, Any], migrated_sqlite: Path) -> Flask:
    url = make_url(live_config["DATABASE_URL"])
    assert url.get_backend_name() == "sqlite" and url.database
    shutil.copyfile(migrated_sqlite, url.database)
    engine = make_engine(live_config["DATABASE_URL"])
    app = create_app({**live_config, "DATABASE_BIND": engine})
    app.config["BASE_URL"] = "http://127.0.0.1"
    return app


@pytest.fixture
def live_session(live_app: Flask) -> Iterator[Session]:
    """A session on the live server's database, for arranging data and checking results."""
    from volunteer.platform.db import new_session

    with new_session(live_app) as s:
        yield s


@pytest.fixture
def live_server(live_app: Flask) -> Iterator[LiveServer]:
    server = LiveServer(live_app)
    server.start()
    live_app.config["BASE_URL"] = server.url
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM or not Path(CHROMIUM).exists():
        if IN_CI:
            pytest.fail("CI must run browser tests: Chromium not found (apt-get install chromium)")
        pytest.skip("Chromium is not installed (apt-get install chromium); browser tests run in CI")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def new_context(browser: Any, live_server: LiveServer) -> Iterator[Callable[..., Any]]:
    """Makes browser contexts on the live server (keyword options as ``browser.new_context``)
    with axe-core on every document they open; closes them after the test."""
    made: list[Any] = []

    def make(**options: Any) -> Any:
        context = browser.new_context(base_url=live_server.url, **options)
        context.add_init_script(script=AXE_SOURCE)
        made.append(context)
        return context

    yield make
    for context in made:
        context.close()


@pytest.fixture
def page(new_context: Callable[..., Any]) -> Any:
    context = new_context(locale="de-DE", timezone_id="Europe/Berlin", accept_downloads=True)
    context.set_default_timeout(10_000)
    return context.new_page()


@pytest.fixture
def assert_accessible() -> Callable[[Any], None]:
    """Run axe-core on the page; fail on any serious or critical violation, with details."""

    def check(page: Any) -> None:
        if not page.evaluate("typeof window.axe === 'object'"):
            page.evaluate(AXE_SOURCE)  # a page of a context made without ``new_context``
        results = page.evaluate(AXE_RUN, sorted(SERIOUS))
        bad = [v for v in results["violations"] if v.get("impact") in SERIOUS]
        details = "\n".join(
            f"{v['id']} ({v['impact']}): {v['help']} -> "
            + "; ".join(n["target"][0] if n.get("target") else "?" for n in v["nodes"][:5])
            for v in bad
        )
        assert not bad, f"axe found serious/critical violations on {page.url}:\n{details}"

    return check
