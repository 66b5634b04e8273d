"""Notice settings: preferences per kind and channel, quiet hours, one-click unsubscribe, and
the coordinators' list of notices that could not be delivered."""

from flask import Blueprint

bp = Blueprint("notices", __name__)

from volunteer.web.notices import views  # noqa: E402,F401
