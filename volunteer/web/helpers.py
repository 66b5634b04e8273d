"""Small helpers shared by the views."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, NoReturn, TypeVar
from urllib.parse import urlsplit

from flask import Response as FlaskResponse
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from volunteer.catalogue.geocoding import Geocoder, make_geocoder
from volunteer.models import User
from volunteer.platform.db import get_session
from volunteer.platform.links import public_links
from volunteer.services.errors import ServiceError
from volunteer.web.forms import ButtonForm
from volunteer.web.wording.messages import error_message

T = TypeVar("T")
RowT = TypeVar("RowT")


def acting_user() -> User:
    """The logged-in user as the model object (not Flask-Login's proxy) for services."""
    user: User = current_user._get_current_object()
    return user


def reader_locale() -> str:
    """The reader's language code ("de" or "en"), for labels picked from the reference data."""
    return str(get_locale() or "de")


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


def public_url(endpoint: str, **values: Any) -> str:
    """An absolute link on the configured public base URL (``BASE_URL``), never on the request's
    Host header: a forged Host must not flow into links others copy, cache or subscribe to."""
    return public_links(current_app)(endpoint, **values)


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


def commit_work(call: Callable[[], T]) -> T:
    """Run the request's service call and commit it: the one ``commit()`` in ``volunteer/web``.

    Services only flush; the view is the boundary that commits once. Work that must follow a
    commit (dropping the engine's indexes and the home page's figures) hangs on the session's
    ``after_commit`` event in ``services/discovery/freshness.py``, so it runs for every commit
    and never before one. A refusal (:class:`ServiceError`) propagates uncommitted; use
    :func:`commit_or_report` when the view shows it. ``tests/volunteer/test_view_commits.py``
    fails on any other commit in the web package.
    """
    value = call()
    get_session().commit()
    return value


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
        value = commit_work(call)
    except ServiceError as error:
        db.rollback()
        report(error)
        return None
    if success is not None:
        message = success if isinstance(success, str) else success(value)
        flash(message, flash_category("success", at))
    return Done(value)


def act_and_return(
    call: Callable[[], T],
    *,
    back: str,
    success: str | Callable[[T], str] | None = None,
    report: Callable[[ServiceError], object] = flash_error,
    form: FlaskForm | None = None,
) -> Response:
    """A button that changes one thing: the service call in the request's unit of work, its
    outcome flashed, and back to the page the button is on.

    ``form`` is what the button posts (a :class:`ButtonForm` unless it carries a field, such as
    a role); when it does not validate nothing is changed.
    """
    if (form or ButtonForm()).validate_on_submit():
        commit_or_report(call, report=report, success=success)
    return redirect(back)


def require_button() -> None:
    """A one-button form carries only the CSRF token: without a valid one the POST is a bad
    request (400), not a change."""
    if not ButtonForm().validate_on_submit():
        abort(400)


def attachment(
    body: bytes | str, filename: str, mimetype: str, *, personal: bool = False
) -> FlaskResponse:
    """A file the browser saves as ``filename``; a ``personal`` one (a certificate, the hours
    for an Ehrenamtskarte) also tells every cache not to keep it."""
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if personal:
        headers["Cache-Control"] = "no-store"
    return FlaskResponse(body, mimetype=mimetype, headers=headers)


def row_or_404(model: type[RowT], row_id: int) -> RowT:
    """The row with this id, or the 404 page: an id in a URL that names nothing is no page."""
    row = get_session().get(model, row_id)
    if row is None:
        abort(404)
    return row


def not_found(_error: ServiceError) -> NoReturn:
    """Report a refusal as 404 (``report=`` of :func:`commit_or_report`): for actions on an
    object the person may not see, "not yours" and "not there" must look the same."""
    abort(404)


# --- confirmation step for irreversible actions --------------------------------------------------
CONFIRMED_FIELD = "confirmed"


def is_confirmed() -> bool:
    """Whether the POST came from the confirmation page (works without JavaScript)."""
    return request.form.get(CONFIRMED_FIELD) == "1"


@dataclass(frozen=True)
class ReasonField:
    """A text the person gives on the confirmation page (e.g. why a shift is cancelled)."""

    label: str
    required: bool
    value: str = ""
    error: str | None = None
    hint: str | None = None
    max_length: int = 500


def confirmation_page(
    *,
    title: str,
    question: str,
    action: str,
    confirm_label: str,
    back_url: str,
    hidden: Iterable[tuple[str, Any]] = (),
    items: Iterable[str] = (),
    reason: ReasonField | None = None,
    status: int = 200,
) -> tuple[str, int]:
    """Ask before an irreversible one-click action; the page posts the same form once more.

    The first POST of a withdraw, a shift cancellation or a bulk rejection lands here instead of
    acting; the confirm button re-sends the form with ``confirmed=1`` (and the reason, if any).
    """
    return render_template(
        "confirm.html",
        title=title,
        question=question,
        action=action,
        confirm_label=confirm_label,
        back_url=back_url,
        hidden=[(name, value) for name, value in hidden if value is not None],
        items=list(items),
        reason=reason,
        confirmed_field=CONFIRMED_FIELD,
    ), status
