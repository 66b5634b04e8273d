"""Public pages: home, accessibility statement, privacy, imprint, language switch, health."""

from flask import Blueprint

bp = Blueprint("pages", __name__)

from volunteer.web.pages import open_data, views  # noqa: E402,F401
