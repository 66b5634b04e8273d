"""The in-app channel: the notice row *is* the message; delivering stores its text on it."""

from collections.abc import Iterator
from contextlib import contextmanager

from notifications.render import Rendered
from volunteer.models import Notice


class InboxChannel:
    """Marks the ``inapp`` row delivered (the dispatcher sets ``sent``), with its rendered text.

    The web app shows ``subject``/``body``/``link`` and must not import the renderer, so the
    text is rendered here, once, in the recipient's language.
    """

    name = "inapp"

    @contextmanager
    def batch(self) -> Iterator["InboxChannel"]:
        yield self

    def send(self, notice: Notice, message: Rendered) -> None:
        notice.subject = message.subject[:300]
        notice.body = message.summary or message.text
        notice.link = message.link[:500]
