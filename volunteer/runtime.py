"""Process-wide settings for a long-running web worker (the WSGI entry point applies them).

Kept out of ``create_app``: they change the whole interpreter (and start a thread), and tests
create many apps.
"""

import gc
import logging
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import datetime

    from flask import Flask
    from sqlmodel import Session

# CPython's default (700, 10, 10) runs a young collection every 700 new container objects. A
# city-scale search handles ~10,000 rows, so young collections run mid-request, promote live rows
# to the old generation and trigger a full collection every ~10 requests (100+ ms each under
# load). With 10,000 most request objects die young, and full collections become rare.
GC_THRESHOLDS = (10_000, 10, 10)


def tune_gc() -> tuple[int, int, int]:
    """Freeze what exists now (modules, the app, its templates: they live as long as the process)
    so full collections do not scan it, and raise the young-generation threshold. Returns the
    previous thresholds."""
    previous = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    return previous


def warm_caches(app: "Flask") -> threading.Thread:
    """Build what a worker's first visitors would otherwise wait for, in one background thread
    as the worker starts: the engine's index and the search's listing (a first search or "Für
    dich" would wait a second or more), then the coordinators' two-minute count of the city and
    the match statistics' columns (a first overview or statistics page: one to three seconds of
    CPU at city scale). A request arriving meanwhile waits for the same build, never a second
    one. Each step is its own job in the metrics, and one that fails (e.g. the database is not
    migrated yet) leaves its build to the first request without stopping the next step."""

    def engine_index(session: "Session", moment: "datetime") -> None:
        from volunteer.services.discovery import engine, listed

        engine.opportunity_pool(session, now=moment)
        listed.listing(session, now=moment)

    def coordination(session: "Session", moment: "datetime") -> None:
        from volunteer.services.coordination import match_columns, statistics

        statistics.current_overview(session, now=moment)
        match_columns.current(session)

    def build() -> None:
        from volunteer.platform import metrics
        from volunteer.platform.clock import now
        from volunteer.platform.db import session_scope

        for name, step in (
            ("warm_engine_index", engine_index),
            ("warm_coordination", coordination),
        ):
            try:
                with metrics.job(name), app.app_context(), session_scope() as session:
                    step(session, now())
            except Exception:
                logging.getLogger(__name__).warning("%s failed", name, exc_info=True)

    thread = threading.Thread(target=build, name="warm-caches", daemon=True)
    thread.start()
    return thread
