"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlmodel import SQLModel

from volunteer.app import create_app
from volunteer.platform import migrate
from volunteer.platform.db import make_engine


def test_there_is_one_head(tmp_path):
    app = create_app(
        {"DATABASE_URL": f"sqlite:///{tmp_path}/x.db", "TESTING": True, "SECRET_KEY": "x" * 40}
    )
    heads = ScriptDirectory.from_config(migrate.alembic_config(app)).get_heads()
    assert len(heads) == 1, f"diverging migration heads: {heads}"


def _assert_no_drift(url: str, **engine_options: object) -> None:
    engine = make_engine(url, **engine_options)
    app = create_app(
        {"DATABASE_URL": url, "DATABASE_BIND": engine, "TESTING": True, "SECRET_KEY": "x" * 40}
    )
    migrate.upgrade(app)
    with engine.connect() as connection:
        diff = compare_metadata(
            MigrationContext.configure(connection, opts={"compare_type": True}),
            SQLModel.metadata,
        )
    engine.dispose()
    assert diff == [], f"models and migrations differ: {diff}"


def test_models_and_migrations_do_not_drift_on_sqlite(tmp_path):
    _assert_no_drift(f"sqlite:///{tmp_path}/drift.db")


@pytest.mark.postgres
def test_models_and_migrations_do_not_drift_on_postgresql(postgres_engine):
    url = os.environ["VOLUNTEER_TEST_POSTGRES_URL"]
    schema_engine = make_engine(url)
    with schema_engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS drift CASCADE"))
        conn.execute(text("CREATE SCHEMA drift"))
    schema_engine.dispose()
    try:
        _assert_no_drift(url, connect_args={"options": "-csearch_path=drift"})
    finally:
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS drift CASCADE"))
        engine.dispose()


@pytest.mark.postgres
@pytest.mark.slow
def test_two_nodes_migrating_an_empty_postgresql_database_at_once_both_succeed(
    fresh_postgres_database,
):
    """Two containers start together and both run ``volunteer db upgrade`` (the image's
    command): both exit 0 and the database ends at the head, once."""
    empty_postgres_database = fresh_postgres_database()
    env = os.environ | {
        "VOLUNTEER_DATABASE_URL": empty_postgres_database,
        "VOLUNTEER_SECRET_KEY": "migration-race-secret-0123456789abcdef",
    }
    volunteer = str(Path(sys.executable).with_name("volunteer"))
    for _round in range(2):  # the second round: both find the schema current
        procs = [
            subprocess.Popen(
                [volunteer, "db", "upgrade"],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
            for _ in range(2)
        ]
        outputs = [p.communicate(timeout=120)[0].decode() for p in procs]
        assert [p.returncode for p in procs] == [0, 0], "\n---\n".join(outputs)
    engine = make_engine(empty_postgres_database)
    with engine.connect() as conn:
        versions = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    engine.dispose()
    app = create_app({"DATABASE_URL": empty_postgres_database, "SECRET_KEY": "x" * 40})
    assert versions == [migrate.head(app)]
