"""Consent records (GDPR art. 7): what was agreed, in which wording, when, and how it ended.

Every consent is stored with the version and a SHA-256 of the exact text the person saw, so
the record still proves what was agreed after the wording changes. Withdrawing is as easy as
giving (art. 7(3)): the row stays as history, with the time and the way it was withdrawn.
Only this module writes :class:`Consent` rows; what a withdrawal changes elsewhere (being
findable, signing up) is done by the service that owns that state, which calls in here.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from volunteer.models import Consent, User

PRIVACY = "privacy"
DISCOVERABLE = "discoverable"
GUARDIAN = "guardian"
KINDS = (PRIVACY, DISCOVERABLE, GUARDIAN)


@dataclass(frozen=True)
class ShownText:
    """The wording a person was shown when asked for a consent, and its version."""

    version: str
    text: str

    @property
    def sha256(self) -> str:
        return text_hash(self.text)


def text_hash(text: str) -> str:
    """The hash of a consent's wording, whitespace-normalised so line wrapping does not count."""
    return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()


def current(session: Session, user: User, kind: str) -> Consent | None:
    """The consent of this kind that is in force (given, not withdrawn), if any."""
    return session.exec(
        select(Consent)
        .where(
            Consent.user_id == user.id,
            Consent.kind == kind,
            col(Consent.withdrawn_at).is_(None),
        )
        .order_by(col(Consent.given_at).desc(), col(Consent.id).desc())
    ).first()


def give(
    session: Session,
    user: User,
    kind: str,
    *,
    shown: ShownText,
    now: datetime,
    details: dict[str, Any] | None = None,
) -> Consent:
    """Record a consent. Giving the same wording again while it is in force records nothing new;
    agreeing to a new wording ends the old record (``superseded``) and starts a new one."""
    existing = current(session, user, kind)
    if existing is not None:
        if existing.version == shown.version and existing.text_sha256 == shown.sha256:
            return existing
        _end(session, existing, now=now, how="superseded")
    consent = Consent(
        user_id=user.id,
        kind=kind,
        version=shown.version,
        text_sha256=shown.sha256,
        given_at=now,
        details=details or {},
    )
    session.add(consent)
    session.flush()
    return consent


def withdraw(session: Session, user: User, kind: str, *, now: datetime, how: str) -> Consent | None:
    """End the consent in force; ``how`` names the way (``profile``, ``guardian_link``...)."""
    existing = current(session, user, kind)
    if existing is not None:
        _end(session, existing, now=now, how=how)
    return existing


def _end(session: Session, consent: Consent, *, now: datetime, how: str) -> None:
    consent.withdrawn_at = now
    consent.withdrawn_how = how[:40]
    session.add(consent)
    session.flush()


def history(session: Session, user: User) -> list[Consent]:
    """Every consent the person gave, oldest first (shown on "Meine Daten" and exported)."""
    return list(
        session.exec(
            select(Consent)
            .where(Consent.user_id == user.id)
            .order_by(col(Consent.given_at), col(Consent.id))
        ).all()
    )
