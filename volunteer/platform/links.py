"""Absolute links on the public base URL (``BASE_URL``): the one builder for links that leave the
site (e-mails, calendar feeds, API documents, links shown to copy).

Built from the endpoint like ``url_for``, so an endpoint that does not exist raises
``werkzeug.routing.BuildError`` and a renamed page fails a test instead of mailing a dead link.
Never built on the request's Host header: a forged Host must not flow into links others copy,
cache or subscribe to. Works without a request (the notice dispatcher, CLI jobs).

A value that is a token *slot* (``{token:<key>}``, :mod:`volunteer.platform.signing`) stays a
slot in the link, so the renderer can sign it at delivery; URL-quoting would hide it.
"""

import re
from typing import Any
from urllib.parse import urlsplit

from flask import Flask

from volunteer.platform.signing import SLOT

# How werkzeug quotes a slot inside a path segment (":" and the key's characters stay as they are).
_QUOTED_SLOT = re.compile(r"%7Btoken:([A-Za-z0-9_-]{16,64})%7D")


class PublicLinks:
    """``links("accounts.verify", token=slot)`` -> ``https://mitwirken.example/konto/bestaetigen/…``"""

    def __init__(self, app: Flask) -> None:
        base = urlsplit(str(app.config["BASE_URL"]).rstrip("/"))
        self.base = f"{base.scheme}://{base.netloc}{base.path}"
        self._adapter = app.url_map.bind(
            base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "http"
        )

    def __call__(self, endpoint: str, **values: Any) -> str:
        url = str(self._adapter.build(endpoint, values, force_external=True))
        if any(isinstance(v, str) and SLOT.fullmatch(v) for v in values.values()):
            url = _QUOTED_SLOT.sub(r"{token:\1}", url)
        return url


def public_links(app: Flask) -> PublicLinks:
    """The app's builder (one per app: binding the URL map is not free)."""
    links = app.extensions.get("public_links")
    if not isinstance(links, PublicLinks):
        links = app.extensions["public_links"] = PublicLinks(app)
    return links
