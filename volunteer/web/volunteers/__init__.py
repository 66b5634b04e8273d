"""The volunteer's own pages under ``/ich``: profile, "Für dich", engagements, my data, calendar."""

from flask import Blueprint

bp = Blueprint("volunteers", __name__, url_prefix="/ich")

from volunteer.web.volunteers import invitations, my_data, views  # noqa: E402,F401
