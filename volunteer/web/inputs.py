"""The one place where input enters the app: cleaned and bounded before any view sees it.

- Every query-string and form value (and key) loses its control characters as the request
  parses it (:class:`CleanRequest`), so no form, filter or service has to remember NUL bytes.
- ``<int:...>`` path segments accept ASCII digits up to the largest row id only; beyond that
  the route does not match (404), instead of overflowing a PostgreSQL ``integer``.
- String and path segments with control characters do not match either.
- Request lines over 4 KB answer 414 and oversized headers 431, from the app (problem details
  on the API), the same behind ``volunteer serve``'s gunicorn, whose own limits are set above.
"""

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote

from flask import Flask, Request, request
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.exceptions import RequestHeaderFieldsTooLarge, RequestURITooLarge
from werkzeug.routing import IntegerConverter, PathConverter, UnicodeConverter, ValidationError

from volunteer.platform.inputs import MAX_ID, clean_text

# The longest request line (method, target, version) the app answers normally; gunicorn is
# started with a higher limit so that the app, not gunicorn's HTML page, refuses longer ones.
MAX_REQUEST_LINE = 4096
# Any single header, and all headers together.
MAX_HEADER_FIELD = 8190
MAX_HEADERS_TOTAL = 32 * 1024


def _clean(value: Any) -> Any:
    return clean_text(value) if isinstance(value, str) else value  # files stay as they are


class CleanMultiDict(ImmutableMultiDict[str, Any]):
    """Request parameters without control characters in keys or text values."""

    def __init__(
        self, mapping: Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None
    ) -> None:
        pairs = MultiDict(mapping).items(multi=True) if mapping else ()
        super().__init__([(_clean(k), _clean(v)) for k, v in pairs])


class CleanRequest(Request):
    parameter_storage_class = CleanMultiDict


class IdConverter(IntegerConverter):
    """``<int:...>``: ASCII digits naming a possible row (1 .. 2^31-1), else no match (404)."""

    regex = r"[0-9]{1,10}"

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


class _Printable:
    def to_python(self, value: str) -> Any:
        if clean_text(value) != value:
            raise ValidationError()
        return super().to_python(value)  # type: ignore[misc]


class TextConverter(_Printable, UnicodeConverter):
    """``<name>`` / ``<string:name>`` without control characters."""


class TextPathConverter(_Printable, PathConverter):
    """``<path:name>`` without control characters."""


def install_converters(app: Flask) -> None:
    """Before any blueprint is registered: rules bind their converters when they are added."""
    app.url_map.converters.update(
        int=IdConverter, default=TextConverter, string=TextConverter, path=TextPathConverter
    )


def _request_line_length() -> int:
    env = request.environ
    raw = env.get("RAW_URI") or env.get("REQUEST_URI")
    if not raw:
        raw = quote(env.get("SCRIPT_NAME", "") + env.get("PATH_INFO", ""))
        if env.get("QUERY_STRING"):
            raw += "?" + env["QUERY_STRING"]
    return len(raw) + len(request.method) + len("  HTTP/1.1")


def init_app(app: Flask) -> None:
    app.request_class = CleanRequest

    @app.before_request
    def _bounded() -> None:
        if _request_line_length() > MAX_REQUEST_LINE:
            raise RequestURITooLarge()
        sizes = [len(k) + len(v) for k, v in request.headers.items()]
        if any(s > MAX_HEADER_FIELD for s in sizes) or sum(sizes) > MAX_HEADERS_TOTAL:
            raise RequestHeaderFieldsTooLarge()
