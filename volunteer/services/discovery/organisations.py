"""An organisation's public page: who they are, where, what they need, and how to reach them.

Only verified organisations have one (the same condition as the listing rule); their open needs
are the listed ones. Contact details follow what the organisation was promised when it entered
them: its website is public, while its e-mail address and phone number are shown only to people
who applied to or were accepted by it ("Volunteers who applied or were accepted see this
address"), and to its own members.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from volunteer.models import (
    Cause,
    District,
    Membership,
    Opportunity,
    Organisation,
    OrganisationCause,
    Signup,
    SignupState,
    User,
)
from volunteer.services.discovery.listing import listed_clause
from volunteer.services.engagement.signups import joined_to_need

# Sign-up states after which a person has been in touch with the organisation.
IN_TOUCH = (
    SignupState.APPLIED,
    SignupState.ACCEPTED,
    SignupState.WAITLISTED,
    SignupState.ATTENDED,
)


@dataclass(frozen=True)
class PublicOrganisation:
    organisation: Organisation
    district_name: str | None
    causes: list[str]  # slugs, in the causes file's order
    need_ids: list[int]  # listed needs, soonest next date first is up to the caller
    shows_contact: bool


def shows_contact(session: Session, organisation: Organisation, viewer: User | None) -> bool:
    """Whether ``viewer`` may see the organisation's e-mail address and phone number."""
    if viewer is None or viewer.id is None or organisation.id is None:
        return False
    member = session.exec(
        select(Membership.id).where(
            Membership.organisation_id == organisation.id, Membership.user_id == viewer.id
        )
    ).first()
    if member is not None:
        return True
    touched = session.exec(
        joined_to_need(select(Signup.id)).where(
            Opportunity.organisation_id == organisation.id,
            Signup.user_id == viewer.id,
            col(Signup.state).in_([s.value for s in IN_TOUCH]),
        )
    ).first()
    return touched is not None


def public_organisation(
    session: Session, organisation_id: int, *, viewer: User | None, now: datetime
) -> PublicOrganisation | None:
    """The public page's facts, or ``None`` when the organisation is not public (unknown or not
    verified: such a page must look like no page at all)."""
    org = session.get(Organisation, organisation_id)
    if org is None or org.verified_at is None:
        return None
    district = session.get(District, org.district_number) if org.district_number else None
    causes = session.exec(
        select(Cause.slug)
        .join(OrganisationCause, col(OrganisationCause.cause_id) == col(Cause.id))
        .where(OrganisationCause.organisation_id == org.id)
        .order_by(col(Cause.id))
    ).all()
    needs = session.exec(
        select(Opportunity.id)
        .join(Organisation, col(Organisation.id) == col(Opportunity.organisation_id))
        .where(Opportunity.organisation_id == org.id, listed_clause())
        .order_by(col(Opportunity.published_at).desc(), col(Opportunity.id))
    ).all()
    return PublicOrganisation(
        organisation=org,
        district_name=district.name if district else None,
        causes=list(causes),
        need_ids=[int(i) for i in needs if i is not None],
        shows_contact=shows_contact(session, org, viewer),
    )
