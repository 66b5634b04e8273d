"""WSGI entry point for gunicorn: ``gunicorn volunteer.wsgi:app``."""

from volunteer.app import create_app
from volunteer.platform.logs import configure_logging
from volunteer.runtime import tune_gc, warm_engine_index

configure_logging()
app = create_app()
tune_gc()
warm_engine_index(app)
