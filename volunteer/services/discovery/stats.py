"""Figures for the public pages and the city's statistics."""

from sqlalchemy import func
from sqlmodel import Session, col, select

from volunteer.models import Opportunity, OpportunityStatus, Organisation, VolunteerProfile


def home_figures(session: Session) -> dict[str, int]:
    """What the home page shows: published needs, verified organisations, volunteers."""
    return {
        "opportunities": session.exec(
            select(func.count())
            .select_from(Opportunity)
            .where(Opportunity.status == OpportunityStatus.PUBLISHED)
        ).one(),
        "organisations": session.exec(
            select(func.count())
            .select_from(Organisation)
            .where(col(Organisation.verified_at).is_not(None))
        ).one(),
        "volunteers": session.exec(select(func.count()).select_from(VolunteerProfile)).one(),
    }
