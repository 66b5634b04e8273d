"""Process-wide settings for a long-running web worker (the WSGI entry point applies them).

Kept out of ``create_app``: they change the whole interpreter, and tests create many apps.
Imports only the standard library.
"""

import gc

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
