"""The served app builds what its first visitors would wait for as the worker starts."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.factories import seed_reference
from volunteer.runtime import warm_caches
from volunteer.services.coordination import match_aggregates, match_columns
from volunteer.services.discovery import engine, freshness


def test_warming_builds_the_indexes_the_overview_and_the_statistics_columns(app, session, now):
    seed_reference(session)
    match_aggregates.refresh_recent(session, now=now)  # aggregates with their stamp
    session.commit()
    engine.invalidate()
    warm_caches(app).join(timeout=60)
    assert engine._cache._entries, "the opportunity index should be cached"
    assert "coordination_overview" in freshness.index_ages()
    assert session.get_bind() in match_columns._kept


# Run in a process of its own, as a gunicorn worker imports the WSGI module: what the warm-up
# counted in the metrics and which kept values it left.
_WORKER = """
import json
import volunteer.wsgi as worker
from volunteer.platform.metrics import JOB_RUNS
from volunteer.services.discovery import freshness
worker.warming.join(120)
print(json.dumps({
    "jobs": {
        s.labels["job"] + "/" + s.labels["outcome"]: s.value
        for metric in JOB_RUNS.collect() for s in metric.samples if s.name.endswith("_total")
    },
    "kept": sorted(freshness.index_ages()),
}))
"""


@pytest.mark.slow
def test_the_wsgi_module_warms_the_caches_as_a_worker_starts(tmp_path: Path) -> None:
    env = os.environ | {
        "VOLUNTEER_DATABASE_URL": f"sqlite:///{tmp_path}/w.sqlite3",
        "VOLUNTEER_SECRET_KEY": "warm-test-secret-0123456789abcdef-0123",
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    volunteer = Path(sys.executable).with_name("volunteer")
    subprocess.run([volunteer, "db", "upgrade"], env=env, check=True, capture_output=True)
    done = subprocess.run(
        [sys.executable, "-c", _WORKER], env=env, check=True, capture_output=True, text=True
    )
    found = json.loads(done.stdout.splitlines()[-1])
    assert found["jobs"]["warm_engine_index/ok"] == 1
    assert found["jobs"]["warm_coordination/ok"] == 1
    assert "coordination_overview" in found["kept"]
