"""The database: one engine per app, one session per request, committed at the boundary.

Services only flush; views, jobs and CLI commands commit once. Tests may hand in a ready bind
(``DATABASE_BIND``: an engine, or a connection inside a transaction that is rolled back).
"""

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from enum import Enum
from itertools import chain
from typing import Any

import numpy as np
from flask import Flask, current_app, g
from sqlalchemy import Engine, Select, event, exc, func, insert, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.pool import StaticPool
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ColumnElement
from sqlalchemy.sql.functions import GenericFunction
from sqlmodel import Session, SQLModel, create_engine, select

#: A pooled connection back in the pool for longer than this is pinged before it is used again.
PING_AFTER_IDLE_SECONDS = 5.0
_IDLE_SINCE = "mitwirken_idle_since"


def make_engine(
    url: str, *, ping_after_idle: float = PING_AFTER_IDLE_SECONDS, **kwargs: Any
) -> Engine:
    """Create an engine with the settings each backend needs."""
    if url.startswith("sqlite"):
        memory = url in ("sqlite://", "sqlite:///:memory:")
        if memory:
            kwargs.setdefault("poolclass", StaticPool)
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 30})
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    engine = create_engine(url, **kwargs)
    _ping_when_idle(engine, ping_after_idle)
    return engine


def _ping_when_idle(engine: Engine, seconds: float) -> None:
    """Ping a server connection before handing it out only when it sat in the pool for
    ``seconds`` or longer, instead of on every checkout (``pool_pre_ping``).

    Under load a connection is back in use milliseconds after it was returned, and a ping on
    each checkout was one more round trip per request: 0.7-0.9 ms of CPU (the workers' and the
    server's together) of 5-6.4 ms per "Für dich" visit at 32 connections, in two paired runs
    on the demo city under load; the client's ping alone is 0.2 ms of CPU. The connections a
    restart, a failover or an idle timeout (a firewall, PgBouncer) kills are the ones that
    waited: those are still checked, and one found dead drops every connection opened before it
    (``InvalidatePoolError``), so none of its siblings fails a request either. A connection
    dropped in the few seconds after its last use fails the one statement that finds it, and
    that failure, too, makes the pool reconnect (SQLAlchemy invalidates the pool on a
    disconnect): the next request is served. ``tests/volunteer/test_db_reconnect.py`` drops
    connections both ways."""

    event.listen(engine, "checkin", _returned)
    event.listen(
        engine,
        "checkout",
        lambda conn, record, _proxy: _ping_if_idle(engine, seconds, conn, record),
    )


def _returned(_dbapi_connection: Any, record: Any) -> None:
    record.info[_IDLE_SINCE] = time.monotonic()


def _ping_if_idle(engine: Engine, seconds: float, dbapi_connection: Any, record: Any) -> None:
    since = record.info.get(_IDLE_SINCE)
    if since is None or time.monotonic() - since < seconds:
        return  # just opened, or just used
    try:
        engine.dialect.do_ping(dbapi_connection)
    except engine.dialect.loaded_dbapi.Error as error:
        raise exc.InvalidatePoolError(f"idle connection is gone: {error}") from error


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Foreign keys on; WAL so readers never block the writer; wait instead of failing on locks."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    # Read through a memory map and keep a larger page cache: at city scale (10,000 needs,
    # 75,000 shifts) searches touch many pages, and mmap reads cost a fraction of read() calls.
    cursor.execute("PRAGMA mmap_size=268435456")
    cursor.execute("PRAGMA cache_size=-16384")
    cursor.close()


def init_app(app: Flask) -> None:
    bind = app.config.get("DATABASE_BIND") or make_engine(app.config["DATABASE_URL"])
    app.extensions["db_bind"] = bind
    app.teardown_appcontext(_close_session)


def get_bind(app: Flask | None = None) -> Engine | Connection:
    bind: Engine | Connection = (app or current_app).extensions["db_bind"]
    return bind


def new_session(app: Flask | None = None) -> Session:
    """A session outside a request (jobs, CLI). The caller commits and closes it."""
    return Session(
        bind=get_bind(app), expire_on_commit=False, join_transaction_mode="create_savepoint"
    )


def get_session() -> Session:
    """The request's session, created on first use."""
    if "db_session" not in g:
        g.db_session = new_session()
    session: Session = g.db_session
    return session


@contextmanager
def session_scope(app: Flask | None = None) -> Iterator[Session]:
    """A unit of work for jobs and commands: commit on success, roll back on error."""
    session = new_session(app)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.rollback()  # anything not committed by the view is discarded
        session.close()


def count_rows(
    session: Session,
    table: type[SQLModel],
    *conditions: ColumnElement[bool] | bool,  # ``Model.column == value`` types as bool
) -> int:
    """How many rows of ``table`` meet every condition: the one way a count is asked, so each
    caller states only what it counts."""
    return int(session.exec(select(func.count()).select_from(table).where(*conditions)).one() or 0)


# Rows per executemany call: large enough to be fast, small enough for SQLite's variable limit.
_CHUNK = 2000
_PLAIN = (int, str, float, bytes, date, datetime, Enum)


class greatest(GenericFunction[Any]):  # named as SQL names it: func.greatest
    """The largest of its arguments in one row (``func.greatest(a, 0)``): PostgreSQL's
    GREATEST, SQLite's many-argument ``max``. Lets a statement clamp a value it computes once
    instead of a CASE that states (and the database evaluates) the expression twice."""

    inherit_cache = True


@compiles(greatest, "sqlite")
def _greatest_on_sqlite(element: greatest, compiler: SQLCompiler, **kw: Any) -> str:
    return f"max({compiler.process(element.clauses, **kw)})"


def insert_rows(session: Session, model: type[SQLModel], rows: Sequence[dict[str, Any]]) -> None:
    """Insert many rows at once, through Core (no ORM work per row): the one bulk insert, for
    the demo city's writer and the city-wide proposal's pairs.

    On PostgreSQL with COPY when every value is a plain one (JSON columns go through Core's
    executemany): 35,000 proposal pairs took 1.7 s wall as an executemany there, most of it
    round trips. Rows are not added to the session; every row must have the same keys.
    """
    if not rows:
        return
    table = model.__table__  # type: ignore[attr-defined]
    connection = session.connection()
    names = list(rows[0])
    keys = rows[0].keys()
    if any(row.keys() != keys for row in rows):
        # Both paths take the columns from the first row: a key that only some rows carry
        # would be dropped silently (executemany) or fail half-way (COPY).
        raise ValueError(f"rows for {table.name} differ in their keys")
    if connection.dialect.name == "postgresql" and all(
        isinstance(v, _PLAIN) or v is None for v in rows[0].values()
    ):
        session.flush()  # COPY goes around the session: what it holds must be written first
        raw = connection.connection.driver_connection
        assert raw is not None  # a live connection
        quoted = ", ".join(f'"{n}"' for n in names)
        with (
            raw.cursor() as cursor,
            cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy,
        ):
            for row in rows:
                copy.write_row([_plain(row[n]) for n in names])
        return
    for start in range(0, len(rows), _CHUNK):
        connection.execute(insert(table), list(rows[start : start + _CHUNK]))


def analyze(session: Session, *models: type[SQLModel]) -> None:
    """Give PostgreSQL's planner statistics for tables just filled in bulk, in this transaction.

    Autovacuum only analyses committed rows, so until then the planner guesses: over the demo
    city's two years (a million sign-ups written in one transaction) its guess turned one
    grouped join of the aggregates' rebuild into a query that ran for over ten minutes. SQLite
    plans these joins well without statistics, and ``ANALYZE`` there scans whole tables.
    """
    if session.connection().dialect.name != "postgresql":
        return
    names = ", ".join(f'"{m.__table__.name}"' for m in models)  # type: ignore[attr-defined]
    session.execute(text(f"ANALYZE {names}"))


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def join_memory(session: Session, megabytes: int) -> None:
    """Let this transaction's statements hash up to ``megabytes`` in memory: PostgreSQL's
    ``work_mem`` (``SET LOCAL``, so the server's default is back at the next commit). For a
    background job's city-sized joins: with the default 4 MB the proposal's join of a million
    sign-ups to 558,000 shifts split its hash into batches written to disk and back. SQLite
    has no such limit."""
    if session.connection().dialect.name == "postgresql":
        session.execute(text(f"SET LOCAL work_mem = '{int(megabytes)}MB'"))


def plain_rows(session: Session, statement: Select[*tuple[Any, ...]]) -> Sequence[Sequence[Any]]:
    """The rows of ``statement`` as the driver returns them: plain tuples, not SQLAlchemy rows.

    For city-sized reads of plain columns (integers, floats, text): building a Row per row cost
    a third of the time of reading a city's volunteers (100,000 profiles, 900,000 skill and
    cause links). No column type's result processing runs, so a column whose Python value
    differs from what the driver returns (dates on SQLite, enums, JSON) must not be read here.
    """
    result = session.connection().execute(statement)
    try:
        rows = result.cursor.fetchall()
    finally:
        result.close()
    return rows


def int_rows(
    session: Session, statement: Select[*tuple[Any, ...]]
) -> np.ndarray[Any, np.dtype[np.int64]]:
    """:func:`plain_rows` of a select of integer columns (no NULLs) as one int64 array, rows by
    columns."""
    rows = plain_rows(session, statement)
    width = len(statement.selected_columns)
    flat = np.fromiter(chain.from_iterable(rows), dtype=np.int64, count=len(rows) * width)
    return flat.reshape(-1, width)
