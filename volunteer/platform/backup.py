"""Backups of the whole database, and restoring one into a fresh database.

- **SQLite**: the online backup API (``sqlite3.Connection.backup``) copies a consistent
  snapshot page by page while the app keeps running; the backup is itself a SQLite file.
- **PostgreSQL**: ``pg_dump --format=custom`` (a consistent snapshot in one transaction, without
  blocking writers) and ``pg_restore --single-transaction`` (all or nothing). Both come with
  Debian's ``postgresql-client``. The password travels in ``PGPASSWORD``, never on the command
  line (where ``ps`` would show it).

A restore goes into an *empty* database only: writing a backup over live data is how data gets
lost, so replacing one is a deliberate two-step job (drop or create the database, then restore).
After a restore the caller runs the migrations, so a backup from an older release is brought
up to the schema of this one.
"""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import Engine, inspect, make_url
from sqlalchemy.engine import URL

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"


class BackupError(RuntimeError):
    """A backup or restore that cannot be done; the message says why, for the operator."""


def backup(engine: Engine, target: Path) -> str:
    """Write a backup of the database behind ``engine`` to ``target``; returns its kind."""
    target = Path(target)
    if target.exists():
        raise BackupError(f"{target} exists; a backup never overwrites a file")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    url = engine.url
    try:
        if url.get_backend_name() == "sqlite":
            _sqlite_backup(_sqlite_path(url), partial)
            kind = "sqlite"
        elif url.get_backend_name() == "postgresql":
            _pg("pg_dump", url, "--format=custom", "--no-owner", "--no-privileges", "-f", partial)
            kind = "postgresql"
        else:
            raise BackupError(f"no backup for {url.get_backend_name()} databases")
        partial.rename(target)  # a crash mid-way never leaves something that looks complete
    finally:
        partial.unlink(missing_ok=True)
    return kind


def restore(engine: Engine, source: Path) -> str:
    """Restore the backup ``source`` into the empty database behind ``engine``."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"{source}: no such backup file")
    with source.open("rb") as f:
        head = f.read(16)
    backend = engine.url.get_backend_name()
    kind = "sqlite" if head == SQLITE_MAGIC else "postgresql" if head[:5] == PG_MAGIC else None
    if kind is None:
        raise BackupError(f"{source} is neither a SQLite backup nor a pg_dump archive")
    if kind != backend:
        raise BackupError(f"{source} is a {kind} backup; the database is {backend}")
    tables = inspect(engine).get_table_names()
    if tables:
        raise BackupError(
            f"the database is not empty ({len(tables)} tables); restore into a new database"
        )
    if kind == "sqlite":
        engine.dispose()  # no pooled connection may hold the file while it is written
        _sqlite_backup(source, _sqlite_path(engine.url))
    else:
        _pg(
            "pg_restore",
            engine.url,
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            source,
        )
    return kind


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database has nothing to back up or restore into")
    return Path(url.database)


def _sqlite_backup(source: Path, target: Path) -> None:
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        with dst:
            src.backup(dst)
    finally:
        dst.close()
        src.close()


def _pg(tool: str, url: URL, *args: str | Path) -> None:
    program = shutil.which(tool)
    if program is None:
        raise BackupError(f"{tool} not found: install the PostgreSQL client (postgresql-client)")
    plain = make_url(url.render_as_string(hide_password=False)).set(drivername="postgresql")
    env = os.environ | ({"PGPASSWORD": plain.password} if plain.password else {})
    dsn = plain.set(password=None).render_as_string(hide_password=False)
    result = subprocess.run(  # noqa: S603  (fixed program, arguments are not shell-parsed)
        [program, f"--dbname={dsn}", *map(str, args)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"{tool} failed: {result.stderr.strip()[-2000:]}")
