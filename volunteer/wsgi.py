"""WSGI entry point for gunicorn: ``gunicorn volunteer.wsgi:app``."""

from volunteer.app import create_app
from volunteer.platform.logs import configure_logging
from volunteer.runtime import tune_gc, warm_caches

configure_logging()
app = create_app()
tune_gc()
# Kept so that a caller (a test, a probe) can wait for the first visitors' caches to be built.
warming = warm_caches(app)
