"""Delivery channels behind one interface: e-mail over SMTP, the in-app inbox, and a fake.

A channel opens a *batch* (one SMTP connection for many messages) and sends one rendered
notice at a time. Failures raise :class:`TransportError`; ``permanent`` decides whether the
dispatcher retries with backoff or records the failure for coordinators.
"""

from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import Protocol

from notifications.render import Rendered
from volunteer.models import Notice


class TransportError(Exception):
    """Sending failed. Transient errors are retried; permanent ones are recorded and shown."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Batch(Protocol):
    def send(self, notice: Notice, message: Rendered) -> None:
        """Deliver one notice or raise :class:`TransportError`."""


class Channel(Protocol):
    name: str  # the Notice.channel this channel serves: "email" or "inapp"

    def batch(self) -> AbstractContextManager[Batch]:
        """Open what a batch shares (e.g. one SMTP connection) and close it afterwards."""


__all__ = ["Batch", "Channel", "Iterator", "TransportError"]
