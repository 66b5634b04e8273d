"""City coordinators: statistics by district, skill and time, gaps, the city-wide proposal."""

from flask import Blueprint

bp = Blueprint("coordination", __name__, url_prefix="/koordination")

from volunteer.web.coordination import audit, gaps, proposals, statistics, views  # noqa: E402,F401
