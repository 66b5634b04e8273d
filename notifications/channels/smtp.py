"""E-mail over SMTP: one connection per batch, multipart text + HTML, one-click unsubscribe.

The connection is opened lazily on the first message of a batch and reused for the rest
(reconnecting once if the server dropped it), which is what makes 100,000 notices take minutes
rather than hours. SMTP 5xx replies for a recipient are permanent failures; everything else
(refused connection, timeouts, 4xx) is transient and retried later by the dispatcher.
"""

import contextlib
import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr

from notifications.channels import TransportError
from notifications.render import Rendered
from volunteer.models import Notice


@dataclass(frozen=True)
class SmtpSettings:
    host: str = "127.0.0.1"
    port: int = 25
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    timeout: float = 10.0
    mail_from: str = "Mitwirken <noreply@localhost>"
    message_id_domain: str = "mitwirken.local"


def message_id(notice: Notice, domain: str) -> str:
    """A Message-ID derived from the notice alone: a re-send after a crash carries the same id,
    so receiving servers and clients can drop the duplicate."""
    key = notice.dedupe_key.replace(":", ".").replace(" ", "")[:120]
    return f"<notice-{notice.id}.{key}@{domain}>"


def build_message(notice: Notice, rendered: Rendered, settings: SmtpSettings) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = rendered.subject
    msg["From"] = settings.mail_from
    msg["To"] = notice.to_email or ""
    msg["Message-ID"] = message_id(notice, settings.message_id_domain)
    msg["Date"] = format_datetime(notice.due_at)
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Mitwirken-Kind"] = notice.kind
    if rendered.unsubscribe_url:
        msg["List-Unsubscribe"] = f"<{rendered.unsubscribe_url}>"
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.set_content(rendered.text)
    msg.add_alternative(rendered.html, subtype="html")
    for a in rendered.attachments:
        maintype, subtype = a.content_type.split("/", 1)
        msg.add_attachment(a.data, maintype=maintype, subtype=subtype, filename=a.filename)
    msg["Content-Language"] = notice.locale  # after the body: set_content clears Content-*
    return msg


class SmtpChannel:
    name = "email"

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self.connections_opened = 0

    @contextmanager
    def batch(self) -> Iterator["_SmtpBatch"]:
        batch = _SmtpBatch(self)
        try:
            yield batch
        finally:
            batch.close()

    def connect(self) -> smtplib.SMTP:
        s = self.settings
        try:
            conn = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            if s.starttls:
                conn.starttls(context=ssl.create_default_context())
            if s.username:
                conn.login(s.username, s.password or "")
        except smtplib.SMTPAuthenticationError as e:
            raise TransportError(f"SMTP login refused: {e.smtp_code}") from e
        except (OSError, smtplib.SMTPException) as e:
            raise TransportError(f"SMTP server unreachable: {e}") from e
        self.connections_opened += 1
        return conn


class _SmtpBatch:
    def __init__(self, channel: SmtpChannel) -> None:
        self.channel = channel
        self.conn: smtplib.SMTP | None = None
        self.sender = parseaddr(channel.settings.mail_from)[1]

    def send(self, notice: Notice, message: Rendered) -> None:
        if not notice.to_email or "@" not in notice.to_email:
            raise TransportError("no valid recipient address", permanent=True)
        msg = build_message(notice, message, self.channel.settings)
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = self.channel.connect()
            try:
                refused = self.conn.send_message(msg, self.sender, [notice.to_email])
            except smtplib.SMTPRecipientsRefused as e:
                code, text = next(iter(e.recipients.values()))
                raise TransportError(
                    f"recipient refused: {code} {_decode(text)}", permanent=500 <= code < 600
                ) from e
            except smtplib.SMTPResponseException as e:
                if isinstance(e, smtplib.SMTPSenderRefused) or e.smtp_code >= 500:
                    raise TransportError(
                        f"rejected: {e.smtp_code} {_decode(e.smtp_error)}",
                        permanent=e.smtp_code >= 500,
                    ) from e
                raise TransportError(f"temporary: {e.smtp_code} {_decode(e.smtp_error)}") from e
            except (TimeoutError, smtplib.SMTPServerDisconnected, OSError) as e:
                # A server that closed an idle connection: reconnect once, then give up for now.
                self.close()
                if attempt == 2:
                    raise TransportError(f"connection lost: {e}") from e
                continue
            if refused:
                raise TransportError(f"recipient refused: {refused}", permanent=True)
            return

    def close(self) -> None:
        if self.conn is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self.conn.quit()
            self.conn = None


def _decode(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def settings_from_config(config: dict) -> SmtpSettings:  # type: ignore[type-arg]
    base = str(config.get("BASE_URL", "http://localhost"))
    host = base.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "mitwirken.local"
    return SmtpSettings(
        host=str(config.get("SMTP_HOST") or "127.0.0.1"),
        port=int(config.get("SMTP_PORT") or 25),
        username=config.get("SMTP_USERNAME") or None,
        password=config.get("SMTP_PASSWORD") or None,
        starttls=bool(config.get("SMTP_STARTTLS")),
        timeout=float(config.get("SMTP_TIMEOUT") or 10),
        mail_from=str(config.get("MAIL_FROM") or formataddr(("Mitwirken", "noreply@" + host))),
        message_id_domain=host,
    )
