"""Browsing needs under ``/engagements``: search, districts and map, a need's page, sign-up."""

from flask import Blueprint

bp = Blueprint("opportunities", __name__, url_prefix="/engagements")

from volunteer.web.opportunities import series, views  # noqa: E402,F401
