"""An organisation's people: who belongs, who is admin, and changing that.

People act for an organisation through a :class:`Membership` with the role admin or member;
every organisation keeps at least one admin, so it can never be orphaned by a leave or a role
change. Whoever stops being an admin loses the invitations they sent
(:func:`.invitations.void_invitations_of`).
"""

from datetime import datetime

from sqlmodel import Session, col, select

from volunteer.models import MemberRole, Membership, Organisation, User
from volunteer.platform.db import count_rows
from volunteer.services import audit
from volunteer.services.errors import ServiceError
from volunteer.services.organisations.invitations import void_invitations_of
from volunteer.services.permissions import membership_of, require_admin


def admins(session: Session, org: Organisation) -> list[User]:
    return list(
        session.exec(
            select(User)
            .join(Membership, col(Membership.user_id) == User.id)
            .where(Membership.organisation_id == org.id, Membership.role == MemberRole.ADMIN)
            .order_by(col(User.id))
        ).all()
    )


def recipients(session: Session, organisation_id: int) -> list[User]:
    """Who hears of what happens at the organisation: every member whose account still exists."""
    return list(
        session.exec(
            select(User)
            .join(Membership, col(Membership.user_id) == User.id)
            .where(Membership.organisation_id == organisation_id, col(User.deleted_at).is_(None))
            .order_by(col(User.id))
        ).all()
    )


def members(session: Session, org: Organisation) -> list[tuple[Membership, User]]:
    rows = session.exec(
        select(Membership, User)
        .join(User, col(User.id) == Membership.user_id)
        .where(Membership.organisation_id == org.id)
        .order_by(Membership.role, User.first_name, User.email)
    ).all()
    return [(m, u) for m, u in rows]


def _admin_count(session: Session, org: Organisation) -> int:
    return count_rows(
        session,
        Membership,
        Membership.organisation_id == org.id,
        Membership.role == MemberRole.ADMIN,
    )


def set_role(
    session: Session, org: Organisation, member: Membership, role: str, *, by: User, now: datetime
) -> Membership:
    """Make a member an admin or back; the last admin cannot step down."""
    require_admin(session, org, by)
    if member.organisation_id != org.id:
        raise ServiceError("not_found")
    if role not in set(MemberRole):
        raise ServiceError("bad_choice", field="role")
    stepping_down = member.role == MemberRole.ADMIN and role != MemberRole.ADMIN
    if stepping_down and _admin_count(session, org) <= 1:
        raise ServiceError("last_admin")
    member.role = role
    if stepping_down:
        void_invitations_of(session, org, member.user_id, by=by, now=now)
    return audit.saved(
        session, member, "organisation.role", actor=by, now=now, object_type="organisation",
        object_id=org.id, member=member.user_id, role=role,
    )  # fmt: skip


def transfer_admin(
    session: Session, org: Organisation, to: Membership, *, by: User, now: datetime
) -> None:
    """Hand the admin role to another member and become a member oneself."""
    mine = membership_of(session, by, org.id or 0)
    if mine is None or mine.role != MemberRole.ADMIN:
        raise ServiceError("not_allowed")
    if to.organisation_id != org.id or to.user_id == by.id:
        raise ServiceError("bad_choice", field="member")
    to.role = MemberRole.ADMIN
    mine.role = MemberRole.MEMBER
    session.add_all([to, mine])
    void_invitations_of(session, org, mine.user_id, by=by, now=now)
    audit.record(
        session, "organisation.transfer_admin", actor=by, now=now, object_type="organisation",
        object_id=org.id, to=to.user_id,
    )  # fmt: skip
    session.flush()


def remove_member(
    session: Session, org: Organisation, member: Membership, *, by: User, now: datetime
) -> None:
    """Remove someone (admins), or leave (anyone, for themselves); never the last admin."""
    if member.organisation_id != org.id:
        raise ServiceError("not_found")
    if member.user_id != by.id:
        require_admin(session, org, by)
    if member.role == MemberRole.ADMIN and _admin_count(session, org) <= 1:
        raise ServiceError("last_admin")
    if member.role == MemberRole.ADMIN:
        void_invitations_of(session, org, member.user_id, by=by, now=now)
    session.delete(member)
    audit.record(
        session, "organisation.left" if member.user_id == by.id else "organisation.removed",
        actor=by, now=now, object_type="organisation", object_id=org.id, member=member.user_id,
    )  # fmt: skip
    session.flush()


def leave(session: Session, org: Organisation, *, by: User, now: datetime) -> None:
    member = membership_of(session, by, org.id or 0)
    if member is None:
        raise ServiceError("not_found")
    remove_member(session, org, member, by=by, now=now)
