"""WSGI entry point for gunicorn: ``gunicorn volunteer.wsgi:app``."""

from volunteer.app import create_app
from volunteer.runtime import tune_gc

app = create_app()
tune_gc()
