"""Alembic, driven from the app so that the CLI, ``make run``, Docker and tests share one path."""

from collections.abc import Callable

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import Engine, text
from sqlalchemy.engine import Connection

from volunteer.platform.db import get_bind


def alembic_config(app: Flask) -> Config:
    config = Config()
    config.set_main_option("script_location", app.config["MIGRATIONS_DIR"])
    config.set_main_option("sqlalchemy.url", app.config["DATABASE_URL"])
    return config


# Any fixed 64-bit number, the same in every process: the key of the migration lock.
MIGRATION_LOCK = 0x6D697477_69726B6E  # "mitwirkn"


def _lock(connection: Connection) -> None:
    """Serialise migrations on PostgreSQL: several app containers start at once against one
    database, and two ``CREATE TABLE`` runs on an empty one collide (one of them fails). A
    transaction-level advisory lock makes the second wait until the first has committed; it
    then finds the schema current and does nothing. Released with the transaction, also when
    the process dies. SQLite serialises writers itself."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})


def _run(app: Flask, fn: Callable[..., object], *args: object, **kwargs: object) -> None:
    bind = get_bind(app)
    config = alembic_config(app)
    if isinstance(bind, Engine):
        with bind.begin() as connection:
            _lock(connection)
            config.attributes["connection"] = connection
            fn(config, *args, **kwargs)
    else:
        _lock(bind)
        config.attributes["connection"] = bind
        fn(config, *args, **kwargs)


def upgrade(app: Flask, revision: str = "head") -> None:
    _run(app, command.upgrade, revision)


def downgrade(app: Flask, revision: str) -> None:
    _run(app, command.downgrade, revision)


def revision(app: Flask, message: str, *, autogenerate: bool = True) -> None:
    _run(app, command.revision, message=message, autogenerate=autogenerate)


def head(app: Flask) -> str | None:
    return ScriptDirectory.from_config(alembic_config(app)).get_current_head()


def current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()
