"""Gunicorn's access log without secrets: token paths and query strings are redacted.

Links in mails carry single-use tokens in the path (``/konto/passwort-neu/<token>``), the
calendar feed carries its token (``/ich/kalender/<token>.ics``) and searches carry what people
typed in the query string. An access log kept for weeks must hold none of it. Every path segment
that looks like a token (long and made of URL-safe characters) becomes ``[token]``; the query
string is dropped (``?…``), in the request line, the path, the query and the referrer.

Used with ``gunicorn --logger-class volunteer.platform.accesslog.RedactingLogger``.
"""

import re
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from gunicorn.glogging import Logger

# Signed link tokens and feed tokens are 32+ characters; no route has a word segment that long.
_TOKEN_SEGMENT = re.compile(r"(?<=/)[A-Za-z0-9_.\-]{24,}?(?=\.ics$|/|$)")
REDACTED = "[token]"


def redact_path(path: str) -> str:
    """``path`` with token-like segments replaced and any query string cut to ``?…``."""
    base, sep, _query = path.partition("?")
    return _TOKEN_SEGMENT.sub(REDACTED, base) + ("?…" if sep else "")


def redact_url(url: str) -> str:
    if not url or url == "-":
        return url
    parts = urlsplit(url)
    prefix = f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""
    return prefix + redact_path(parts.path + ("?" + parts.query if parts.query else ""))


class RedactingLogger(Logger):
    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: timedelta) -> Any:
        atoms = super().atoms(resp, req, environ, request_time)
        path = redact_path(environ.get("PATH_INFO") or "")
        atoms["U"] = path
        atoms["q"] = "…" if environ.get("QUERY_STRING") else ""
        atoms["r"] = "{} {} {}".format(
            environ.get("REQUEST_METHOD", "-"),
            redact_path(str(environ.get("RAW_URI") or path)),
            environ.get("SERVER_PROTOCOL", "-"),
        )
        atoms["f"] = redact_url(str(environ.get("HTTP_REFERER", "-")))
        atoms["{referer}i"] = atoms["f"]
        for key in ("{raw_uri}e", "{path_info}e", "{request_uri}e"):
            if key in atoms:
                atoms[key] = redact_path(str(atoms[key]))
        atoms["{query_string}e"] = atoms["q"]
        atoms["{http_referer}e"] = atoms["f"]
        return atoms
