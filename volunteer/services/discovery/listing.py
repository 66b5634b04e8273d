"""The one rule for what the public sees: published needs of verified organisations."""

from sqlalchemy import BindParameter, ColumnElement, and_, bindparam
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

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


def listed_ids() -> SelectOfScalar[int | None]:
    """The ids of the needs anyone may see (:func:`listed_clause`), as a subquery: reads of
    the whole city's shifts, skills or causes name the needs by it, not by thousands of ids."""
    return (
        select(col(Opportunity.id))
        .join(Organisation, col(Organisation.id) == col(Opportunity.organisation_id))
        .where(listed_clause())
    )


def is_listed(opportunity: Opportunity, organisation: Organisation) -> bool:
    """:func:`listed_clause` for rows already loaded: may the public see this need?"""
    return (
        opportunity.status == OpportunityStatus.PUBLISHED and organisation.verified_at is not None
    )


# Built once: building this statement cost more than running it (a need's page asks it first).
_NEED: BindParameter[int] = bindparam("need")
_LISTED_NEED = (
    select(Opportunity, Organisation)
    .join(Organisation, col(Organisation.id) == col(Opportunity.organisation_id))
    .where(col(Opportunity.id) == _NEED, listed_clause())
)


def listed_opportunity(
    session: Session, opportunity_id: int
) -> tuple[Opportunity, Organisation] | None:
    """A need and its organisation if the public may see it, else ``None`` (the need page and
    the API answer 404 alike for a draft, a paused need or an unverified organisation)."""
    row = session.exec(_LISTED_NEED, params={"need": opportunity_id}).first()
    return None if row is None else (row[0], row[1])
