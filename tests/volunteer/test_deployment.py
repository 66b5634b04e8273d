"""compose.yaml describes the deployment the README promises, with settings that exist."""

from pathlib import Path

import yaml

from volunteer.config import DEFAULTS

ROOT = Path(__file__).resolve().parents[2]


def test_compose_runs_two_app_nodes_a_scheduler_postgresql_and_redis() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"app1", "app2", "scheduler", "db", "redis"}
    for name in ("app1", "app2"):
        assert "command" not in services[name]  # the image's command: migrate, then gunicorn
        assert services[name]["ports"][0].startswith("127.0.0.1:")  # only the proxy reaches it
    assert services["scheduler"]["command"] == ["volunteer", "scheduler"]
    env = services["app1"]["environment"]
    assert env["VOLUNTEER_ENV"] == "production"
    assert env["VOLUNTEER_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert env["VOLUNTEER_RATELIMIT_STORAGE_URI"].startswith("redis://redis:")
    unknown = {k for k in env if k.startswith("VOLUNTEER_")} - {f"VOLUNTEER_{k}" for k in DEFAULTS}
    assert not unknown, f"compose.yaml sets settings the app does not read: {unknown}"
