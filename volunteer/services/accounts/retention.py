"""Retention: what is deleted or emptied when, as the privacy notice promises.

The periods are configuration (``RETENTION_*`` in :mod:`volunteer.config`, documented defaults);
the scheduler's ``retention`` rule (:mod:`notifications.rules.retention`) runs :func:`apply`
every night, and the privacy notice quotes the same :class:`Periods`. Accounts are removed through
:func:`privacy.delete_account`, the one erasure rule, so an expired account leaves exactly what
a deleted one leaves: anonymous statistics.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, or_, update
from sqlmodel import Session, col, select

from volunteer.models import AuditEntry, Notice, NoticeStatus, Signup, SignupState, Token, User
from volunteer.services.accounts import privacy
from volunteer.services.notices import outbox

INACTIVE_KIND = "account_inactive"
_DONE = (NoticeStatus.SENT, NoticeStatus.FAILED, NoticeStatus.SKIPPED, NoticeStatus.CANCELLED)


@dataclass(frozen=True)
class Periods:
    """Retention periods in days (see ``RETENTION_*`` in :mod:`volunteer.config`)."""

    unverified_days: int
    token_days: int
    notice_days: int
    audit_days: int
    declined_message_days: int
    inactive_days: int
    inactive_grace_days: int

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> "Periods":
        return cls(
            unverified_days=int(config["RETENTION_UNVERIFIED_DAYS"]),
            token_days=int(config["RETENTION_TOKEN_DAYS"]),
            notice_days=int(config["RETENTION_NOTICE_DAYS"]),
            audit_days=int(config["RETENTION_AUDIT_DAYS"]),
            declined_message_days=int(config["RETENTION_DECLINED_MESSAGE_DAYS"]),
            inactive_days=int(config["RETENTION_INACTIVE_DAYS"]),
            inactive_grace_days=int(config["RETENTION_INACTIVE_GRACE_DAYS"]),
        )


@dataclass
class Summary:
    unverified_deleted: int = 0
    tokens_deleted: int = 0
    notices_emptied: int = 0
    audit_deleted: int = 0
    messages_emptied: int = 0
    inactive_warned: int = 0
    inactive_deleted: int = 0


def _count(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def delete_unverified(session: Session, periods: Periods, *, now: datetime) -> int:
    """Accounts whose address was never confirmed within the period."""
    stale = session.exec(
        select(User).where(
            col(User.email_verified_at).is_(None),
            col(User.deleted_at).is_(None),
            User.created_at < now - timedelta(days=periods.unverified_days),
        )
    ).all()
    for user in stale:
        privacy.delete_account(session, user, now=now)
    return len(stale)


def delete_tokens(session: Session, periods: Periods, *, now: datetime) -> int:
    cutoff = now - timedelta(days=periods.token_days)
    return _count(
        session.execute(
            delete(Token).where(or_(col(Token.expires_at) < cutoff, col(Token.used_at) < cutoff))
        )
    )


def empty_notices(session: Session, periods: Periods, *, now: datetime) -> int:
    """Sent (or finished) notices lose their text, address and facts; inbox copies go. The
    e-mail row stays with kind, times and dedupe key, so no rule sends the same notice again."""
    cutoff = now - timedelta(days=periods.notice_days)
    old = (
        col(Notice.status).in_([s.value for s in _DONE]),
        func.coalesce(col(Notice.sent_at), col(Notice.created_at)) < cutoff,
    )
    gone = _count(session.execute(delete(Notice).where(*old, col(Notice.channel) == "inapp")))
    emptied = _count(
        session.execute(
            update(Notice)
            .where(
                *old,
                or_(
                    col(Notice.to_email).is_not(None),
                    col(Notice.body).is_not(None),
                    col(Notice.subject).is_not(None),
                ),
            )
            .values(payload={}, subject=None, body=None, link=None, to_email=None, last_error=None)
            .execution_options(synchronize_session=False)
        )
    )
    return gone + emptied


def delete_audit(session: Session, periods: Periods, *, now: datetime) -> int:
    cutoff = now - timedelta(days=periods.audit_days)
    return _count(session.execute(delete(AuditEntry).where(col(AuditEntry.at) < cutoff)))


def empty_declined_messages(session: Session, periods: Periods, *, now: datetime) -> int:
    """What someone wrote when applying, and the reason given, once the sign-up ended unfilled."""
    cutoff = now - timedelta(days=periods.declined_message_days)
    return _count(
        session.execute(
            update(Signup)
            .where(
                col(Signup.state).in_([SignupState.DECLINED.value, SignupState.WITHDRAWN.value]),
                col(Signup.updated_at) < cutoff,
                or_(col(Signup.message) != "", col(Signup.reason) != ""),
            )
            .values(message="", reason="")
            .execution_options(synchronize_session=False)
        )
    )


def expire_inactive(session: Session, periods: Periods, *, now: datetime) -> tuple[int, int]:
    """No log-in for ``inactive_days``: a warning mail first; still nothing ``inactive_grace_days``
    after it, the account is deleted. Logging in (or registering again) starts over.

    Returns (warned, deleted)."""
    last_seen = func.coalesce(col(User.last_login_at), col(User.created_at))
    idle = session.exec(
        select(User).where(
            col(User.deleted_at).is_(None),
            col(User.email_verified_at).is_not(None),
            last_seen < now - timedelta(days=periods.inactive_days),
        )
    ).all()
    warned = deleted = 0
    for user in idle:
        seen = user.last_login_at or user.created_at
        warning = session.exec(
            select(Notice.created_at)
            .where(
                Notice.kind == INACTIVE_KIND,
                Notice.user_id == user.id,
                col(Notice.created_at) >= seen,
            )
            .order_by(col(Notice.created_at))
        ).first()
        if warning is None:
            delete_on = now + timedelta(days=periods.inactive_grace_days)
            outbox.enqueue(
                session,
                INACTIVE_KIND,
                dedupe_key=f"{INACTIVE_KIND}:{user.id}:{seen.date().isoformat()}",
                now=now,
                user=user,
                payload={"delete_on": delete_on.date().isoformat()},
                channels=("email",),
            )
            warned += 1
        elif warning <= now - timedelta(days=periods.inactive_grace_days):
            privacy.delete_account(session, user, now=now)
            deleted += 1
    return warned, deleted


def apply(session: Session, periods: Periods, *, now: datetime) -> Summary:
    """Everything the privacy notice promises, in one transaction (the caller commits)."""
    summary = Summary()
    summary.unverified_deleted = delete_unverified(session, periods, now=now)
    summary.inactive_warned, summary.inactive_deleted = expire_inactive(session, periods, now=now)
    summary.tokens_deleted = delete_tokens(session, periods, now=now)
    summary.notices_emptied = empty_notices(session, periods, now=now)
    summary.audit_deleted = delete_audit(session, periods, now=now)
    summary.messages_emptied = empty_declined_messages(session, periods, now=now)
    session.flush()
    return summary
