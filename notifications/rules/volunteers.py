"""Rules for volunteers that build on other parts of the app (recognition, recommendations).

They are registered only when the services they need exist, so the scheduler keeps running
the other rules while those land.
"""

from notifications.rules import enqueue_new  # noqa: F401  (used by the rules below)


def available_rules() -> dict:  # type: ignore[type-arg]
    return {}
