"""The served app warms the engine's index at start-up."""

from volunteer.runtime import warm_engine_index
from volunteer.services.discovery import engine


def test_warming_builds_the_index_before_the_first_request(app):
    engine.invalidate()
    warm_engine_index(app).join(timeout=30)
    assert engine._cache._entries, "the opportunity index should be cached"
