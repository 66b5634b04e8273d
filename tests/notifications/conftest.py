"""Fixtures for notice tests: the little world of ``factories.make_world`` and a dispatcher wired
to recording channels."""

import functools
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from flask import Flask
from sqlmodel import Session

from notifications.channels.inbox import InboxChannel
from notifications.channels.recording import RecordingChannel
from notifications.dispatcher import Dispatcher, Policy
from tests import factories
from volunteer.platform.db import get_bind


@pytest.fixture
def world(session: Session, now: datetime) -> Callable[..., dict[str, Any]]:
    """``factories.make_world`` on the test's session and clock."""
    return functools.partial(factories.make_world, session, now=now)


@pytest.fixture
def recording() -> RecordingChannel:
    return RecordingChannel()


@pytest.fixture
def clock(now: datetime) -> dict[str, datetime]:
    """A movable clock for the dispatcher: ``clock["now"] += timedelta(...)``."""
    return {"now": now}


@pytest.fixture
def dispatcher(app: Flask, recording: RecordingChannel, clock: dict[str, datetime]) -> Dispatcher:
    return Dispatcher(
        app,
        get_bind(app),
        {"email": recording, "inapp": InboxChannel()},
        policy=Policy(batch_size=50),
        worker="test",
        clock=lambda: clock["now"],
    )
