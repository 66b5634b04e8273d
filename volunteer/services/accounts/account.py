"""Accounts: registration, verification, login and sessions, one-time links, language.

Changing the password or the address is :mod:`.credentials`.
"""

import hashlib
import secrets
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from volunteer.models import Notice, NoticeStatus, Role, Token, User
from volunteer.models.accounts import new_alternative_id
from volunteer.platform import signing
from volunteer.platform.links import PublicLinks
from volunteer.services import audit
from volunteer.services.accounts import consents
from volunteer.services.accounts.passwords import (
    hash_password,
    needs_rehash,
    password_problems,
    verify_password,
)
from volunteer.services.errors import ServiceError
from volunteer.services.notices import outbox


def email_key(email: str) -> str:
    return email.strip().lower()


def find_by_email(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email_key == email_key(email))).first()


def coordinators(session: Session) -> list[User]:
    """The city's coordinators whose accounts still exist: who hears of what needs the city's
    attention (an organisation to verify, the weekly summary)."""
    return list(
        session.exec(
            select(User).where(User.role == Role.COORDINATOR, col(User.deleted_at).is_(None))
        ).all()
    )


def active_user(session: Session, user_id: int | None) -> User | None:
    """The account if it still exists: a deleted one keeps its (emptied) row, and nothing may
    be sent to it or done for it."""
    user = session.get(User, user_id) if user_id is not None else None
    return None if user is None or user.deleted_at is not None else user


def check_password(password: str, *, min_length: int, email: str = "") -> None:
    problems = password_problems(password, min_length=min_length, email=email)
    if problems:
        raise ServiceError(problems[0], field="password", min_length=min_length)


def create_user(
    session: Session,
    *,
    email: str,
    password: str,
    now: datetime,
    role: str,
    first_name: str,
    min_length: int,
) -> User:
    """An account an operator makes (``volunteer create-user``, e.g. a coordinator): the password
    policy holds as on the form; the address counts as verified, since the operator vouches."""
    email = email.strip()
    if find_by_email(session, email) is not None:
        raise ServiceError("email_taken", field="email")
    check_password(password, min_length=min_length, email=email)
    user = _insert_user(
        session, email=email, password_hash=hash_password(password), now=now,
        first_name=first_name, locale="de", role=role,
    )  # fmt: skip
    user.email_verified_at = now
    return user


def _insert_user(
    session: Session,
    *,
    email: str,
    password_hash: str,
    now: datetime,
    first_name: str,
    locale: str,
    role: str = Role.VOLUNTEER,
) -> User:
    """The new row and its audit entry, the part every way of creating an account shares."""
    user = User(
        email=email,
        email_key=email_key(email),
        password_hash=password_hash,
        first_name=first_name.strip(),
        locale=locale,
        role=role,
        created_at=now,
    )
    session.add(user)
    session.flush()
    audit.record(
        session, "user.created", actor=user, now=now, object_type="user", object_id=user.id,
        role=role,
    )  # fmt: skip
    return user


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_token(
    session: Session,
    purpose: str,
    *,
    now: datetime,
    hours: float,
    user: User | None = None,
    email: str | None = None,
    data: dict[str, Any] | None = None,
) -> str:
    """Store a single-use token and return the *slot* to put into the link in the payload.

    No working token is ever stored: the row keeps a hash of a random key, the payload keeps the
    key in a slot (``{token:<key>}``), and the renderer fills the slot with the key signed by the
    app secret at delivery (:mod:`volunteer.platform.signing`). Put the slot where the raw token
    would go: ``links("accounts.verify", token=slot)``.
    """
    key = secrets.token_urlsafe(24)
    session.add(
        Token(
            purpose=purpose,
            token_hash=_hash(key),
            user_id=user.id if user else None,
            email=email,
            data=data or {},
            created_at=now,
            expires_at=now + timedelta(hours=hours),
        )
    )
    session.flush()
    return signing.slot(key)


def consume_token(session: Session, raw: str, purpose: str, *, now: datetime) -> Token:
    """The token a signed link names, marked used; ``invalid_token`` if forged, used or expired."""
    key = signing.unsign(signing.app_secret(), raw)
    token = (
        session.exec(
            select(Token).where(Token.token_hash == _hash(key), Token.purpose == purpose)
        ).first()
        if key is not None
        else None
    )
    if token is None or token.used_at is not None or token.expires_at <= now:
        raise ServiceError("invalid_token", field="token")
    token.used_at = now
    session.add(token)
    return token


def register(
    session: Session,
    *,
    email: str,
    password: str,
    first_name: str,
    locale: str,
    now: datetime,
    links: PublicLinks,
    min_length: int,
    verify_hours: float,
    privacy_shown: consents.ShownText,
    mail_budget: int,
) -> User | None:
    """Create a volunteer account, record the privacy consent they gave (GDPR art. 7(1)) with
    the wording they saw, and queue the verification e-mail, all in the same transaction.

    An address that already has an account gets no second one and no error: its owner is told
    by mail instead ("someone tried to register with your address"), and the caller answers as
    for a new account, so the form does not reveal who is registered. The password is checked
    and hashed in both branches, so both take the same time. Two registrations of one address
    racing past the look-up meet the unique ``email_key``: the loser is answered the same way.
    Returns the new account, or ``None`` when the address was taken.
    """
    email = email.strip()
    check_password(password, min_length=min_length, email=email)
    password_hash = hash_password(password)
    user = None
    if find_by_email(session, email) is None:
        try:
            with session.begin_nested():
                user = _insert_user(
                    session,
                    email=email,
                    password_hash=password_hash,
                    first_name=first_name,
                    locale=locale,
                    now=now,
                )
        except IntegrityError:
            user = None  # the concurrent registration won; its owner hears of this one
    if user is None:
        _tell_owner_of_registration(session, email, now=now, mail_budget=mail_budget)
        return None
    consents.give(session, user, consents.PRIVACY, shown=privacy_shown, now=now)
    send_verification(
        session, user, now=now, links=links, hours=verify_hours, mail_budget=mail_budget
    )
    return user


def _tell_owner_of_registration(
    session: Session, email: str, *, now: datetime, mail_budget: int
) -> None:
    """Mail the owner of a registered address that someone tried to register with it."""
    owner = find_by_email(session, email)
    if owner is None or owner.deleted_at is not None:
        return
    # Random, not the time: registrations racing for one address write one each at once.
    tell_holder(
        session, owner, "registration_attempt", now=now, mail_budget=mail_budget,
        unique=secrets.token_hex(8),
    )  # fmt: skip


NAME_MAX = 80


def change_name(
    session: Session, user: User, *, first_name: str, last_name: str, now: datetime
) -> User:
    """Correct one's name (GDPR art. 16). The first name is what everyone sees; the surname is
    optional and used only for the Ehrenamtskarte export an association makes of confirmed hours.
    """
    first = " ".join("".join(c for c in first_name if c.isprintable()).split())
    last = " ".join("".join(c for c in last_name if c.isprintable()).split())
    if not first:
        raise ServiceError("first_name_required", field="first_name")
    if len(first) > NAME_MAX:
        raise ServiceError("name_too_long", field="first_name", n=NAME_MAX)
    if len(last) > NAME_MAX:
        raise ServiceError("name_too_long", field="last_name", n=NAME_MAX)
    if (first, last) != (user.first_name, user.last_name):
        user.first_name, user.last_name = first, last
        session.add(user)
        # The entry says that the name changed, not what it was: the log must not keep old names.
        audit.record(
            session, "user.name_changed", actor=user, now=now, object_type="user",
            object_id=user.id,
        )  # fmt: skip
        session.flush()
    return user


def mail_link(
    session: Session,
    user: User,
    kind: str,
    *,
    endpoint: str,
    now: datetime,
    links: PublicLinks,
    valid_hours: float,
    mail_budget: int,
    to_email: str | None = None,
    **facts: object,
) -> None:
    """Mail ``user`` a one-time link to ``endpoint`` that acts on the account (verify the address,
    reset the password, confirm a new address). The token's purpose is the notice's kind; with
    ``to_email`` the token is bound to that address and the mail goes there (else to the
    account's address, unbound). The link lives ``valid_hours``; ``facts`` join the payload
    beside the link and the name."""
    raw = issue_token(session, kind, now=now, hours=valid_hours, user=user, email=to_email)
    tell_holder(
        session, user, kind, now=now, mail_budget=mail_budget, to_email=to_email,
        facts={"url": links(endpoint, token=raw), **facts},
    )  # fmt: skip


def tell_holder(
    session: Session,
    user: User,
    kind: str,
    *,
    now: datetime,
    mail_budget: int | None = None,
    to_email: str | None = None,
    unique: str | None = None,
    facts: dict[str, object] | None = None,
) -> None:
    """A notice about the account itself (a link to act on it, a change, an attempt on it), to
    its holder, greeted by name; ``facts`` join the payload. Keyed by kind, account and moment:
    each event is one notice, and ``unique`` (instead of the moment) tells apart events that may
    share an instant."""
    outbox.enqueue(
        session, kind, dedupe_key=f"{kind}:{user.id}:{unique or now.isoformat()}", now=now,
        user=user, to_email=to_email, payload={"name": user.display_name, **(facts or {})},
        mail_budget=mail_budget,
    )  # fmt: skip


def send_verification(
    session: Session,
    user: User,
    *,
    now: datetime,
    links: PublicLinks,
    hours: float,
    mail_budget: int,
) -> None:
    mail_link(
        session, user, "verify_email", endpoint="accounts.verify", now=now, links=links,
        valid_hours=hours, mail_budget=mail_budget, to_email=user.email,
    )  # fmt: skip


def verify_email(session: Session, raw: str, *, now: datetime) -> User:
    token = consume_token(session, raw, "verify_email", now=now)
    user = session.get(User, token.user_id)
    if user is None or user.email_key != email_key(token.email or ""):
        raise ServiceError("invalid_token", field="token")
    user.email_verified_at = user.email_verified_at or now
    session.add(user)
    audit.record(
        session, "user.verified", actor=user, now=now, object_type="user", object_id=user.id
    )
    return user


def authenticate(session: Session, email: str, password: str, *, now: datetime) -> User | None:
    """The user for these credentials, or None; constant-ish work either way."""
    user = find_by_email(session, email)
    if user is None or user.deleted_at is not None:
        verify_password(_dummy_hash(), password)  # same cost as a real check: no user enumeration
        return None
    if not verify_password(user.password_hash, password):
        audit.record(
            session, "user.login_failed", actor=user, now=now, object_type="user", object_id=user.id
        )
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = now
    session.add(user)
    audit.record(session, "user.login", actor=user, now=now, object_type="user", object_id=user.id)
    return user


@cache
def _dummy_hash() -> str:
    """A hash to check unknown addresses against, made on first use rather than at import: an
    argon2id hash costs about 0.2 s of CPU, which every process (each CLI command, each
    gunicorn worker) paid at start even when nobody logs in."""
    return hash_password("not-a-real-password-just-timing")


def revoke_sessions(session: Session, user: User) -> None:
    """Rotate the alternative id: every session and remember-me cookie of this user dies."""
    user.alternative_id = new_alternative_id()
    session.add(user)


def logout(session: Session, user: User, *, now: datetime) -> None:
    revoke_sessions(session, user)
    audit.record(session, "user.logout", actor=user, now=now, object_type="user", object_id=user.id)


def set_locale(session: Session, user: User, locale: str) -> None:
    """Her language from now on, also for what is queued but not yet sent to her: a reminder
    written in German last week arrives in English if she switched since (the renderer reads
    ``Notice.locale``). What was delivered stays as it was sent."""
    user.locale = locale
    session.add(user)
    session.execute(
        update(Notice)
        .where(
            col(Notice.user_id) == user.id,
            col(Notice.status) == NoticeStatus.PENDING,
            col(Notice.locale) != locale,
        )
        .values(locale=locale)
        .execution_options(synchronize_session=False)
    )
    session.flush()
