"""A fake channel for tests: remembers what it was asked to send, can be told to fail."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from notifications.channels import TransportError
from notifications.render import Rendered
from volunteer.models import Notice


@dataclass
class RecordingChannel:
    name: str = "email"
    sent: list[tuple[Notice, Rendered]] = field(default_factory=list)
    # Return an error to raise for a notice, or None to deliver it.
    fail: Callable[[Notice], TransportError | None] | None = None
    batches: int = 0

    @contextmanager
    def batch(self) -> Iterator["RecordingChannel"]:
        self.batches += 1
        yield self

    def send(self, notice: Notice, message: Rendered) -> None:
        if self.fail is not None:
            error = self.fail(notice)
            if error is not None:
                raise error
        self.sent.append((notice, message))

    @property
    def kinds(self) -> list[str]:
        return [n.kind for n, _m in self.sent]
