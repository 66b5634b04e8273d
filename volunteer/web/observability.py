"""Request ids, the access log and ``/metrics``.

- **Request id**: a sane ``X-Request-ID`` from the proxy is kept, otherwise one is made; it is
  echoed in the response and carried by every log line of the request.
- **Access log**: one JSON line per request with the route *pattern* (``/konto/passwort/<token>``),
  never the concrete path or its query string, which may carry tokens or search terms; no
  client address (personal data). gunicorn's own access log is off for the same reason.
- **/metrics**: Prometheus text. Readable with ``Authorization: Bearer <METRICS_TOKEN>`` when
  that is set, otherwise only from the loopback address (a scraper beside the app). Behind a
  proxy on the same host, set ``METRICS_TOKEN`` (every proxied request comes from loopback).
"""

import hmac
import ipaddress
import logging
import re
import time
import uuid
from collections.abc import Iterable
from typing import Any

from flask import Blueprint, Flask, Response, abort, current_app, g, request
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from volunteer.platform import metrics
from volunteer.platform.clock import now
from volunteer.platform.db import get_session
from volunteer.platform.extensions import limiter
from volunteer.platform.logs import REQUEST_ID
from volunteer.services import operations
from volunteer.services.discovery import engine

access_log = logging.getLogger("volunteer.access")
bp = Blueprint("observability", __name__)
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._\-]{1,64}$")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)

    @app.before_request
    def _start() -> None:
        given = request.headers.get("X-Request-ID", "")
        g.request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        g.request_started = time.perf_counter()
        g.request_id_token = REQUEST_ID.set(g.request_id)

    @app.after_request
    def _finish(response: Response) -> Response:
        started = g.get("request_started")
        if started is None:  # the request failed before our before_request ran
            return response
        response.headers["X-Request-ID"] = g.request_id
        elapsed = time.perf_counter() - started
        rule = request.url_rule
        endpoint = rule.endpoint if rule is not None else "<unmatched>"
        metrics.REQUESTS.labels(endpoint, request.method, str(response.status_code)).inc()
        metrics.LATENCY.labels(endpoint).observe(elapsed)
        access_log.info(
            "%s %s %s",
            request.method,
            rule.rule if rule is not None else "<unmatched>",
            response.status_code,
            extra={
                "method": request.method,
                "route": rule.rule if rule is not None else "<unmatched>",
                "endpoint": endpoint,
                "status": response.status_code,
                "duration_ms": round(elapsed * 1000, 1),
            },
        )
        return response

    @app.teardown_request
    def _forget(_exc: BaseException | None) -> None:
        token = g.pop("request_id_token", None)
        if token is not None:
            REQUEST_ID.reset(token)


class DatabaseCollector(Collector):
    """The outbox, the scheduler's leadership and this worker's engine index, at scrape time."""

    def collect(self) -> Iterable[GaugeMetricFamily]:
        moment = now()
        session = get_session()
        outbox = operations.outbox_state(session, now=moment)
        leases = operations.leadership(session, now=moment)
        depth = GaugeMetricFamily(
            "mitwirken_outbox_notices", "Notices in the outbox, by state.", labels=["state"]
        )
        for state, count in sorted(outbox.by_state.items()):
            depth.add_metric([state], count)
        yield depth
        yield GaugeMetricFamily(
            "mitwirken_outbox_oldest_due_age_seconds",
            "How long the oldest pending notice has been due (0: none is).",
            value=outbox.oldest_due_age,
        )
        leader = GaugeMetricFamily(
            "mitwirken_scheduler_leader",
            "1 for the scheduler process whose lease is current (0: it ran out).",
            labels=["name", "holder"],
        )
        left = GaugeMetricFamily(
            "mitwirken_scheduler_lease_seconds_left",
            "Seconds until the leader's lease runs out (negative: nobody leads).",
            labels=["name"],
        )
        for lease in leases:
            leader.add_metric([lease.name, lease.holder], 1 if lease.seconds_left > 0 else 0)
            left.add_metric([lease.name], lease.seconds_left)
        yield leader
        yield left
        ages = GaugeMetricFamily(
            "mitwirken_engine_index_age_seconds",
            "Seconds since the answering worker built each engine index.",
            labels=["index"],
        )
        for kind, age in sorted(engine.index_ages().items()):
            ages.add_metric([kind], age)
        yield ages


def _allowed() -> bool:
    token = current_app.config.get("METRICS_TOKEN")
    if token:
        given = request.headers.get("Authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
    try:
        return ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        return False


@bp.get("/metrics")
@limiter.exempt
def metrics_view() -> Any:
    """Prometheus scrape target (see the module docstring for who may read it)."""
    if not _allowed():
        abort(404)  # not 403: do not advertise the endpoint to the outside
    return Response(metrics.exposition(DatabaseCollector()), content_type=metrics.CONTENT_TYPE)
