"""Signed link tokens, the one home for signing links with the app secret (itsdangerous).

Every link that carries a credential is signed here, each purpose with its own salt: account
links (below), the guardian's consent link (``services.accounts.guardians``) and one-click
unsubscribe (``services.notices.unsubscribe``) call :func:`sign_value` / :func:`read_value`.

What a mail links to is never stored, only a key the signature covers.

A link token is ``sign(app secret, key)``. The database holds the key (in the outbox payload's
link slot) and a hash of it (on the token row); neither works as a link without the app secret,
so a copy of the database hands out no working verification, reset, e-mail-change, guardian or
invitation link. The signature is checked with the same secret the renderer signs with.
"""

import re
from typing import Any

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


def sign_value(secret: str, value: Any, *, salt: str) -> str:
    """``value`` (JSON: a number, a string, a list) as a URL-safe token signed for ``salt``."""
    return str(URLSafeSerializer(secret, salt=salt).dumps(value))


def read_value(secret: str, token: str, *, salt: str, max_length: int) -> Any:
    """The value a token was signed for, or None if it is forged, garbled or too long. Callers
    check the value's shape: a valid signature says who made it, not what it holds."""
    if not token or len(token) > max_length:
        return None
    try:
        return URLSafeSerializer(secret, salt=salt).loads(token)
    except BadSignature:
        return None


def sign(secret: str, key: str) -> str:
    return sign_value(secret, key, salt=_SALT)


def unsign(secret: str, token: str) -> str | None:
    """The key an account link token was signed for, or None if forged, garbled or too long."""
    key = read_value(secret, token, salt=_SALT, max_length=MAX_TOKEN_LENGTH)
    return key if isinstance(key, str) else None


def fill_slots(text: str, secret: str) -> str:
    """Replace every link slot in ``text`` with its signed token (at delivery time)."""
    return SLOT.sub(lambda m: sign(secret, m.group(1)), text)
