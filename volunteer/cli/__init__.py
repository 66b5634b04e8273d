"""The ``volunteer`` command: the Flask CLI plus the project's own commands.

``volunteer db upgrade``, ``volunteer create-user --role coordinator``, ``volunteer demo-data``,
``volunteer serve`` (what ``make run`` calls), ``volunteer match ...`` (the engine on JSON files).
Other packages add commands through the ``flask.commands`` entry point (e.g. ``scheduler``).

Every command starts a process that imports this module, so what only some commands need is
imported inside them: Alembic (``platform.migrate``), the demo city, the engine
(:mod:`volunteer.cli.match`). ``volunteer backup`` then loads the app and nothing else.
"""

import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy import Engine

from volunteer.app import create_app
from volunteer.cli.match import match
from volunteer.models import Role
from volunteer.platform import backup
from volunteer.platform.clock import now
from volunteer.platform.db import get_bind, session_scope
from volunteer.services.accounts import account as accounts
from volunteer.services.errors import ServiceError


@click.group(
    cls=FlaskGroup,
    create_app=create_app,
    add_version_option=False,
    load_dotenv=False,
    set_debug_flag=False,
)
def main() -> None:
    """Mitwirken: volunteering in your city."""


main.add_command(match)


@main.group()
def db() -> None:
    """Database migrations."""


@db.command("upgrade")
@click.option("--revision", default="head")
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    from volunteer.platform import migrate

    migrate.upgrade(current_app, revision)
    click.echo(f"Database at {migrate.head(current_app)}")


@contextmanager
def _refusal_as_error() -> Iterator[None]:
    """A backup or restore that refuses (wrong kind of file, database not empty) ends the command
    with its one-line reason, not a traceback."""
    try:
        yield
    except backup.BackupError as e:
        raise click.ClickException(str(e)) from e


@main.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(target: Path) -> None:
    """Write a consistent backup of the database to TARGET (the app may keep running)."""
    with _refusal_as_error():
        kind = backup.backup(_engine(), target)
    click.echo(f"{kind} backup written to {target} ({target.stat().st_size:,} bytes)")


@main.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def restore_command(source: Path) -> None:
    """Restore SOURCE into the configured (empty) database, then migrate it to this release."""
    from volunteer.platform import migrate

    with _refusal_as_error():
        kind = backup.restore(_engine(), source)
    migrate.upgrade(current_app)
    click.echo(f"{kind} backup {source} restored; database at {migrate.head(current_app)}")


def _engine() -> Engine:
    bind = get_bind(current_app)
    return bind if isinstance(bind, Engine) else bind.engine


@db.command("revision")
@click.option("-m", "--message", required=True)
@with_appcontext
def db_revision(message: str) -> None:
    """Autogenerate a migration from the models (developers)."""
    from volunteer.platform import migrate

    migrate.revision(current_app, message)


@main.command("create-user")
@click.option("--email", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.VOLUNTEER.value)
@click.option("--first-name", default="")
@with_appcontext
def create_user_command(email: str, password: str, role: str, first_name: str) -> None:
    """Create an account, e.g. a city coordinator (``--role coordinator``)."""
    try:
        with session_scope() as session:
            user = accounts.create_user(
                session,
                email=email,
                password=password,
                role=role,
                first_name=first_name,
                now=now(),
                min_length=current_app.config["PASSWORD_MIN_LENGTH"],
            )
            click.echo(f"Created {role} {user.email} (id {user.id})")
    except ServiceError as error:
        raise click.ClickException(f"{error.code} ({error.field})") from error


@main.command("demo-data")
@click.option(
    "--scale",
    type=click.Choice(["demo", "bochum"]),
    default="demo",
    help="demo: a realistic small city; bochum: 150,000 volunteers, 10,000 needs.",
)
@click.option("--if-empty", is_flag=True, help="Only when the database has no users yet.")
@with_appcontext
def demo_data_command(scale: str, if_empty: bool) -> None:
    """Fill the database with realistic Bochum demo data (idempotent)."""
    from volunteer.demo import city as demo

    with session_scope() as session:
        if if_empty and demo.has_users(session):
            click.echo("Database not empty: demo data not loaded.")
            return
        summary = demo.load_demo_data(session, now=now(), scale=scale)
    for line in summary:
        click.echo(line)


def gunicorn_command(gunicorn: str, host: str, port: int, workers: int) -> list[str]:
    """How ``volunteer serve`` starts gunicorn. Its request-line and header limits sit above the
    app's own (``volunteer.web.inputs``), so the app answers 414/431 as problem details; only
    lines beyond 8190 bytes, gunicorn's maximum, still get gunicorn's plain 400/414 page."""
    return [
        gunicorn,
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--threads",
        "4",
        "--worker-class",
        "gthread",
        "--limit-request-line",
        "8190",
        "--limit-request-field_size",
        "16380",
        # No gunicorn access log: it records full URLs (tokens, query strings). The app
        # logs each request as JSON with the route pattern instead.
        "volunteer.wsgi:app",
    ]


@main.command("serve")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=8000, type=int)
@click.option("--workers", default=2, type=int)
@click.option("--no-scheduler", is_flag=True, help="Run only the web server.")
@with_appcontext
def serve(host: str, port: int, workers: int, no_scheduler: bool) -> None:
    """Migrate, load demo data when empty, then serve with gunicorn and run the scheduler.

    The scheduler runs as its own process (``volunteer scheduler``); both stop on Ctrl-C.
    """
    from volunteer.demo import city as demo
    from volunteer.platform import migrate

    migrate.upgrade(current_app)

    with session_scope() as session:
        if not demo.has_users(session):
            click.echo("Empty database: loading demo data …")
            for line in demo.load_demo_data(session, now=now(), scale="demo"):
                if line != demo.LOGINS_TEXT:
                    click.echo(line)
    click.echo(demo.LOGINS_TEXT)
    # Prometheus multiprocess mode: the gunicorn workers and the scheduler write their counters
    # here and /metrics adds them up. A fresh directory per start: old files would count twice.
    metrics_dir = Path(current_app.instance_path) / "metrics"
    shutil.rmtree(metrics_dir, ignore_errors=True)
    metrics_dir.mkdir(parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    exe = os.path.dirname(sys.executable)
    procs: list[subprocess.Popen[Any]] = []
    gunicorn = shutil.which("gunicorn", path=exe) or "gunicorn"
    # Every worker counts rate limits in the configured storage; memory:// only holds with one.
    env = {**os.environ, "VOLUNTEER_WORKERS": str(workers)}
    procs.append(subprocess.Popen(gunicorn_command(gunicorn, host, port, workers), env=env))
    if not no_scheduler and "scheduler" in main.list_commands(click.get_current_context()):
        procs.append(subprocess.Popen([os.path.join(exe, "volunteer"), "scheduler"]))
    click.echo(f"Serving on http://{host}:{port}  (Ctrl-C stops everything)")
    # Stop on Ctrl-C and on SIGTERM (a service manager's stop) with our own handlers: a shell that
    # starts us in the background hands SIGINT down as ignored, and Python then raises no
    # KeyboardInterrupt, so relying on it left `serve` and its children running.
    stopping = threading.Event()
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda *_: stopping.set())
    try:
        while not stopping.is_set() and all(p.poll() is None for p in procs):
            stopping.wait(0.5)
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
