"""Commands: ``volunteer scheduler`` (the long-running clock) and ``volunteer notices ...``.

Registered through the ``flask.commands`` entry point (pyproject.toml), because the web app
must not import this package. The entry point loads this module for *every* ``volunteer``
command (``volunteer backup`` too), so the scheduler and the dispatcher (the rules, the engine
and its numba kernels behind them: over a second of CPU) are imported inside their commands.
"""

import logging
import signal
from types import FrameType

import click
from flask import current_app
from flask.cli import with_appcontext

from volunteer.platform.db import get_bind
from volunteer.platform.logs import configure_logging


@click.command("scheduler")
@click.option(
    "--dispatch-every", default=5.0, show_default=True, help="Seconds between dispatches."
)
@with_appcontext
def scheduler(dispatch_every: float) -> None:
    """Run the notice scheduler (any number of processes; one leads the rules at a time)."""
    from notifications.scheduler import NoticeClock

    configure_logging()
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    clock = NoticeClock(app, blocking=True, dispatch_every=dispatch_every)

    def stop(_signum: int, _frame: FrameType | None) -> None:
        clock.shutdown()

    signal.signal(signal.SIGTERM, stop)
    click.echo(f"Notice scheduler {clock.holder} started (Ctrl-C stops it).")
    try:
        clock.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        clock.shutdown()


@click.group("notices")
def notices() -> None:
    """Notices: run the rules or deliver due notices once."""


@notices.command("dispatch")
@with_appcontext
def dispatch() -> None:
    """Deliver every due notice now, then stop."""
    from notifications.dispatcher import Dispatcher, build_channels
    from notifications.scheduler import _now

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    d = Dispatcher(app, get_bind(app), build_channels(app), clock=lambda: _now(app))
    stats = d.run_until_idle()
    click.echo(
        f"sent {stats.sent}, skipped {stats.skipped}, deferred {stats.deferred}, "
        f"retry later {stats.retried}, failed {stats.failed}"
    )


@notices.command("run-rules")
@click.option("--only", multiple=True, help="Run only these rules (by name).")
@with_appcontext
def run_rules(only: tuple[str, ...]) -> None:
    """Run the notice rules once (idempotent: running twice queues nothing new)."""
    from notifications.scheduler import rules, run_rule

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    table = rules()
    unknown = set(only) - set(table)
    if unknown:
        raise click.BadParameter(
            f"unknown rules: {', '.join(sorted(unknown))}", param_hint="--only"
        )
    for name, rule in table.items():
        if not only or name in only:
            click.echo(f"{name}: {run_rule(app, name, rule)} new")
