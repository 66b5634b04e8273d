"""A parent's or guardian's consent for a child under 16 (GDPR art. 8), from request to withdrawal.

The flow: saving a profile as "under 16" with a guardian's address opens a
:class:`GuardianRequest` and mails the guardian (``guardian_consent``). The link in that mail is
signed with the app secret and names the request, so nothing secret is stored and the same link
later serves to withdraw. The guardian consents or declines on a page that names the child. No
answer within :data:`REMIND_AFTER` brings one reminder (``guardian_reminder``, the rule
``guardian_requests``); no answer by :data:`ANSWER_WITHIN` ends the request as expired. Every
step is in the audit log.

While no consent is in force the child cannot sign up (``signups.check_eligibility``) and is
invisible to associations and coordinators (``discovery.visibility``). Withdrawing - by the
guardian through the link or by the child on "Meine Daten" - takes effect at once: the consent
record ends, upcoming sign-ups are withdrawn and the engine's pools leave the child out.
"""

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from volunteer.models import AgeGroup, GuardianRequest, GuardianState, User, VolunteerProfile
from volunteer.platform import signing
from volunteer.services import audit
from volunteer.services.accounts import account as accounts
from volunteer.services.accounts import consents
from volunteer.services.engagement import signups
from volunteer.services.errors import ServiceError
from volunteer.services.notices import outbox

REMIND_AFTER = timedelta(days=14)
ANSWER_WITHIN = timedelta(days=21)  # a week after the reminder
_SALT = "mitwirken.guardian.v1"
OPEN_STATES = (GuardianState.PENDING, GuardianState.CONSENTED)


# --- the link ------------------------------------------------------------------------------------
def make_link_token(secret: str, request_id: int) -> str:
    """The token in the guardian's link: the request id, signed with the app secret."""
    return signing.sign_value(secret, request_id, salt=_SALT)


def read_link_token(secret: str, token: str) -> int | None:
    value = signing.read_value(secret, token, salt=_SALT, max_length=200)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def request_for_link(session: Session, secret: str, token: str) -> GuardianRequest:
    """The request a link names; ``invalid_token`` if forged or replaced by a newer request."""
    request_id = read_link_token(secret, token)
    req = session.get(GuardianRequest, request_id) if request_id is not None else None
    if req is None or req.state == GuardianState.SUPERSEDED:
        raise ServiceError("invalid_token", field="token")
    return req


def child_of(session: Session, req: GuardianRequest) -> User:
    user = accounts.active_user(session, req.user_id)
    if user is None:
        raise ServiceError("invalid_token", field="token")
    return user


def is_expired(req: GuardianRequest, *, now: datetime) -> bool:
    return req.state == GuardianState.EXPIRED or (
        req.state == GuardianState.PENDING and req.expires_at <= now
    )


# --- the steps -----------------------------------------------------------------------------------
def current_request(session: Session, user: User) -> GuardianRequest | None:
    """The child's open request (pending or consented), newest first."""
    return session.exec(
        select(GuardianRequest)
        .where(
            GuardianRequest.user_id == user.id,
            col(GuardianRequest.state).in_([s.value for s in OPEN_STATES]),
        )
        .order_by(col(GuardianRequest.requested_at).desc(), col(GuardianRequest.id).desc())
    ).first()


def request_consent(session: Session, user: User, *, now: datetime) -> GuardianRequest:
    """Ask the guardian named on the profile; an earlier request (another address) ends."""
    profile = session.get(VolunteerProfile, user.id)
    if profile is None or not profile.guardian_email:
        raise ServiceError("guardian_email_required", field="guardian_email")
    for old in session.exec(
        select(GuardianRequest).where(
            GuardianRequest.user_id == user.id,
            col(GuardianRequest.state).in_([s.value for s in OPEN_STATES]),
        )
    ).all():
        if old.state == GuardianState.CONSENTED:
            _withdraw(session, user, old, now=now, how="guardian_changed", actor=user)
        old.state = GuardianState.SUPERSEDED
        session.add(old)
    assert user.id is not None
    req = GuardianRequest(
        user_id=user.id,
        guardian_email=profile.guardian_email,
        requested_at=now,
        expires_at=now + ANSWER_WITHIN,
    )
    session.add(req)
    session.flush()
    _mail(session, user, req, "guardian_consent", now=now)
    audit.record(
        session, "guardian.requested", actor=user, now=now, object_type="user",
        object_id=user.id, request=req.id,
    )  # fmt: skip
    return req


def needs_request(session: Session, user: User, *, now: datetime) -> bool:
    """Under 16, no consent in force and no request still waiting: the child may ask again
    (after a refusal, an expiry or a withdrawal)."""
    profile = session.get(VolunteerProfile, user.id)
    if profile is None or profile.age_group != AgeGroup.UNDER_16 or not profile.guardian_email:
        return False
    if profile.guardian_consent_at is not None:
        return False
    req = current_request(session, user)
    return req is None or is_expired(req, now=now)


def ask_again(session: Session, user: User, *, now: datetime) -> GuardianRequest:
    """The child asks the same guardian again, from "Meine Daten"."""
    if not needs_request(session, user, now=now):
        raise ServiceError("guardian_request_answered")
    return request_consent(session, user, now=now)


def _mail(session: Session, user: User, req: GuardianRequest, kind: str, *, now: datetime) -> None:
    """To the guardian, who has no account: e-mail only, in the child's language."""
    outbox.enqueue(
        session,
        kind,
        dedupe_key=f"{kind}:{req.id}",
        now=now,
        to_email=req.guardian_email,
        locale=user.locale,
        payload={"guardian_request_id": req.id},
    )


def _pending(req: GuardianRequest, *, now: datetime) -> None:
    if is_expired(req, now=now):
        raise ServiceError("guardian_request_expired")
    if req.state != GuardianState.PENDING:
        raise ServiceError("guardian_request_answered")


def consent(
    session: Session, req: GuardianRequest, *, shown: consents.ShownText, now: datetime
) -> User:
    """The guardian agreed on the consent page: record the wording they saw, allow sign-ups."""
    _pending(req, now=now)
    user = child_of(session, req)
    profile = session.get(VolunteerProfile, user.id)
    if profile is None or profile.guardian_email != req.guardian_email:
        raise ServiceError("invalid_token", field="token")
    req.state = GuardianState.CONSENTED
    req.answered_at = now
    profile.guardian_consent_at = now
    profile.updated_at = now  # the engine's pool notices the change (engine._findable_stamp)
    session.add_all([req, profile])
    consents.give(
        session, user, consents.GUARDIAN, shown=shown, now=now,
        details={"guardian_request_id": req.id},
    )  # fmt: skip
    return audit.saved(
        session, user, "guardian.consented", actor=None, now=now, object_type="user",
        object_id=user.id, request=req.id,
    )  # fmt: skip


def decline(session: Session, req: GuardianRequest, *, now: datetime) -> User:
    """The guardian said no: the child stays unable to sign up and invisible to associations."""
    _pending(req, now=now)
    user = child_of(session, req)
    req.state = GuardianState.DECLINED
    req.answered_at = now
    audit.saved(
        session, req, "guardian.declined", actor=None, now=now, object_type="user",
        object_id=user.id, request=req.id,
    )  # fmt: skip
    return user


def withdraw_by_guardian(session: Session, req: GuardianRequest, *, now: datetime) -> User:
    """The guardian followed the link again, later, and withdrew (art. 7(3))."""
    if req.state != GuardianState.CONSENTED:
        raise ServiceError("guardian_request_answered")
    user = child_of(session, req)
    _withdraw(session, user, req, now=now, how="guardian_link", actor=None)
    return user


def withdraw_by_child(session: Session, user: User, *, now: datetime) -> None:
    """The young person withdrew on "Meine Daten": the same effect as the guardian doing it."""
    req = current_request(session, user)
    if req is None or req.state != GuardianState.CONSENTED:
        raise ServiceError("not_found")
    _withdraw(session, user, req, now=now, how="profile", actor=user)


def _withdraw(
    session: Session,
    user: User,
    req: GuardianRequest,
    *,
    now: datetime,
    how: str,
    actor: User | None,
) -> None:
    req.state = GuardianState.WITHDRAWN
    req.withdrawn_at = now
    session.add(req)
    profile = session.get(VolunteerProfile, user.id)
    if profile is not None:
        profile.guardian_consent_at = None
        profile.updated_at = now
        session.add(profile)
    consents.withdraw(session, user, consents.GUARDIAN, now=now, how=how)
    if profile is not None and profile.age_group == AgeGroup.UNDER_16:
        signups.withdraw_upcoming(session, user, now=now, reason="guardian_consent_withdrawn")
    audit.record(
        session, "guardian.withdrawn", actor=actor, now=now, object_type="user",
        object_id=user.id, request=req.id, how=how,
    )  # fmt: skip
    session.flush()


def remind_and_expire(session: Session, *, now: datetime) -> int:
    """One reminder after :data:`REMIND_AFTER` without an answer; expiry at the deadline.

    Returns how many reminders were queued. Idempotent: ``reminded_at`` and the state mark
    what was done, and the reminder's dedupe key is the request.
    """
    created = 0
    due = session.exec(
        select(GuardianRequest).where(
            GuardianRequest.state == GuardianState.PENDING,
            col(GuardianRequest.reminded_at).is_(None),
            col(GuardianRequest.requested_at) <= now - REMIND_AFTER,
            col(GuardianRequest.expires_at) > now,
        )
    ).all()
    for req in due:
        user = accounts.active_user(session, req.user_id)
        if user is None:
            continue
        req.reminded_at = now
        session.add(req)
        _mail(session, user, req, "guardian_reminder", now=now)
        audit.record(
            session, "guardian.reminded", actor=None, now=now, object_type="user",
            object_id=user.id, request=req.id,
        )  # fmt: skip
        created += 1
    for req in session.exec(
        select(GuardianRequest).where(
            GuardianRequest.state == GuardianState.PENDING,
            col(GuardianRequest.expires_at) <= now,
        )
    ).all():
        req.state = GuardianState.EXPIRED
        session.add(req)
        audit.record(
            session, "guardian.expired", actor=None, now=now, object_type="user",
            object_id=req.user_id, request=req.id,
        )  # fmt: skip
    session.flush()
    return created
