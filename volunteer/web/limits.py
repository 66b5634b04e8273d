"""Rate limits per account and per address, next to the per-client limits.

A limit keyed on the client address alone lets an attacker with a few source addresses try
many passwords on one account, or mail one address again and again; these keys count per
target instead. They share the configured storage (``RATELIMIT_STORAGE_URI``), so with Redis
every worker and node counts together.
"""

from collections.abc import Callable
from typing import Any

from flask import current_app, request
from flask_limiter.util import get_remote_address
from flask_login import current_user

from volunteer.platform.extensions import limiter


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


def _reset_limit() -> str:
    return str(current_app.config["RESET_RATE_LIMIT"])


def _address_key() -> str:
    """The e-mail address a form names (login, reset, registration, the new address of an
    e-mail change), case-insensitively."""
    return "address:" + str(request.form.get("email", "")).strip().lower()[:254]


def _account_key() -> str:
    """The logged-in account (password re-checks behind a session)."""
    if current_user.is_authenticated:
        return f"account:{current_user.id}"
    return get_remote_address()


def per_address(limit: Callable[[], str]) -> Callable[[Any], Any]:
    return limiter.limit(limit, key_func=_address_key, methods=["POST"], scope="per-address")


def per_account(limit: Callable[[], str]) -> Callable[[Any], Any]:
    return limiter.limit(limit, key_func=_account_key, methods=["POST"], scope="per-account")


# The limits the account pages use. Per client: logins, and every form that mails an address
# (reset, registration, e-mail change). Per target: logins per named address, password
# re-checks per account, mails per address the form names (what reaches an inbox is capped
# once more by the outbox's mail budget, whichever form asked).
login_per_client = limiter.limit(_login_limit, methods=["POST"])
login_per_address = per_address(_login_limit)
password_check_per_account = per_account(_login_limit)
mail_per_client = limiter.limit(_reset_limit, methods=["POST"])
mail_per_address = per_address(_reset_limit)
