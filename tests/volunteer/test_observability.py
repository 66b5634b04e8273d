"""Request ids, JSON access logs without tokens or personal data, and a scraped ``/metrics``."""

import io
import json
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session

from volunteer.models import SchedulerLease, User
from volunteer.platform.logs import REQUEST_ID, JsonFormatter, configure_logging, scrub
from volunteer.services.notices import outbox


@pytest.fixture
def access_log() -> Iterator[Callable[[], list[dict[str, object]]]]:
    """What the access logger writes, through the production formatter, parsed back."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("volunteer.access")
    logger.addHandler(handler)
    old_level = logger.level
    logger.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines() if line]
    logger.removeHandler(handler)
    logger.setLevel(old_level)


def test_a_request_id_from_the_proxy_is_echoed_and_logged(client: FlaskClient, access_log):
    response = client.get("/healthz", headers={"X-Request-ID": "edge-4711.a"})
    assert response.headers["X-Request-ID"] == "edge-4711.a"
    (line,) = access_log()
    assert line["request_id"] == "edge-4711.a"
    assert (line["method"], line["route"], line["status"]) == ("GET", "/healthz", 200)
    assert line["endpoint"] == "pages.healthz" and isinstance(line["duration_ms"], float)


def test_an_unusable_request_id_is_replaced_by_a_fresh_one(client: FlaskClient, access_log):
    first = client.get("/healthz", headers={"X-Request-ID": "bad id\twith spaces" + "x" * 80})
    second = client.get("/healthz")
    ids = [first.headers["X-Request-ID"], second.headers["X-Request-ID"]]
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids) and ids[0] != ids[1]
    assert [line["request_id"] for line in access_log()] == ids


def test_the_access_log_holds_no_token_query_string_or_address(
    client: FlaskClient, access_log
) -> None:
    token = "IjQyIg.Zx7-secret-reset-token-value_abcdef"
    client.get(
        f"/konto/passwort-neu/{token}?email=anna@example.org&q=Tafel",
        environ_base={"REMOTE_ADDR": "198.51.100.23"},
    )
    client.get("/kein/solcher/pfad/" + token)
    text = json.dumps(access_log())
    for secret in (token, "anna@example.org", "Tafel", "198.51.100.23", "kein/solcher"):
        assert secret not in text
    routes = [line["route"] for line in access_log()]
    assert routes == ["/konto/passwort-neu/<token>", "<unmatched>"]


def test_log_messages_are_scrubbed_of_addresses_and_tokens() -> None:
    record = logging.LogRecord(
        "x", logging.WARNING, __file__, 1, "mail to %s with %s", ("a.b@example.org", "t" * 30), None
    )
    data = json.loads(JsonFormatter().format(record))
    assert data["message"] == "mail to [email] with [token]"
    assert scrub("notice 42 for user 7") == "notice 42 for user 7"


def _scrape(client: FlaskClient, **kwargs: object) -> str:
    response = client.get("/metrics", **kwargs)  # type: ignore[arg-type]
    assert response.status_code == 200, response.status_code
    assert response.content_type.startswith("text/plain; version=0.0.4")
    return response.get_data(as_text=True)


def _value(text: str, name: str, /, missing: float | None = None, **labels: str) -> float:
    """The sample of ``name`` with these labels; ``missing`` if absent (else it must be there)."""
    for line in text.splitlines():
        if line.startswith("#") or not line.startswith(name):
            continue
        metric, _, value = line.rpartition(" ")
        if metric.split("{")[0] != name:
            continue
        if all(f'{k}="{v}"' in metric for k, v in labels.items()):
            return float(value)
    assert missing is not None, f"{name} {labels} not in the scrape"
    return missing


def test_metrics_count_requests_outbox_leader_and_engine_index(
    client: FlaskClient,
    session: Session,
    make_user: Callable[..., User],
    now: datetime,
) -> None:
    user = make_user()
    for i in range(3):
        outbox.enqueue(
            session,
            "password_changed",
            dedupe_key=f"m:{i}",
            now=now,
            user=user,
            payload={"name": "A"},
            due_at=now - timedelta(minutes=10 * (i + 1)),
            channels=["email"],
        )
    session.add(
        SchedulerLease(name="notices", holder="node-a:17", expires_at=now + timedelta(seconds=20))
    )
    session.commit()
    before = _scrape(client)
    client.get("/healthz")
    client.get("/gibt-es-nicht")
    client.get("/")  # builds the engine index for the start page
    text = _scrape(client)
    healthz = dict(endpoint="pages.healthz", method="GET", status="200")
    earlier = _value(before, "mitwirken_http_requests_total", missing=0, **healthz)
    assert _value(text, "mitwirken_http_requests_total", **healthz) == earlier + 1
    assert _value(text, "mitwirken_http_requests_total", endpoint="<unmatched>", status="404") >= 1
    assert (
        _value(text, "mitwirken_http_request_duration_seconds_count", endpoint="pages.healthz") >= 1
    )
    assert _value(text, "mitwirken_outbox_notices", state="pending") == 3
    assert _value(text, "mitwirken_outbox_notices", state="failed") == 0
    assert _value(text, "mitwirken_outbox_oldest_due_age_seconds") == 30 * 60
    assert _value(text, "mitwirken_scheduler_leader", holder="node-a:17") == 1
    assert _value(text, "mitwirken_scheduler_lease_seconds_left", name="notices") == 20
    assert "mitwirken_engine_index_age_seconds" in text


def test_metrics_are_for_the_loopback_or_a_token_holder_only(app: Flask, client: FlaskClient):
    outside = {"environ_base": {"REMOTE_ADDR": "203.0.113.9"}}
    assert client.get("/metrics", **outside).status_code == 404
    _scrape(client)  # from 127.0.0.1
    app.config["METRICS_TOKEN"] = "scrape-token-0123456789"
    assert client.get("/metrics").status_code == 404  # loopback no longer enough
    bad = {"Authorization": "Bearer wrong"}
    assert client.get("/metrics", headers=bad, **outside).status_code == 404
    good = {"Authorization": "Bearer scrape-token-0123456789"}
    assert "mitwirken_outbox_notices" in _scrape(client, headers=good, **outside)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_gunicorn_workers_add_up_in_one_scrape_and_log_json(tmp_path: Path) -> None:
    """Multiprocess mode as ``volunteer serve`` and the image run it: two gunicorn workers,
    one ``PROMETHEUS_MULTIPROC_DIR``; every request is counted, whichever worker answered."""
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    port = _free_port()
    url = f"sqlite:///{tmp_path}/m.sqlite3"
    env = os.environ | {
        "VOLUNTEER_DATABASE_URL": url,
        "VOLUNTEER_SECRET_KEY": "metrics-test-secret-0123456789abcdef",
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
    }
    bin_dir = Path(sys.executable).parent
    subprocess.run(
        [bin_dir / "volunteer", "db", "upgrade"], env=env, check=True, capture_output=True
    )
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [
                bin_dir / "gunicorn",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "volunteer.wsgi:app",
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        # Waiting for the server asks /metrics, not /healthz: a poll that times out on a loaded
        # machine is still answered later, and would then be counted among the 20 below.
        deadline = time.monotonic() + 60
        while True:
            try:
                before = urllib.request.urlopen(f"{base}/metrics", timeout=2).read().decode()
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, log.read_text()
                time.sleep(0.2)
        # Concurrent requests, so that both workers serve some (which one the kernel wakes for a
        # sequential request is its choice, not ours).
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(
                pool.map(
                    lambda _: urllib.request.urlopen(f"{base}/healthz", timeout=5).read(), range(20)
                )
            )
        text = urllib.request.urlopen(f"{base}/metrics", timeout=5).read().decode()
    finally:
        server.terminate()
        server.wait(20)
    # One file per worker process that counted something; the scrape adds them all up.
    assert len(list(metrics_dir.glob("counter_*.db"))) >= 1
    healthz = {"endpoint": "pages.healthz", "status": "200"}
    total = _value(text, "mitwirken_http_requests_total", **healthz)
    assert total - _value(before, "mitwirken_http_requests_total", missing=0.0, **healthz) == 20
    access = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    assert sum(1 for line in access if line.get("route") == "/healthz") == total


@pytest.mark.slow
def test_volunteer_serve_scrapes_the_scheduler_jobs_with_the_web_requests(tmp_path: Path) -> None:
    """``volunteer serve`` (what ``make run`` starts) gives gunicorn and the scheduler one
    metrics directory: the web's /metrics shows the scheduler's dispatch runs."""
    port = _free_port()
    env = os.environ | {
        "VOLUNTEER_DATABASE_URL": f"sqlite:///{tmp_path}/serve.sqlite3",
        "VOLUNTEER_SECRET_KEY": "serve-metrics-secret-0123456789abcdef",
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    volunteer = Path(sys.executable).with_name("volunteer")
    subprocess.run([volunteer, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run(  # a user, so that serve does not spend a minute on demo data
        [volunteer, "create-user", "--email", "a@example.org", "--password", "Ein langer Satz 42"],
        env=env,
        check=True,
        capture_output=True,
    )
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        serve = subprocess.Popen(
            [volunteer, "serve", "--port", str(port), "--workers", "1"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=tmp_path,
            # As a background shell starts it: SIGINT inherited as ignored must not stop Ctrl-C
            # (SIGINT sent below) from stopping serve and both children.
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
        )
    text = ""
    try:
        deadline = time.monotonic() + 90
        # Both jobs asserted below, from two processes: the scheduler's dispatch and the web
        # worker's warm-up thread; under load either may be scraped first.
        while not ('job="dispatch"' in text and 'job="warm_engine_index"' in text):
            assert time.monotonic() < deadline and serve.poll() is None, log.read_text()
            time.sleep(0.5)
            try:
                text = (
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5)
                    .read()
                    .decode()
                )
            except OSError:
                continue
    finally:
        serve.send_signal(signal.SIGINT)
        # `volunteer serve` gives each child 15 s to stop after SIGTERM (the scheduler finishes
        # a rule it is running), then kills it: two children, so up to 30 s plus its own exit.
        serve.wait(45)
    assert _value(text, "mitwirken_job_runs_total", job="dispatch", outcome="ok") >= 1
    assert _value(text, "mitwirken_job_runs_total", job="warm_engine_index", outcome="ok") == 1


def test_the_process_log_writes_one_json_line_per_request_from_its_writer_thread(
    client: FlaskClient,
) -> None:
    stream = io.StringIO()
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    root.handlers[:] = []
    stop = configure_logging(stream=stream)
    assert stop is not None and configure_logging(stream=stream) is None  # idempotent
    try:
        for i in range(4):
            client.get("/healthz", headers={"X-Request-ID": f"edge-{i}"})

        def log_as(i: int) -> None:  # each thread's line carries that thread's request id
            REQUEST_ID.set(f"edge-{i}")
            logging.getLogger("volunteer.access").info("x", extra={"route": "/thread"})

        with ThreadPoolExecutor(4) as pool:
            list(pool.map(log_as, range(4, 8)))
        try:
            raise ValueError("boom")
        except ValueError:
            logging.getLogger("volunteer.test").exception("failed for %s", "anna@example.org")
    finally:
        stop()
        root.handlers[:], root.level = saved[0], saved[1]
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    access = [line for line in lines if line["logger"] == "volunteer.access"]
    assert sorted(line["request_id"] for line in access) == sorted(f"edge-{i}" for i in range(8))
    served = [line for line in access if line["route"] == "/healthz"]
    assert [(line["request_id"], line["status"], line["endpoint"]) for line in served] == [
        (f"edge-{i}", 200, "pages.healthz") for i in range(4)
    ]
    (failure,) = [line for line in lines if line["logger"] == "volunteer.test"]
    assert failure["message"] == "failed for [email]" and "ValueError: boom" in failure["exception"]


def test_a_process_forked_after_logging_was_configured_writes_its_own_lines(tmp_path) -> None:
    # gunicorn --preload configures logging in the master and forks the workers from it.
    path = tmp_path / "log"
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    root.handlers[:] = []
    with path.open("w") as stream:
        stop = configure_logging(stream=stream)
        assert stop is not None
        try:
            pid = os.fork()
            if pid == 0:  # the child: log, give its writer time to write, leave at once
                code = 1
                try:
                    logging.getLogger("volunteer.access").info("child", extra={"route": "/c"})
                    time.sleep(0.5)
                    code = 0
                finally:
                    os._exit(code)
            _, status = os.waitpid(pid, 0)
            logging.getLogger("volunteer.access").info("parent", extra={"route": "/p"})
        finally:
            stop()
            root.handlers[:], root.level = saved[0], saved[1]
    assert os.waitstatus_to_exitcode(status) == 0
    routes = sorted(json.loads(line)["route"] for line in path.read_text().splitlines())
    assert routes == ["/c", "/p"]
