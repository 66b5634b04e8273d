"""Signed one-click unsubscribe links (RFC 8058), shared by the mailer and the web endpoint.

The dispatcher (``notifications``) signs a token per recipient and notice kind; the web app
(``notices.unsubscribe``) verifies it. Both need the same code, and the web app must not import
``notifications``, so the helper lives here. The token never expires: a link in a year-old
e-mail must still work, and all it can do is switch one kind of e-mail off for one person.
"""

from volunteer.platform import signing

_SALT = "mitwirken.unsubscribe.v1"


def make_token(secret: str, user_id: int, kind: str) -> str:
    """A URL-safe token naming a user and a notice kind, signed with the app secret."""
    return signing.sign_value(secret, [user_id, kind], salt=_SALT)


def read_token(secret: str, token: str) -> tuple[int, str] | None:
    """The (user id, kind) a token was made for, or None if it is forged or garbled."""
    value = signing.read_value(secret, token, salt=_SALT, max_length=500)
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not isinstance(value[0], int)
        or not isinstance(value[1], str)
    ):
        return None
    return value[0], value[1]
