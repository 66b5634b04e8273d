"""The public read API (open data): listed needs, districts and the taxonomy as JSON.

Other city portals, apps and newsletters can show current opportunities without scraping.
Only what anyone may see on the website is served; errors are RFC 9457 problem details.
"""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from volunteer.web.api import views  # noqa: E402,F401
