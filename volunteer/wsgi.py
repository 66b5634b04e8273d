"""WSGI entry point for gunicorn: ``gunicorn volunteer.wsgi:app``."""

from volunteer.app import create_app
from volunteer.runtime import tune_gc, warm_engine_index

app = create_app()
tune_gc()
warm_engine_index(app)
