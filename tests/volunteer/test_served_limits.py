"""What a client sees from `volunteer serve`'s gunicorn: oversized requests, and rate limits that
hold across app nodes.

The app (not gunicorn's HTML page) answers up to gunicorn's maximum line of 8190 bytes, with
problem details on the API; beyond that gunicorn itself refuses before the app is reached.

Two app nodes (two gunicorn processes, as two machines behind a balancer would run them) count
login guesses in one Redis: 30 guesses spread over both get only the limit's worth checked. The
same two nodes on ``memory://`` each count their own, so twice as many are checked: the reason
production refuses ``memory://`` with more than one worker.
"""

import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

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


# --- two nodes, one Redis ------------------------------------------------------------------------
LIMIT = 10
GUESSES = 30


def _start_node(env: dict[str, str], cwd: Path, log: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    exe = os.path.dirname(sys.executable)
    gunicorn = shutil.which("gunicorn", path=exe) or "gunicorn"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            gunicorn_command(gunicorn, "127.0.0.1", port, 1),
            env=env,
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return proc, port


def _wait_healthy(proc: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            if _get(port, "/healthz")[0] == 200:
                return
        except OSError:
            pass
        assert time.monotonic() < deadline and proc.poll() is None, log.read_text()
        time.sleep(0.2)


def _guess(port: int, cookie: str, token: str, n: int) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    body = f"csrf_token={token}&email=ziel%40example.org&password=falsch+{n}"
    conn.request(
        "POST",
        "/konto/anmelden",
        body=body,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
    )
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.status


@pytest.mark.slow
@pytest.mark.parametrize(("storage", "checked"), [("redis", LIMIT), ("memory", 2 * LIMIT)])
def test_login_guesses_over_two_nodes_count_once_in_redis(
    request: pytest.FixtureRequest, tmp_path: Path, storage: str, checked: int
) -> None:
    uri = request.getfixturevalue("redis_url") if storage == "redis" else "memory://"
    env = {
        **os.environ,
        "VOLUNTEER_DATABASE_URL": f"sqlite:///{tmp_path}/nodes.db",
        "VOLUNTEER_SECRET_KEY": "two-nodes-test-secret-" + "n" * 30,  # one secret on every node
        "VOLUNTEER_RATELIMIT_STORAGE_URI": uri,
        # Every run counts under its own keys in the shared Redis.
        "VOLUNTEER_RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        # A daily window: a minute's window could roll over between two guesses of this test.
        "VOLUNTEER_LOGIN_RATE_LIMIT": f"{LIMIT} per day",
        "VOLUNTEER_WORKERS": "2",
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    volunteer = Path(sys.executable).parent / "volunteer"
    subprocess.run([volunteer, "db", "upgrade"], env=env, cwd=tmp_path, check=True)
    nodes = [_start_node(env, tmp_path, tmp_path / f"node{i}.log") for i in range(2)]
    try:
        for i, (proc, port) in enumerate(nodes):
            _wait_healthy(proc, port, tmp_path / f"node{i}.log")
        # One browser: its session cookie and CSRF token from node 0 are good on node 1 too.
        conn = http.client.HTTPConnection("127.0.0.1", nodes[0][1], timeout=30)
        conn.request("GET", "/konto/anmelden")
        page = conn.getresponse()
        html = page.read().decode()
        cookie = (page.getheader("Set-Cookie") or "").split(";", 1)[0]
        conn.close()
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
        assert token is not None and cookie
        codes = [
            (n % 2, _guess(nodes[n % 2][1], cookie, token.group(1), n)) for n in range(GUESSES)
        ]
    finally:
        for proc, _port in nodes:
            proc.terminate()
        for proc, _port in nodes:
            proc.wait(timeout=15)
    statuses = [status for _node, status in codes]
    # 422: the password was checked (and wrong); 429: refused unchecked. Nothing else.
    assert statuses.count(422) == checked and statuses.count(429) == GUESSES - checked
    if storage == "redis":
        assert statuses == [422] * LIMIT + [429] * (GUESSES - LIMIT)
        assert {node for node, status in codes if status == 429} == {0, 1}
