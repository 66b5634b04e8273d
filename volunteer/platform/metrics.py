"""Prometheus metrics: what the processes count, and how ``/metrics`` collects them.

Under gunicorn every worker is its own process, so ``volunteer serve`` (and the container)
set ``PROMETHEUS_MULTIPROC_DIR``: each process writes its counters to files there and a scrape
adds them up (prometheus_client's multiprocess mode); the scheduler started by ``volunteer
serve`` shares the directory, so its job counters show up in the same scrape. What the database
knows (outbox depth, oldest due notice, scheduler leader) is read at scrape time instead, by a
collector the web layer passes in: it is right whichever node or process asks.
"""

import os
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import REGISTRY, Collector

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

REQUESTS = Counter(
    "mitwirken_http_requests_total",
    "HTTP requests answered, by endpoint (the route, not the path), method and status.",
    ["endpoint", "method", "status"],
)
LATENCY = Histogram(
    "mitwirken_http_request_duration_seconds",
    "Time to answer a request, by endpoint.",
    ["endpoint"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
JOB_RUNS = Counter(
    "mitwirken_job_runs_total",
    "Background job runs (scheduler jobs, index warm-up), by job and outcome (ok, error).",
    ["job", "outcome"],
)
JOB_SECONDS = Histogram(
    "mitwirken_job_duration_seconds",
    "Time a background job run took, by job.",
    ["job"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0),
)
NOTICES = Counter(
    "mitwirken_notices_dispatched_total",
    "What the dispatchers did with claimed notices, by outcome (sent, failed, retried, ...).",
    ["outcome"],
)


@contextmanager
def job(name: str) -> Iterator[None]:
    """Count and time one run of a background job; an exception counts as ``error``."""
    started = time.perf_counter()
    try:
        yield
    except BaseException:
        JOB_RUNS.labels(name, "error").inc()
        raise
    else:
        JOB_RUNS.labels(name, "ok").inc()
    finally:
        JOB_SECONDS.labels(name).observe(time.perf_counter() - started)


class _ThisProcess(Collector):
    def collect(self) -> Iterable[object]:  # type: ignore[override]
        return REGISTRY.collect()


def exposition(*collectors: Collector) -> bytes:
    """The text a scrape returns: every process's counters plus the given collectors."""
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry.register(_ThisProcess())
    for collector in collectors:
        registry.register(collector)
    return generate_latest(registry)
