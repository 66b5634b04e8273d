"""Structured logs: one JSON object per line on stderr, each carrying the request id.

Why JSON: log collectors parse it without fragile patterns, and the request id (taken from the
``X-Request-ID`` header a proxy sets, or made here, and echoed in the response) ties an access
line, an error and a user's report together. Why a scrubber: logs are kept longer and seen by
more people than the database, so they must hold no tokens and no personal data. The access
log (``volunteer.web.observability``) records the route pattern, never the concrete path or its
query string; the scrubber below is the safety net for every other message (e-mail addresses,
long token-like strings).
"""

import atexit
import json
import logging
import re
import sys
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime
from logging.handlers import QueueHandler, QueueListener
from queue import SimpleQueue
from typing import TextIO

REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)

# The fields a log call may pass in ``extra=`` that end up in the JSON object.
FIELDS = ("method", "route", "endpoint", "status", "duration_ms", "job", "outcome")

_EMAIL = re.compile(r"[^\s@<>\"'(),;:]+@[^\s@<>\"'(),;:]+\.[A-Za-z]{2,}")
# Signed tokens (itsdangerous, url-safe base64 with dots) and long random ids.
_TOKEN = re.compile(r"\b[A-Za-z0-9_\-]{24,}(?:\.[A-Za-z0-9_\-]+)*\b")


def scrub(text: str) -> str:
    """Replace e-mail addresses and token-like strings (24+ url-safe characters)."""
    return _TOKEN.sub("[token]", _EMAIL.sub("[email]", text))


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": scrub(record.getMessage()),
        }
        request_id = REQUEST_ID.get()
        if request_id:
            data["request_id"] = request_id
        for name in FIELDS:
            if name in record.__dict__:
                data[name] = record.__dict__[name]
        if record.exc_info:
            data["exception"] = scrub(self.formatException(record.exc_info))
        return json.dumps(data, ensure_ascii=False, default=str)


class _Enqueue(QueueHandler):
    """Formats the line in the thread that logs (the request id is that thread's) and hands it
    to the writer thread. Without the handler lock: formatting touches only the record, and the
    queue is thread-safe, so a request thread never waits for another one's line either."""

    def handle(self, record: logging.LogRecord) -> bool:
        wanted = bool(self.filter(record))
        if wanted:
            self.emit(record)
        return wanted


def configure_logging(
    level: int | str = logging.INFO, stream: TextIO | None = None
) -> Callable[[], None] | None:
    """JSON lines on stderr (or ``stream``) for the whole process (web worker or scheduler).
    Idempotent: None when the process is configured already, else what stops the writer
    thread once it wrote every queued line (also run at exit).

    One thread writes every line, from a queue: with the stream handler on the logging
    threads, each request's access line took the handler's lock around a write, and a thread
    that must wait for the interpreter after its write held everyone else's line up (at 32
    connections a tenth of the workers' samples waited there). The lines stay one per call, in
    the order each thread logged them."""
    root = logging.getLogger()
    for handler in root.handlers:
        if isinstance(handler.formatter, JsonFormatter):
            return None
    writer = logging.StreamHandler(stream or sys.stderr)
    writer.setFormatter(logging.Formatter("%(message)s"))  # the line is JSON already
    lines: SimpleQueue[logging.LogRecord] = SimpleQueue()
    handler = _Enqueue(lines)
    handler.setFormatter(JsonFormatter())
    listener = QueueListener(lines, writer)
    listener.start()

    def stop() -> None:
        atexit.unregister(stop)
        listener.stop()

    atexit.register(stop)
    root.handlers[:] = [handler]
    root.setLevel(level)
    return stop
