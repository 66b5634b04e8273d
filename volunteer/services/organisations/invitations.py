"""Invitations to an organisation: sent by an admin, bound to an address and to the inviter.

An invitation is a one-time token (``Token.purpose == INVITE_PURPOSE``) mailed through the
outbox. It works only for the invited address, verified, and only while whoever sent it is still an
admin there: :func:`void_invitations_of` voids what an admin sent the moment they stop being one.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from volunteer.models import MemberRole, Membership, Organisation, Token, User
from volunteer.platform.links import PublicLinks
from volunteer.services import audit
from volunteer.services.accounts import account as accounts
from volunteer.services.errors import ServiceError
from volunteer.services.notices import outbox
from volunteer.services.permissions import is_admin, membership_of, require_admin

INVITE_HOURS = 14 * 24
INVITE_PURPOSE = "org_invite"


def invite(
    session: Session,
    org: Organisation,
    *,
    email: str,
    role: str,
    by: User,
    now: datetime,
    links: PublicLinks,
    mail_budget: int,
) -> str:
    """E-mail an invitation link (through the outbox); returns the raw token for tests.

    The link is bound to the address: whoever accepts must be logged in with that address,
    verified, so a forwarded mail does not let someone else in. It is bound to the inviter too:
    it works only while they are still an admin here (:func:`accept_invite`), and it is voided
    the moment they stop being one (:func:`void_invitations_of`).
    """
    require_admin(session, org, by)
    if role not in set(MemberRole):
        raise ServiceError("bad_choice", field="role")
    address = email.strip()
    existing = accounts.find_by_email(session, address)
    if existing is not None and membership_of(session, existing, org.id or 0) is not None:
        raise ServiceError("already_member", field="email")
    raw = accounts.issue_token(
        session,
        INVITE_PURPOSE,
        now=now,
        hours=INVITE_HOURS,
        email=address,
        data={"organisation_id": org.id, "role": role, "invited_by": by.id},
    )
    outbox.enqueue(
        session,
        "organisation_invite",
        dedupe_key=f"organisation_invite:{org.id}:{accounts.email_key(address)}:{now.isoformat()}",
        now=now,
        user=existing,
        to_email=address,
        locale=existing.locale if existing else by.locale,
        payload={
            "organisation_id": org.id,
            "invited_by": by.id,
            "role": role,
            "url": links("organisations.accept_invite", token=raw),
        },
        channels=("email",),
        mail_budget=mail_budget,
    )
    audit.record(
        session, "organisation.invited", actor=by, now=now, object_type="organisation",
        object_id=org.id, role=role,
    )  # fmt: skip
    return raw


@dataclass(frozen=True, slots=True)
class PendingInvitation:
    """An invitation that can still be accepted, as the members page lists it."""

    id: int
    email: str
    role: str
    invited_by: User | None
    created_at: datetime
    expires_at: datetime


def _open_invitations(session: Session, org: Organisation, *, now: datetime) -> list[Token]:
    """Unused, unexpired invitation tokens of ``org``, oldest first."""
    return list(
        session.exec(
            select(Token)
            .where(
                Token.purpose == INVITE_PURPOSE,
                col(Token.used_at).is_(None),
                Token.expires_at > now,
                Token.data["organisation_id"].as_integer() == org.id,
            )
            .order_by(col(Token.created_at), col(Token.id))
        ).all()
    )


def pending_invitations(
    session: Session, org: Organisation, *, now: datetime
) -> list[PendingInvitation]:
    """The invitations of ``org`` someone could still accept, with who sent them."""
    out = []
    for token in _open_invitations(session, org, now=now):
        assert token.id is not None
        inviter = session.get(User, int(token.data.get("invited_by", 0)))
        out.append(
            PendingInvitation(
                id=token.id,
                email=token.email or "",
                role=str(token.data.get("role", MemberRole.MEMBER)),
                invited_by=inviter,
                created_at=token.created_at,
                expires_at=token.expires_at,
            )
        )
    return out


def _void(token: Token, *, now: datetime, reason: str, by: User | None = None) -> None:
    token.used_at = now
    token.data = {**token.data, "void": reason, **({"voided_by": by.id} if by else {})}


def revoke_invitation(
    session: Session, org: Organisation, invitation_id: int, *, by: User, now: datetime
) -> None:
    """An admin withdraws a pending invitation: its link stops working (audited)."""
    require_admin(session, org, by)
    token = next(
        (t for t in _open_invitations(session, org, now=now) if t.id == invitation_id), None
    )
    if token is None:
        raise ServiceError("not_found")
    _void(token, now=now, reason="revoked", by=by)
    audit.saved(
        session, token, "organisation.invite_revoked", actor=by, now=now,
        object_type="organisation", object_id=org.id, invitation=token.id,
    )  # fmt: skip


def void_invitations_of(
    session: Session, org: Organisation, inviter_id: int, *, by: User, now: datetime
) -> None:
    """Void every pending invitation ``inviter_id`` sent for ``org``: they are no longer an
    admin here, so nothing they sent may make someone a member (or them an admin again)."""
    voided = [
        t
        for t in _open_invitations(session, org, now=now)
        if int(t.data.get("invited_by", 0)) == inviter_id
    ]
    for token in voided:
        _void(token, now=now, reason="inviter_lost_role")
        session.add(token)
    if voided:
        audit.record(
            session, "organisation.invites_voided", actor=by, now=now,
            object_type="organisation", object_id=org.id, inviter=inviter_id, count=len(voided),
        )  # fmt: skip


def accept_invite(session: Session, raw: str, *, user: User, now: datetime) -> Organisation:
    """Join the organisation the token names, if ``user`` has verified the invited address and
    the inviter is still an admin there."""
    token = accounts.consume_token(session, raw, INVITE_PURPOSE, now=now)
    if accounts.email_key(token.email or "") != user.email_key:
        raise ServiceError("invite_other_email", field="token", email=token.email or "")
    if user.email_verified_at is None:
        raise ServiceError("invite_unverified", field="token", email=token.email or "")
    org = session.get(Organisation, int(token.data.get("organisation_id", 0)))
    if org is None:
        raise ServiceError("invalid_token", field="token")
    inviter = session.get(User, int(token.data.get("invited_by", 0)))
    if inviter is None or not is_admin(membership_of(session, inviter, org.id or 0)):
        raise ServiceError("invite_void", field="token")
    member = membership_of(session, user, org.id or 0)
    role = str(token.data.get("role", MemberRole.MEMBER))
    if member is None:
        assert org.id is not None and user.id is not None
        session.add(Membership(organisation_id=org.id, user_id=user.id, role=role, created_at=now))
    elif role == MemberRole.ADMIN:
        member.role = MemberRole.ADMIN
        session.add(member)
    return audit.saved(
        session, org, "organisation.joined", actor=user, now=now, object_type="organisation",
        object_id=org.id, role=role,
    )  # fmt: skip
