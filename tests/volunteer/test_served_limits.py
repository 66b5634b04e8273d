"""What a client sees from `volunteer serve`'s gunicorn for oversized request lines and headers.

The app (not gunicorn's HTML page) answers up to gunicorn's maximum line of 8190 bytes, with
problem details on the API; beyond that gunicorn itself refuses before the app is reached.
"""

import http.client
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from volunteer.cli import gunicorn_command


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[int]:
    port = _free_port()
    exe = os.path.dirname(sys.executable)
    gunicorn = shutil.which("gunicorn", path=exe) or "gunicorn"
    tmp = tmp_path_factory.mktemp("served")
    env = {
        **os.environ,
        "VOLUNTEER_DATABASE_URL": f"sqlite:///{tmp}/served.db",
        "VOLUNTEER_SECRET_KEY": "served-test-secret-" + "k" * 30,
        "VOLUNTEER_WORKERS": "1",
    }
    proc = subprocess.Popen(
        gunicorn_command(gunicorn, "127.0.0.1", port, 1),
        env=env,
        cwd=tmp,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def _get(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, str, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers=headers or {})
    response = conn.getresponse()
    body = response.read().decode("utf-8", "replace")
    conn.close()
    return response.status, response.getheader("Content-Type") or "", body


def test_the_app_answers_a_long_api_request_line_with_problem_details(served):
    status, ctype, _ = _get(served, "/api/v1/opportunities?q=" + "x" * 5000)
    assert status == 414 and ctype.startswith("application/problem+json")


def test_the_app_answers_large_headers_with_problem_details(served):
    status, ctype, _ = _get(served, "/api/v1/taxonomy", {"X-Big": "y" * 9000})
    assert status == 431 and ctype.startswith("application/problem+json")


def test_beyond_gunicorns_maximum_gunicorn_refuses_without_a_5xx(served):
    status, _, body = _get(served, "/api/v1/opportunities?q=" + "x" * 9000)
    assert status == 414 and "Request Line is too large" in body
