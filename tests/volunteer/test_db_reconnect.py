"""A PostgreSQL connection the server dropped never takes the app down for more than one
statement: a pooled connection that waited is pinged and replaced before use, and one dropped
right after its last use fails the statement that finds it and makes the pool reconnect.

Each test kills its own engine's server processes (``pg_terminate_backend``) from the shared
test engine; nothing else's connections are touched.
"""

import time
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from tests.conftest import POSTGRES_URL
from volunteer.app import create_app
from volunteer.platform.db import make_engine


@pytest.fixture
def kill(postgres_engine: Engine) -> Iterator[object]:
    """Terminates server processes by pid and waits until they are gone."""

    def do(*pids: int) -> None:
        with postgres_engine.connect() as admin:
            for pid in pids:
                admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            for _ in range(100):
                admin.rollback()  # pg_stat_activity is read once per transaction
                alive = admin.execute(
                    text("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(:pids)"),
                    {"pids": list(pids)},
                ).scalar_one()
                if not alive:
                    return
                time.sleep(0.05)
        raise AssertionError(f"server processes {pids} still running")

    return do


def _engine(ping_after_idle: float) -> Engine:
    assert POSTGRES_URL  # the kill fixture skipped the test otherwise
    return make_engine(POSTGRES_URL, ping_after_idle=ping_after_idle)


def _pid(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())


def test_a_connection_dropped_while_it_waited_in_the_pool_is_replaced_before_use(kill) -> None:
    engine = _engine(ping_after_idle=0)
    try:
        first = _pid(engine)
        kill(first)
        assert _pid(engine) != first  # no error: the ping found it dead and a new one was made
    finally:
        engine.dispose()


def test_a_connection_dropped_right_after_use_fails_one_statement_then_the_pool_reconnects(
    kill,
) -> None:
    engine = _engine(ping_after_idle=3600)  # never idle long enough to be pinged
    try:
        with engine.connect() as one, engine.connect() as two:
            pids = [
                int(c.execute(text("SELECT pg_backend_pid()")).scalar_one()) for c in (one, two)
            ]
        kill(*pids)
        with pytest.raises(DBAPIError) as failed, engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        assert failed.value.connection_invalidated
        # The failure dropped the whole pool: the second dead connection fails nothing.
        assert {_pid(engine), _pid(engine)}.isdisjoint(pids)
    finally:
        engine.dispose()


def test_the_app_answers_after_the_database_dropped_its_connections(kill) -> None:
    engine = _engine(ping_after_idle=0)
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-that-is-long-enough-1234",
            "DATABASE_BIND": engine,
            "RATELIMIT_ENABLED": False,
        }
    )
    client = app.test_client()
    try:
        assert client.get("/healthz").status_code == 200
        kill(*(int(r) for r in _server_pids(engine)))
        assert client.get("/healthz").json == {"status": "ok", "database": "ok"}
    finally:
        engine.dispose()


def _server_pids(engine: Engine) -> list[int]:
    """The server processes of every connection the engine's pool holds now."""
    pool = engine.pool
    held = []
    for _ in range(pool.checkedin()):  # type: ignore[attr-defined]
        held.append(engine.raw_connection())
    pids = []
    for raw in held:
        cursor = raw.cursor()
        cursor.execute("SELECT pg_backend_pid()")
        pids.append(int(cursor.fetchone()[0]))
        cursor.close()
    for raw in held:
        raw.close()
    return pids
