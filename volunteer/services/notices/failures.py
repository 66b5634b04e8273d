"""Notices that could not be delivered, and what a coordinator can do about each.

The dispatcher records why a notice failed for good in ``Notice.last_error``, in its own words
(``notifications/dispatcher``, ``notifications/channels/smtp.py``). :func:`reason` sorts those
into a few causes a coordinator can act on; the page words them. The three actions, each
audited: correct the address (on the person's account when there is one, and every failed mail
to that person goes again to the new address), queue the notice again, or mark the recipient
unreachable (the notice is given up and leaves the list).
"""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from volunteer.models import Notice, NoticeStatus, User
from volunteer.services import audit
from volunteer.services.accounts.account import email_key, find_by_email
from volunteer.services.errors import ServiceError
from volunteer.services.notices.outbox import EMAIL

#: Causes in the order the dispatcher's texts are tested: (cause, prefixes of ``last_error``).
_CAUSES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("address_invalid", ("no valid recipient address",)),
    ("address_refused", ("recipient refused",)),
    ("server_unreachable", ("gave up after",)),
    ("service_fault", ("render:", "no such channel", "could not be stored")),
)
#: What ``last_error`` says once a coordinator gave the notice up.
UNREACHABLE = "marked unreachable by a coordinator"


def reason(last_error: str | None) -> str:
    """The cause of a failure: an address to correct, a mail server that was away, or a fault
    in the service itself (the operators' concern); ``unknown`` for anything else."""
    text = last_error or ""
    for cause, prefixes in _CAUSES:
        if text.startswith(prefixes):
            return cause
    return "unknown"


@dataclass(frozen=True)
class FailedNotice:
    notice: Notice
    user: User | None
    address: str
    cause: str


def failed(session: Session, *, limit: int = 200) -> list[FailedNotice]:
    """Notices that failed for good, newest first, with their recipient and cause."""
    notices = list(
        session.exec(
            select(Notice)
            .where(Notice.status == NoticeStatus.FAILED)
            .order_by(col(Notice.due_at).desc(), col(Notice.id).desc())
            .limit(limit)
        ).all()
    )
    ids = {n.user_id for n in notices if n.user_id}
    users = (
        {u.id: u for u in session.exec(select(User).where(col(User.id).in_(ids))).all()}
        if ids
        else {}
    )
    out = []
    for n in notices:
        user = users.get(n.user_id) if n.user_id else None
        address = n.to_email or (user.email if user else "")
        out.append(FailedNotice(n, user, address, reason(n.last_error)))
    return out


def _failed(session: Session, notice_id: int) -> Notice:
    notice = session.get(Notice, notice_id)
    if notice is None or notice.status != NoticeStatus.FAILED:
        raise ServiceError("not_found")
    return notice


def _queue_again(session: Session, notice: Notice, *, now: datetime) -> None:
    notice.status = NoticeStatus.PENDING
    notice.attempts = 0
    notice.due_at = now
    notice.lease_until = None
    notice.claimed_by = None
    notice.last_error = None
    session.add(notice)


def resend(session: Session, notice_id: int, *, by: User, now: datetime) -> Notice:
    """Queue a failed notice again (the mail server was away, or the cause was fixed)."""
    notice = _failed(session, notice_id)
    _queue_again(session, notice, now=now)
    return audit.saved(
        session, notice, "notice.resent", actor=by, now=now, object_type="notice",
        object_id=notice.id, kind=notice.kind,
    )  # fmt: skip


def correct_address(
    session: Session, notice_id: int, new_email: str, *, by: User, now: datetime
) -> int:
    """Correct the recipient's address and send again; returns how many notices go again.

    With an account, the account's address changes (so every later notice reaches it too) and
    every failed e-mail to that person is queued again to it; an address another account uses
    is refused. Without one (e.g. a parent's mail), only this notice's address changes. The
    audit entry names the notice and the account, not the addresses.
    """
    notice = _failed(session, notice_id)
    if notice.channel != EMAIL:
        raise ServiceError("not_found")
    new_email = new_email.strip()
    if not new_email:
        raise ServiceError("required", field="email")
    user = session.get(User, notice.user_id) if notice.user_id else None
    if user is None:
        notice.to_email = new_email
        _queue_again(session, notice, now=now)
        again = [notice]
    else:
        other = find_by_email(session, new_email)
        if other is not None and other.id != user.id:
            raise ServiceError("email_taken", field="email")
        user.email, user.email_key = new_email, email_key(new_email)
        session.add(user)
        again = list(
            session.exec(
                select(Notice).where(
                    Notice.user_id == user.id,
                    Notice.status == NoticeStatus.FAILED,
                    Notice.channel == EMAIL,
                )
            ).all()
        )
        for n in again:
            n.to_email = new_email
            _queue_again(session, n, now=now)
    audit.record(
        session, "notice.address_corrected", actor=by, now=now, object_type="notice",
        object_id=notice.id, user_id=user.id if user else None, notices=len(again),
    )  # fmt: skip
    session.flush()
    return len(again)


def mark_unreachable(session: Session, notice_id: int, *, by: User, now: datetime) -> Notice:
    """Give the notice up: nobody can be reached at that address; it leaves the list."""
    notice = _failed(session, notice_id)
    notice.status = NoticeStatus.CANCELLED
    notice.last_error = UNREACHABLE
    notice.lease_until = None
    return audit.saved(
        session, notice, "notice.unreachable", actor=by, now=now, object_type="notice",
        object_id=notice.id, kind=notice.kind,
    )  # fmt: skip
