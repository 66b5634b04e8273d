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
import os
import re
import sys
import threading
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime
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


#: How often the writer thread writes what was logged since, in one write.
WRITE_EVERY_SECONDS = 0.05


class _Writer:
    """The process's one writer of log lines: every ``WRITE_EVERY_SECONDS`` it takes what the
    threads queued and writes it in one call. A thread that logs only queues its line and wakes
    nobody: a writer woken for each line (the standard library's ``QueueListener``) took the
    interpreter from the request thread at every access line."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._start()
        # A process forked after this (gunicorn with --preload forks its workers from a master
        # that configured logging) inherits no threads: without a writer of its own, its lines
        # would queue unwritten. The parent's queue may be mid-put in another thread at the
        # fork, so the child starts a fresh one; the parent writes its own lines.
        os.register_at_fork(after_in_child=self._start_unless_stopped)

    def _start_unless_stopped(self) -> None:
        if not self._stopped.is_set():
            self._start()

    def _start(self) -> None:
        self.lines: SimpleQueue[str] = SimpleQueue()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="log-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stopped.wait(WRITE_EVERY_SECONDS):
            self._write()
        self._write()

    def _write(self) -> None:
        taken = []
        while not self.lines.empty():
            taken.append(self.lines.get() + "\n")
        if taken:
            self.stream.write("".join(taken))
            self.stream.flush()

    def stop(self) -> None:
        """Write what is queued and end the thread."""
        self._stopped.set()
        self._thread.join()


class _Enqueue(logging.Handler):
    """Formats the line in the thread that logs (the request id is that thread's) and queues it
    for the writer. Without the handler lock: formatting touches only the record, and the queue
    is thread-safe, so a request thread never waits for another one's line either."""

    def __init__(self, writer: _Writer) -> None:
        super().__init__()
        self.writer = writer

    def handle(self, record: logging.LogRecord) -> bool:
        wanted = bool(self.filter(record))
        if wanted:
            self.emit(record)
        return wanted

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.writer.lines.put(self.format(record))
        except Exception:
            self.handleError(record)


def configure_logging(
    level: int | str = logging.INFO, stream: TextIO | None = None
) -> Callable[[], None] | None:
    """JSON lines on stderr (or ``stream``) for the whole process (web worker or scheduler).
    Idempotent: None when the process is configured already, else what stops the writer
    thread once it wrote every queued line (also run at exit).

    One thread writes the lines, from a queue (:class:`_Writer`): with the stream handler on
    the logging threads, each request's access line took the handler's lock around a write,
    and a thread that must wait for the interpreter after its write held everyone else's line
    up (at 32 connections a tenth of the workers' samples waited there). The lines stay one
    per call, in the order each thread logged them."""
    root = logging.getLogger()
    for handler in root.handlers:
        if isinstance(handler.formatter, JsonFormatter):
            return None
    writer = _Writer(stream or sys.stderr)
    handler = _Enqueue(writer)
    handler.setFormatter(JsonFormatter())

    def stop() -> None:
        atexit.unregister(stop)
        writer.stop()

    atexit.register(stop)
    root.handlers[:] = [handler]
    root.setLevel(level)
    return stop
