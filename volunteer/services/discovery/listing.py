"""The one rule for what the public sees: published needs of verified organisations."""

from sqlalchemy import ColumnElement, and_
from sqlmodel import col

from volunteer.models import Opportunity, OpportunityStatus, Organisation


def listed_clause() -> ColumnElement[bool]:
    """SQL condition for needs anyone may see: published, by a verified organisation.

    Join ``Organisation`` on ``Opportunity.organisation_id`` and add this to every public query
    (search, need pages, recommendations, the API, the engine's index, city statistics).
    """
    return and_(
        col(Opportunity.status) == OpportunityStatus.PUBLISHED,
        col(Organisation.verified_at).is_not(None),
    )
