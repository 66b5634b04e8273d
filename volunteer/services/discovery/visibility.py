"""Who associations and city coordinators may see: the one home of that rule, as SQL.

Consent is enforced where people are read, not in templates: the engine's volunteer pool, the
candidate lists built from it (and so invitations, proposals and "shift not full" notices) and
every query behind a people list an association sees (shift rosters, applications, hours,
the Ehrenamtskarte CSV) filter with these clauses. A child under 16 is visible only while a
parent's or guardian's consent is in force (GDPR art. 8, ``guardian_consent_at``); the moment
it is withdrawn, every list built after that leaves the child out.
"""

from typing import Any

from sqlalchemy import and_, or_
from sqlmodel import col

from volunteer.models import AgeGroup, User, VolunteerProfile


def consent_clause() -> Any:
    """True for anyone over 16, and for a child under 16 with a guardian's consent in force."""
    return or_(
        col(VolunteerProfile.age_group) != AgeGroup.UNDER_16,
        col(VolunteerProfile.guardian_consent_at).is_not(None),
    )


def findable_clause() -> Any:
    """Who may be suggested to associations: opted in, profile complete, account live, and
    consent in force. Needs ``User`` and ``VolunteerProfile`` in the query."""
    return and_(
        col(VolunteerProfile.discoverable).is_(True),
        col(VolunteerProfile.completed_at).is_not(None),
        col(User.deleted_at).is_(None),
        consent_clause(),
    )


def shown_clause() -> Any:
    """For people lists joined to the profile with an outer join: people without a profile
    (association members, anonymised rows) stay; a child without consent does not."""
    return or_(col(VolunteerProfile.user_id).is_(None), consent_clause())
