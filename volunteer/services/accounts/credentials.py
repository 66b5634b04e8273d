"""Credentials: resetting and changing the password, changing the e-mail address.

Each proves itself with what the account holds (the current password, or a one-time link to the
address) and each kills what the old credentials let in: sessions are revoked, outstanding reset
and address-change links voided, the calendar feed's link renewed, and the owner told by mail.
"""

from datetime import datetime

from sqlmodel import Session, col, select

from volunteer.models import Token, User
from volunteer.platform.links import PublicLinks
from volunteer.services import audit
from volunteer.services.accounts import account as accounts
from volunteer.services.accounts.passwords import hash_password, verify_password
from volunteer.services.engagement import calendar
from volunteer.services.errors import ServiceError


def request_password_reset(
    session: Session,
    email: str,
    *,
    now: datetime,
    links: PublicLinks,
    hours: float,
    mail_budget: int,
) -> None:
    """Queue a reset link if the account exists; say nothing either way (no enumeration)."""
    user = accounts.find_by_email(session, email)
    if user is None or user.deleted_at is not None:
        return
    accounts.mail_link(
        session, user, "password_reset", endpoint="accounts.reset", now=now, links=links,
        valid_hours=hours, mail_budget=mail_budget, hours=hours,
    )  # fmt: skip


def reset_password(
    session: Session, raw: str, password: str, *, now: datetime, min_length: int
) -> User:
    token = accounts.consume_token(session, raw, "password_reset", now=now)
    user = accounts.active_user(session, token.user_id)
    if user is None:
        raise ServiceError("invalid_token", field="token")
    accounts.check_password(password, min_length=min_length, email=user.email)
    _set_password(session, user, password, now=now)
    user.email_verified_at = user.email_verified_at or now  # the link proved the address
    return user


def change_password(
    session: Session, user: User, *, current: str, new: str, now: datetime, min_length: int
) -> None:
    if not verify_password(user.password_hash, current):
        raise ServiceError("wrong_password", field="current_password")
    accounts.check_password(new, min_length=min_length, email=user.email)
    _set_password(session, user, new, now=now)


# Links that act on the account with its current password and address: a new password (set
# with the old one or through a reset link) voids every one still outstanding.
ACCOUNT_LINK_PURPOSES = ("password_reset", "email_change")


def void_account_links(session: Session, user: User, *, now: datetime) -> int:
    """Mark every unused reset and e-mail-change link of ``user`` used; returns how many.

    A reset link mailed before the password changed (or a second one next to the one just
    used) must not work afterwards, nor a pending address change confirmed with the old one.
    """
    tokens = session.exec(
        select(Token).where(
            Token.user_id == user.id,
            col(Token.purpose).in_(ACCOUNT_LINK_PURPOSES),
            col(Token.used_at).is_(None),
        )
    ).all()
    for token in tokens:
        token.used_at = now
        session.add(token)
    return len(tokens)


def _set_password(session: Session, user: User, password: str, *, now: datetime) -> None:
    user.password_hash = hash_password(password)
    user.password_changed_at = now
    accounts.revoke_sessions(session, user)
    void_account_links(session, user, now=now)
    calendar.revoke_feed_token(session, user)  # a copied feed link dies with the old password
    audit.record(
        session, "user.password_changed", actor=user, now=now, object_type="user", object_id=user.id
    )
    accounts.tell_holder(session, user, "password_changed", now=now)


def request_email_change(
    session: Session,
    user: User,
    *,
    new_email: str,
    password: str,
    now: datetime,
    links: PublicLinks,
    hours: float,
    mail_budget: int,
) -> None:
    """Send the confirmation link to the new address; it becomes the login only once confirmed.

    An address that already belongs to another account is not refused with "exists": that would
    let any logged-in person test who is registered. The caller answers as for a free address;
    no link is sent, and the address's owner is told that someone tried to move an account to it.
    """
    if not verify_password(user.password_hash, password):
        raise ServiceError("wrong_password", field="password")
    new_email = new_email.strip()
    existing = accounts.find_by_email(session, new_email)
    if existing is not None and existing.id != user.id:
        if existing.deleted_at is None:
            accounts.tell_holder(
                session, existing, "email_claim_attempt", now=now, mail_budget=mail_budget,
                unique=f"{user.id}:{now.isoformat()}",
            )  # fmt: skip
        return
    accounts.mail_link(
        session, user, "email_change", endpoint="accounts.confirm_email", now=now, links=links,
        valid_hours=hours, mail_budget=mail_budget, to_email=new_email, new_email=new_email,
    )  # fmt: skip


def confirm_email_change(session: Session, raw: str, *, now: datetime) -> User:
    token = accounts.consume_token(session, raw, "email_change", now=now)
    user = session.get(User, token.user_id)
    new_email = token.email or ""
    if user is None or not new_email:
        raise ServiceError("invalid_token", field="token")
    other = accounts.find_by_email(session, new_email)
    if other is not None and other.id != user.id:
        raise ServiceError("email_taken", field="email")
    old = user.email
    user.email, user.email_key = new_email, accounts.email_key(new_email)
    user.email_verified_at = now
    # Whoever holds another session (or a copied cookie) is logged out; the browser that
    # confirmed is logged in again by the view. The old address hears of the change, so a
    # takeover does not go unnoticed.
    accounts.revoke_sessions(session, user)
    session.add(user)
    accounts.tell_holder(
        session, user, "email_changed", now=now, to_email=old, facts={"new_email": new_email}
    )
    audit.record(
        session, "user.email_changed", actor=user, now=now, object_type="user", object_id=user.id,
        old=old, new=new_email,
    )  # fmt: skip
    return user
