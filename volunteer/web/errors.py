"""Error pages and JSON problem details (RFC 9457) for the API.

Nothing a user can type may produce a 500; when something else does, the page says so politely
and the log has the traceback.
"""

from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from flask.globals import request_ctx
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError


def wants_problem_json() -> bool:
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best == "application/problem+json"
    )


def problem(status: int, title: str, detail: str = "", **extra: Any) -> Response:
    body = {"type": "about:blank", "title": title, "status": status, **extra}
    if detail:
        body["detail"] = detail
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def _wording() -> dict[int, tuple[str, str]]:
    """Each error status's title and sentence, side by side so no status has one without the
    other (built per request: gettext needs the reader's locale)."""
    return {
        400: (
            _("Bad request"),
            _("The request could not be understood. Please go back and try again."),
        ),
        403: (_("Not allowed"), _("You are not allowed to do this.")),
        404: (
            _("Page not found"),
            _("We could not find this page. It may have been moved or removed."),
        ),
        405: (_("Method not allowed"), _("This address cannot be used like this.")),
        413: (_("Too large"), _("What you sent is too large.")),
        414: (
            _("Address too long"),
            _("This address is too long. Please shorten the search or the link."),
        ),
        429: (
            _("Too many attempts"),
            _("Too many attempts in a short time. Please wait a moment and try again."),
        ),
        431: (
            _("Headers too large"),
            _(
                "Your browser sent too much data with the request (e.g. cookies). Please delete "
                "this site's cookies and try again."
            ),
        ),
        500: (
            _("Something went wrong"),
            _("An error occurred on our side. It has been logged; please try again later."),
        ),
    }


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Any:
        status = exc.code or 500
        title, detail = _wording().get(status, (exc.name, ""))
        if isinstance(exc, CSRFError):
            detail = _("Your form expired or was sent from elsewhere. Please reload and try again.")
        if wants_problem_json():
            return problem(status, title, detail)
        if request_ctx.url_adapter is None:
            # The Host header is not one we trust (TRUSTED_HOSTS), so no URL can be built and
            # the page layout cannot render: answer in plain words, with nothing of the request.
            return Response(f"{status} {title}\n{detail}\n", status=status, mimetype="text/plain")
        return render_template(
            "errors/error.html", status=status, title=title, detail=detail
        ), status

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Any:
        app.logger.exception("Unhandled error", exc_info=exc)
        return _http(InternalServerError())
