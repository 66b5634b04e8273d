"""Signed link tokens: what a mail links to is never stored, only a key the signature covers.

A link token is ``sign(app secret, key)``. The database holds the key (in the outbox payload's
link slot) and a hash of it (on the token row); neither works as a link without the app secret,
so a copy of the database hands out no working verification, reset, e-mail-change, guardian or
invitation link. The signature is checked with the same secret the renderer signs with.
"""

import re

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

_SALT = "mitwirken.link-token"
# ``{token:<key>}`` in a payload URL: the renderer replaces it with the signed token.
SLOT = re.compile(r"\{token:([A-Za-z0-9_-]{16,64})\}")
MAX_TOKEN_LENGTH = 300


def app_secret() -> str:
    """The application's secret (the same on every node, see ``config.finalise``)."""
    return str(current_app.config["SECRET_KEY"])


def slot(key: str) -> str:
    return "{token:" + key + "}"


def sign(secret: str, key: str) -> str:
    return str(URLSafeSerializer(secret, salt=_SALT).dumps(key))


def unsign(secret: str, token: str) -> str | None:
    """The key a link token was signed for, or None if it is forged, garbled or too long."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    try:
        key = URLSafeSerializer(secret, salt=_SALT).loads(token)
    except BadSignature:
        return None
    return key if isinstance(key, str) else None


def fill_slots(text: str, secret: str) -> str:
    """Replace every link slot in ``text`` with its signed token (at delivery time)."""
    return SLOT.sub(lambda m: sign(secret, m.group(1)), text)
