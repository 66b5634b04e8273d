"""The association journey: organisation profile and members, needs and shifts, candidates,
applications, attendance, hours and the CSV export (``/vereine``).

Views are thin: they check membership (404 for anyone else), parse a form, call one service from
``volunteer.services`` and commit once. One module per section of the journey; ``loading`` holds
what they share. Never imports ``notifications``.
"""

from flask import Blueprint

from volunteer.platform.richtext import render

bp = Blueprint("organisations", __name__, url_prefix="/vereine")
# App-wide, so the public opportunity pages render descriptions the same safe way.
bp.add_app_template_filter(render, "rich_text")

# Registering the routes: each section module adds its views to ``bp``.
from volunteer.web.organisations import (  # noqa: E402, F401
    candidates,
    hours,
    members,
    opportunities,
    profile,
    registration,
    shifts,
)
