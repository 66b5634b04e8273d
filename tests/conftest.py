"""Shared fixtures: a fresh app and database per test, on SQLite and (when configured) PostgreSQL.

- ``backend`` is parametrised: every test that uses the database runs on SQLite and, when
  ``VOLUNTEER_TEST_POSTGRES_URL`` is set, on PostgreSQL too. In CI (``CI=true``) a missing
  PostgreSQL URL is an error, not a skip.
- SQLite: a new in-memory database per test, copied (``sqlite3`` backup) from a schema built once
  per process. PostgreSQL: the schema is created once per run and each test runs inside a
  connection-level transaction that is rolled back afterwards.
- Every Flask app a test builds shares one compiled-template cache (``TEMPLATE_CACHE``): each
  test gets a fresh app, and compiling the same templates again for each one cost more than
  the rest of most tests. Likewise one compiled URL builder per route shape (``_BUILDERS``):
  Werkzeug compiling them again for every app was most of ``create_app``'s time.
- ``redis_url``: the Redis of ``VOLUNTEER_TEST_REDIS_URL`` (shared rate limits), required in CI
  like PostgreSQL, a skip locally.
- Test data comes from ``tests/factories.py``; the ``make_user`` fixture wraps its builder.
- No test may open a connection beyond 127.0.0.1.
"""

import os
import socket
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import jinja2
import pytest
from argon2 import PasswordHasher, Type
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine
from sqlalchemy.engine import Connection
from sqlmodel import Session, SQLModel
from werkzeug.routing import Rule

import volunteer.models  # noqa: F401
from tests import factories
from volunteer.app import create_app
from volunteer.models import User
from volunteer.platform.db import make_engine
from volunteer.platform.links import PublicLinks, public_links
from volunteer.platform.signing import fill_slots
from volunteer.services.accounts import account, passwords

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _worker_database(url: str, worker: str) -> str:
    """Each pytest-xdist worker gets its own PostgreSQL database (created on first use)."""
    from sqlalchemy import create_engine, make_url, text

    base = make_url(url)
    name = f"{base.database}_{worker}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
        ).first()
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


POSTGRES_URL = os.environ.get("VOLUNTEER_TEST_POSTGRES_URL")
if POSTGRES_URL and os.environ.get("PYTEST_XDIST_WORKER"):
    POSTGRES_URL = _worker_database(POSTGRES_URL, os.environ["PYTEST_XDIST_WORKER"])
    os.environ["VOLUNTEER_TEST_POSTGRES_URL"] = POSTGRES_URL
FIXED_NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


# --- one compiled-template cache for every app in the process ------------------------------------
class _TemplateCache(jinja2.BytecodeCache):
    """Jinja's compiled templates, kept in memory across the apps of one test process.

    A bucket is keyed by template name and file and checked against the source's checksum (so an
    edited template is compiled again); the key also carries the environment's syntax options,
    because the same source compiles differently with, say, ``trim_blocks`` off."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def get_bucket(
        self, environment: jinja2.Environment, name: str, filename: str | None, source: str
    ) -> jinja2.bccache.Bucket:
        options = (
            environment.trim_blocks,
            environment.lstrip_blocks,
            environment.keep_trailing_newline,
            environment.block_start_string,
            environment.variable_start_string,
            environment.comment_start_string,
            environment.line_statement_prefix,
            tuple(sorted(environment.extensions)),
        )
        key = self.get_cache_key(f"{name}|{options!r}", filename)
        bucket = jinja2.bccache.Bucket(environment, key, self.get_source_checksum(source))
        self.load_bytecode(bucket)
        return bucket

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


TEMPLATE_CACHE = _TemplateCache()
# Flask reads ``jinja_options`` when an app first builds its environment: every app a test makes
# (through ``create_app`` or otherwise) gets the shared cache; what templates render is unchanged.
Flask.jinja_options = {**Flask.jinja_options, "bytecode_cache": TEMPLATE_CACHE}


# --- one compiled URL builder per route shape for every app in the process ----------------------
# Werkzeug compiles two builder functions (Python AST -> code object) for every rule each app
# registers: ~60 of the ~78 ms ``create_app`` took, paid again by every test's fresh app. The
# builder is a pure function of the rule's parsed parts: it calls the converters through the
# rule it is bound to (``.self``), so one compiled function serves every app's equal rule.
_compile_builder = Rule._compile_builder
_BUILDERS: dict[tuple[object, ...], Callable[..., tuple[str, str]]] = {}


def _shared_builder(self: Rule, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
    defaults = self.defaults or {}
    if any(name in self._converters for name in defaults):
        # A default for a variable of the rule is folded in through its converter's ``to_url``
        # (which may depend on the converter's options): compile that rare case as before.
        return _compile_builder(self, append_unknown)
    key = (self.rule, tuple(self._trace), append_unknown, tuple(defaults))
    builder = _BUILDERS.get(key)
    if builder is None:
        builder = _BUILDERS[key] = _compile_builder(self, append_unknown)
    return builder


Rule._compile_builder = _shared_builder  # type: ignore[method-assign]


# --- password hashing at argon2's cheapest cost in the test process ------------------------------
# Argon2id at the production cost (RFC 9106's low-memory profile: 64 MiB, 3 passes, 4 lanes) takes
# ~0.25 s of CPU per hash and per check, by design: every login through the form, sign-up,
# password change and demo city of the suite paid it. The tests assert what hashing does (argon2id,
# a wrong password refused, the dummy check for an unknown address, a rehash when the cost
# changed), never what it costs, so this process hashes with the same algorithm at the cheapest
# parameters. The production cost stays tested where it is paid: the commands tests start as their
# own process (``volunteer demo-data`` in test_backup) hash at it, and test_backup checks it.
passwords._hasher = PasswordHasher(
    time_cost=1, memory_cost=8, parallelism=1, hash_len=32, salt_len=16, type=Type.ID
)
account._DUMMY_HASH = passwords.hash_password("not-a-real-password-just-timing")


# --- no network beyond the loopback -------------------------------------------------------------
_real_connect = socket.socket.connect


def _guarded_connect(self: socket.socket, address: Any) -> Any:
    host = address[0] if isinstance(address, tuple) else address
    if self.family in (socket.AF_INET, socket.AF_INET6) and not (
        str(host).startswith("127.") or host in ("::1", "localhost")
    ):
        raise RuntimeError(f"tests may not reach the network: {address!r}")
    return _real_connect(self, address)


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)


# --- databases -----------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def postgres_engine() -> Iterator[Engine]:
    if not POSTGRES_URL:
        if IN_CI:
            pytest.fail("CI must test PostgreSQL: VOLUNTEER_TEST_POSTGRES_URL is not set")
        pytest.skip("VOLUNTEER_TEST_POSTGRES_URL is not set (PostgreSQL tests run in CI)")
    engine = make_engine(POSTGRES_URL)
    SQLModel.metadata.drop_all(engine)
    SQLModel.metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The Redis the shared rate limits are tested on (``.ci/run`` starts one and sets
    ``VOLUNTEER_TEST_REDIS_URL``). In CI a missing Redis is an error, not a skip."""
    url = os.environ.get("VOLUNTEER_TEST_REDIS_URL")
    if not url:
        if IN_CI:
            pytest.fail("CI must test shared rate limits: VOLUNTEER_TEST_REDIS_URL is not set")
        pytest.skip("VOLUNTEER_TEST_REDIS_URL is not set (Redis tests run in CI)")
    return url


@pytest.fixture
def fresh_postgres_database(postgres_engine: Engine) -> Iterator[Callable[[], str]]:
    """Makes brand-new, empty PostgreSQL databases (what a first deployment or a restore
    target sees, unlike the shared test schema); drops them after the test."""
    from sqlalchemy import create_engine, make_url, text

    base = make_url(postgres_engine.url.render_as_string(hide_password=False))
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    made: list[str] = []

    def make() -> str:
        name = f"fresh_{uuid.uuid4().hex[:10]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        made.append(name)
        return base.set(database=name).render_as_string(hide_password=False)

    yield make
    with admin.connect() as conn:
        for name in made:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


_sqlite_schema: list[Engine] = []


def _sqlite_database() -> Engine:
    """A new in-memory SQLite database with the whole schema: a page copy (``sqlite3`` backup) of
    one that ``create_all`` built on first use, a fraction of issuing every CREATE again."""
    if not _sqlite_schema:
        _sqlite_schema.append(make_engine("sqlite://"))
        SQLModel.metadata.create_all(_sqlite_schema[0])
    engine = make_engine("sqlite://")
    # StaticPool: each in-memory engine has one connection, which all its sessions use.
    source, target = _sqlite_schema[0].raw_connection(), engine.raw_connection()
    source_db: sqlite3.Connection = source.dbapi_connection  # type: ignore[assignment]
    target_db: sqlite3.Connection = target.dbapi_connection  # type: ignore[assignment]
    source_db.backup(target_db)
    source.close()
    target.close()
    return engine


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def bind(backend: str, request: pytest.FixtureRequest) -> Iterator[Engine | Connection]:
    from volunteer.services.discovery import engine as matching_engine

    # The engine's index cache is keyed by the bind; a new test must never see an old index.
    matching_engine.invalidate()
    request.addfinalizer(matching_engine.invalidate)
    if backend == "sqlite":
        engine = _sqlite_database()
        yield engine
        engine.dispose()
        return
    engine = request.getfixturevalue("postgres_engine")
    connection = engine.connect()
    transaction = connection.begin()
    yield connection
    transaction.rollback()
    connection.close()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def module_bind(request: pytest.FixtureRequest) -> Iterator[Engine]:
    """A database per backend for a whole module, for read-only tests of a world that is costly
    to build (the full demo city): built once, not once per test. On PostgreSQL it is a database
    of its own (never a transaction on the shared one, whose other tests would wait on its locks
    while the module lasts), dropped when the module is done."""
    from sqlalchemy import create_engine, make_url, text

    from volunteer.services.discovery import engine as matching_engine

    matching_engine.invalidate()
    request.addfinalizer(matching_engine.invalidate)
    if request.param == "sqlite":
        engine = _sqlite_database()
        yield engine
        engine.dispose()
        return
    shared = request.getfixturevalue("postgres_engine")
    base = make_url(shared.url.render_as_string(hide_password=False))
    name = f"module_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(base.set(database=name).render_as_string(hide_password=False))
    SQLModel.metadata.create_all(engine)
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def app_config(bind: Engine | Connection) -> dict[str, Any]:
    """Override per test module by redefining this fixture or updating the dict."""
    return {
        "TESTING": True,
        "ENV": "testing",
        "SECRET_KEY": "test-secret-key-that-is-long-enough-1234",
        "DATABASE_BIND": bind,
        "DATABASE_URL": "sqlite://",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "BASE_URL": "http://localhost",
        "CLOCK": lambda: FIXED_NOW,
    }


@pytest.fixture
def app(app_config: dict[str, Any]) -> Flask:
    return create_app(app_config)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def session(bind: Engine | Connection) -> Iterator[Session]:
    """The test's own session on the same database as the app (never the request's)."""
    with Session(bind=bind, expire_on_commit=False, join_transaction_mode="create_savepoint") as s:
        yield s


@pytest.fixture
def links(app: Flask) -> PublicLinks:
    """The app's builder of public links, which producers take to put links in notices."""
    return public_links(app)


@pytest.fixture
def mailed_link(app: Flask) -> Callable[[Any], str]:
    """The link a notice's mail carries: the payload's URL with its token slot signed, exactly as
    the renderer does at delivery (the outbox itself holds no working link)."""

    def link(notice: Any) -> str:
        return fill_slots(str(notice.payload["url"]), str(app.config["SECRET_KEY"]))

    return link


@pytest.fixture
def now() -> datetime:
    return FIXED_NOW


# --- builders (tests/factories.py) ---------------------------------------------------------------
@pytest.fixture
def make_user(session: Session) -> Callable[..., User]:
    """``factories.make_user`` on the test's session at the test's clock."""

    def make(**overrides: Any) -> User:
        return factories.make_user(session, now=FIXED_NOW, **overrides)

    return make


@pytest.fixture
def login(client: FlaskClient) -> Callable[[User], FlaskClient]:
    """Log a user in through the session key (the login form has tests of its own)."""

    def do(user: User, c: FlaskClient | None = None) -> FlaskClient:
        c = c or client
        with c.session_transaction() as sess:
            sess["_user_id"] = user.alternative_id
            sess["_fresh"] = True
        return c

    return do
