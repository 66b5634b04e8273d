"""The Engagementnachweis: the volunteer's PDF download and the public page that checks a code.

The document's content and its code come from :mod:`volunteer.services.engagement.certificate`;
this package words and draws it (:mod:`.document`) and answers the verification page, which
shows only what the code itself vouches for (name, total hours, issue date).
"""

from flask import Blueprint

bp = Blueprint("certificates", __name__)

from volunteer.web.certificates import views  # noqa: E402,F401
