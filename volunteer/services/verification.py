"""The coordinators' verification queue: organisations waiting to be listed."""

from dataclasses import dataclass

from sqlmodel import Session, col, select

from volunteer.models import MemberRole, Membership, Organisation, User


@dataclass(frozen=True)
class PendingOrganisation:
    organisation: Organisation
    admin_emails: list[str]


def pending(session: Session) -> list[PendingOrganisation]:
    """Unverified organisations, oldest first (first come, first served), with admin contacts."""
    orgs = session.exec(
        select(Organisation)
        .where(col(Organisation.verified_at).is_(None))
        .order_by(col(Organisation.created_at), col(Organisation.id))
    ).all()
    emails: dict[int, list[str]] = {}
    if orgs:
        for org_id, email in session.exec(
            select(Membership.organisation_id, User.email)
            .join(User, User.id == Membership.user_id)  # type: ignore[arg-type]
            .where(
                col(Membership.organisation_id).in_([o.id for o in orgs]),
                Membership.role == MemberRole.ADMIN,
                col(User.deleted_at).is_(None),
            )
        ).all():
            emails.setdefault(org_id, []).append(email)
    return [PendingOrganisation(o, sorted(emails.get(o.id or 0, []))) for o in orgs]


def recently_verified(session: Session, *, limit: int = 10) -> list[Organisation]:
    return list(
        session.exec(
            select(Organisation)
            .where(col(Organisation.verified_at).is_not(None))
            .order_by(col(Organisation.verified_at).desc(), col(Organisation.id))
            .limit(limit)
        ).all()
    )
