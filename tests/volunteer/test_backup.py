"""``volunteer backup`` and ``volunteer restore``: a restored database serves the same pages."""

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from argon2.profiles import RFC_9106_LOW_MEMORY
from flask.testing import FlaskClient
from sqlmodel import Session, select

from volunteer.app import create_app
from volunteer.demo.city import DEMO_PASSWORD, DEMO_VOLUNTEER
from volunteer.models import User
from volunteer.platform.db import get_bind

PAGES = [
    "/",
    "/engagements/",
    "/engagements/stadtteile",
    "/vereine/",
    "/api/v1/opportunities",
    "/api/v1/districts",
]
# What differs between two renderings of one page by design: CSRF tokens and CSP nonces.
_PER_REQUEST = re.compile(rb'(name="csrf_token" [^>]*value|nonce)="[^"]*"')


def _cli(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """The command as an operator runs it: its own process, configured by the environment."""
    env = os.environ | {
        "VOLUNTEER_DATABASE_URL": url,
        "VOLUNTEER_SECRET_KEY": "backup-test-secret-0123456789abcdef",
    }
    volunteer = Path(sys.executable).with_name("volunteer")
    return subprocess.run(
        [volunteer, *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


def _pages_of(url: str) -> dict[str, bytes]:
    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "backup-test-secret-0123456789abcdef",
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
        }
    )
    try:
        return _pages(app.test_client())
    finally:
        get_bind(app).dispose()  # type: ignore[union-attr]


def _pages(client: FlaskClient) -> dict[str, bytes]:
    seen = {}
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 200, path
        seen[path] = _PER_REQUEST.sub(b"", response.data)
    opportunity = client.get("/api/v1/opportunities").get_json()["items"][0]["id"]
    for path in (f"/engagements/{opportunity}", f"/api/v1/opportunities/{opportunity}"):
        response = client.get(path)
        assert response.status_code == 200, path
        seen[path] = _PER_REQUEST.sub(b"", response.data)
    login = client.post(
        "/konto/anmelden", data={"email": DEMO_VOLUNTEER, "password": DEMO_PASSWORD}
    )
    assert login.status_code == 302  # the password hashes came along
    seen["/konto/"] = _PER_REQUEST.sub(b"", client.get("/konto/").data)
    return seen


@pytest.fixture(params=["sqlite", "postgresql"])
def databases(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[], str]:
    """Makes new, empty databases of the parametrised kind."""
    if request.param == "postgresql":
        fresh: Callable[[], str] = request.getfixturevalue("fresh_postgres_database")
        return fresh
    counter = iter(range(100))
    return lambda: f"sqlite:///{tmp_path}/db{next(counter)}.sqlite3"


@pytest.mark.slow
def test_a_backup_restored_into_a_fresh_database_serves_the_same_pages(
    databases: Callable[[], str], tmp_path: Path
) -> None:
    live = databases()
    assert _cli(live, "db", "upgrade").returncode == 0
    assert _cli(live, "demo-data").returncode == 0
    target = tmp_path / "backups" / "mitwirken.backup"
    made = _cli(live, "backup", str(target))
    assert made.returncode == 0, made.stderr
    assert target.stat().st_size > 0 and not list(target.parent.glob("*.partial"))

    fresh = databases()
    restored = _cli(fresh, "restore", str(target))
    assert restored.returncode == 0, restored.stderr
    # The commands hash at the production cost (the test process itself hashes cheaply, see
    # tests/conftest.py): the restored hash is the one ``demo-data`` made, and it lets the demo
    # volunteer in below.
    cost = RFC_9106_LOW_MEMORY
    assert _password_hash_of(fresh, DEMO_VOLUNTEER).startswith(
        f"$argon2id$v=19$m={cost.memory_cost},t={cost.time_cost},p={cost.parallelism}$"
    )
    assert _pages_of(fresh) == _pages_of(live)


def _password_hash_of(url: str, email: str) -> str:
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "backup-test-secret-0123456789abcdef"})
    engine = get_bind(app)
    try:
        with Session(engine) as session:
            return session.exec(select(User.password_hash).where(User.email_key == email)).one()
    finally:
        engine.dispose()  # type: ignore[union-attr]


def test_a_restore_never_writes_over_data_and_a_backup_never_over_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The refusals, in-process (the checks come before any database-specific step)."""
    from click.testing import CliRunner

    from volunteer.cli import main

    def cli(url: str, *args: str) -> tuple[int, str]:
        monkeypatch.setenv("VOLUNTEER_DATABASE_URL", url)
        monkeypatch.setenv("VOLUNTEER_SECRET_KEY", "backup-test-secret-0123456789abcdef")
        result = CliRunner().invoke(main, list(args))
        return result.exit_code, result.output

    live = f"sqlite:///{tmp_path}/live.sqlite3"
    assert cli(live, "db", "upgrade")[0] == 0
    target = tmp_path / "b.backup"
    assert cli(live, "backup", str(target))[0] == 0
    code, output = cli(live, "backup", str(target))
    assert code == 1 and "never overwrites" in output
    code, output = cli(live, "restore", str(target))
    assert code == 1 and "not empty" in output
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"not a backup at all")
    code, output = cli(f"sqlite:///{tmp_path}/new.sqlite3", "restore", str(junk))
    assert code == 1 and "neither a SQLite backup nor a pg_dump archive" in output
