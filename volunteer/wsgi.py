"""WSGI entry point for gunicorn: ``gunicorn volunteer.wsgi:app``."""

from volunteer.app import create_app

app = create_app()
