"""Public pages: home, accessibility statement, privacy, imprint, language switch, health."""

from flask import Blueprint

bp = Blueprint("pages", __name__)

from volunteer.web.pages import views  # noqa: E402,F401
