"""Small helpers shared by the views."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar
from urllib.parse import urlsplit

from flask import current_app, flash, request, url_for
from flask_login import current_user

from volunteer.catalogue.geocoding import Geocoder, make_geocoder
from volunteer.models import User
from volunteer.platform.db import get_session
from volunteer.services.errors import ServiceError
from volunteer.web.wording.messages import error_message

T = TypeVar("T")


def acting_user() -> User:
    """The logged-in user as the model object (not Flask-Login's proxy) for services."""
    user: User = current_user._get_current_object()
    return user


def geocoder() -> Geocoder:
    """One geocoder per app, built from the configuration (offline gazetteer by default)."""
    ext = current_app.extensions
    if "geocoder" not in ext:
        ext["geocoder"] = make_geocoder(current_app.config)
    geocoder: Geocoder = ext["geocoder"]
    return geocoder


def safe_next(default_endpoint: str = "pages.home") -> str:
    """The ``next`` target if it stays on this site, else a default (no open redirect)."""
    target = request.args.get("next") or request.form.get("next") or ""
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc:
        return target
    return url_for(default_endpoint)


def flash_category(kind: str, at: str | None = None) -> str:
    """A flash category, optionally tied to the element with id ``at`` on the next page.

    The layout shows untied flashes at the top; a page shows the tied ones inside that element
    (``flashes_at`` in ``macros/flashes.html``), so a person who pressed a button far down the
    page sees the result where she is instead of a message scrolled out of sight.
    """
    return f"{kind}@{at}" if at else kind


def flash_error(error: ServiceError, *, at: str | None = None) -> None:
    """Show a service's refusal as an error flash, in the shared wording of its code."""
    flash(error_message(error), flash_category("error", at))


@dataclass(frozen=True)
class Done(Generic[T]):
    """A committed service call; ``value`` is what the service returned (may be ``None``)."""

    value: T


def commit_or_report(
    call: Callable[[], T],
    *,
    report: Callable[[ServiceError], object],
    success: str | Callable[[T], str] | None = None,
    at: str | None = None,
) -> Done[T] | None:
    """Run one service call in the request's unit of work: commit it, or roll back and report.

    Services only flush; the view is the boundary that commits once (STYLE: "services flush,
    the view commits once"). A service that refuses with a :class:`ServiceError` may already
    have flushed part of its change, so the session is rolled back *before* the error is shown:
    the page rendered next must not read, or later commit, half a change. ``report`` says how
    the view shows the refusal (under a form field, or as a flash); ``success`` is flashed only
    once the commit has gone through, so nobody is told "saved" for something that was not;
    ``at`` ties it to an element of the next page (see :func:`flash_category`).

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
        message = success if isinstance(success, str) else success(value)
        flash(message, flash_category("success", at))
    return Done(value)
