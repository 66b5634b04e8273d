"""Process-wide settings for a long-running web worker (the WSGI entry point applies them).

Kept out of ``create_app``: they change the whole interpreter (and start a thread), and tests
create many apps.
"""

import gc
import logging
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

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


def warm_engine_index(app: "Flask") -> threading.Thread:
    """Build the engine's index and the search's listing in the background as the worker
    starts, so that no visitor's first search or "Für dich" waits a second or more for a
    city-sized build."""

    def build() -> None:
        from volunteer.platform import metrics
        from volunteer.platform.clock import now
        from volunteer.platform.db import session_scope
        from volunteer.services.discovery import engine, listed

        try:
            with metrics.job("warm_engine_index"), app.app_context(), session_scope() as session:
                engine.opportunity_pool(session, now=now())
                listed.listing(session, now=now())
        except Exception:  # e.g. the database is not migrated yet: the first request builds it
            logging.getLogger(__name__).warning("warming the engine index failed", exc_info=True)

    thread = threading.Thread(target=build, name="warm-engine-index", daemon=True)
    thread.start()
    return thread
