"""Small helpers shared by the views."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from urllib.parse import urlsplit

from flask import current_app, flash, request, url_for
from flask_login import current_user

from volunteer.models import User
from volunteer.platform.db import get_session
from volunteer.services.errors import ServiceError
from volunteer.web.wording.messages import error_message

T = TypeVar("T")


def acting_user() -> User:
    """The logged-in user as the model object (not Flask-Login's proxy) for services."""
    user: User = current_user._get_current_object()
    return user


def safe_next(default_endpoint: str = "pages.home") -> str:
    """The ``next`` target if it stays on this site, else a default (no open redirect)."""
    target = request.args.get("next") or request.form.get("next") or ""
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc:
        return target
    return url_for(default_endpoint)


def public_url(endpoint: str, **values: Any) -> str:
    """An absolute link on the configured public base URL (``BASE_URL``), never on the request's
    Host header: a forged Host must not flow into links others copy, cache or subscribe to."""
    return str(current_app.config["BASE_URL"]).rstrip("/") + url_for(endpoint, **values)


def flash_error(error: ServiceError) -> None:
    """Show a service's refusal as an error flash, in the shared wording of its code."""
    flash(error_message(error), "error")


@dataclass(frozen=True)
class Done(Generic[T]):
    """A committed service call; ``value`` is what the service returned (may be ``None``)."""

    value: T


def commit_or_report(
    call: Callable[[], T],
    *,
    report: Callable[[ServiceError], object],
    success: str | Callable[[T], str] | None = None,
) -> Done[T] | None:
    """Run one service call in the request's unit of work: commit it, or roll back and report.

    Services only flush; the view is the boundary that commits once (STYLE: "services flush,
    the view commits once"). A service that refuses with a :class:`ServiceError` may already
    have flushed part of its change, so the session is rolled back *before* the error is shown:
    the page rendered next must not read, or later commit, half a change. ``report`` says how
    the view shows the refusal (under a form field, or as a flash); ``success`` is flashed only
    once the commit has gone through, so nobody is told "saved" for something that was not.

    Returns :class:`Done` with the service's result after a commit, ``None`` after a refusal,
    so that the view keeps its own redirect or re-render visible.
    """
    db = get_session()
    try:
        value = call()
        db.commit()
    except ServiceError as error:
        db.rollback()
        report(error)
        return None
    if success is not None:
        flash(success if isinstance(success, str) else success(value), "success")
    return Done(value)
