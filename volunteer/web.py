"""Small helpers shared by the views."""

from urllib.parse import urlsplit

from flask import request, url_for
from flask_login import current_user

from volunteer.models import User


def acting_user() -> User:
    """The logged-in user as the model object (not Flask-Login's proxy) for services."""
    user: User = current_user._get_current_object()  # type: ignore[attr-defined]
    return user


def safe_next(default_endpoint: str = "pages.home") -> str:
    """The ``next`` target if it stays on this site, else a default (no open redirect)."""
    target = request.args.get("next") or request.form.get("next") or ""
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc:
        return target
    return url_for(default_endpoint)
