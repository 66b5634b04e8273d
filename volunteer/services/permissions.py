"""Who may do what, in one place.

Roles: a volunteer (every account), an organisation admin or member (per organisation, via
``Membership``) and a city coordinator (``User.role``). Anything a user may not see answers 404,
never 403: another user's object must look exactly like one that does not exist.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user, login_required
from sqlmodel import Session, col, select

from volunteer.models import MemberRole, Membership, Organisation, Role, User
from volunteer.services.errors import ServiceError

F = TypeVar("F", bound=Callable[..., Any])


def is_coordinator(user: User | None) -> bool:
    return bool(user is not None and user.is_authenticated and user.role == Role.COORDINATOR)


def membership_of(session: Session, user: User, organisation_id: int) -> Membership | None:
    return session.exec(
        select(Membership).where(
            Membership.organisation_id == organisation_id, Membership.user_id == user.id
        )
    ).first()


def is_admin(member: Membership | None) -> bool:
    """The one rule for "admin of this organisation": a membership with the admin role."""
    return member is not None and member.role == MemberRole.ADMIN


def require_admin(session: Session, org: Organisation, user: User) -> None:
    """Services call this before an admin-only change; views have already answered 404."""
    if not is_admin(membership_of(session, user, org.id or 0)):
        raise ServiceError("not_allowed")


def organisation_for(
    session: Session, user: User, organisation_id: int, *, admin: bool = False
) -> Organisation:
    """The organisation if ``user`` is a member (an admin, when asked), else 404."""
    org = session.get(Organisation, organisation_id)
    member = membership_of(session, user, organisation_id) if org else None
    if org is None or member is None or (admin and not is_admin(member)):
        abort(404)
    return org


def organisations_of(session: Session, user: User) -> list[tuple[Organisation, Membership]]:
    rows = session.exec(
        select(Organisation, Membership)
        .join(Membership, col(Membership.organisation_id) == Organisation.id)
        .where(Membership.user_id == user.id)
        .order_by(Organisation.name)
    ).all()
    return [(org, m) for org, m in rows]


def owned_or_404(obj: Any, user: User) -> Any:
    """An object with a ``user_id`` that must belong to ``user``."""
    if obj is None or getattr(obj, "user_id", None) != user.id:
        abort(404)
    return obj


def coordinator_required(view: F) -> F:
    """Only city coordinators; everyone else sees 404 (the page does not exist for them)."""

    @wraps(view)
    @login_required
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not is_coordinator(current_user):
            abort(404)
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]
