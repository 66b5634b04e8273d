"""The in-app inbox: delivered notices, the unread count in the header, mark as read."""

from flask import Blueprint

bp = Blueprint("inbox", __name__, url_prefix="/postfach")

from volunteer.web.inbox import views  # noqa: E402,F401
