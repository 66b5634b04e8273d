"""SQLModel tables. Import from here so that every table is registered with the metadata."""

from volunteer.models.accounts import (
    AgeGroup,
    Consent,
    GuardianRequest,
    GuardianState,
    NoticePreference,
    Role,
    Token,
    User,
    VolunteerCause,
    VolunteerProfile,
    VolunteerSkill,
)
from volunteer.models.audit import AuditEntry
from volunteer.models.engagement import (
    HOUR_TRANSITIONS,
    PLACE_HOLDING_STATES,
    SIGNUP_TRANSITIONS,
    HourEntry,
    HourState,
    Signup,
    SignupState,
    holds_place,
)
from volunteer.models.notices import Notice, NoticeStatus, SchedulerLease
from volunteer.models.opportunities import (
    Opportunity,
    OpportunityCause,
    OpportunitySkill,
    OpportunityStatus,
    Shift,
)
from volunteer.models.organisations import (
    ConductCheck,
    MemberRole,
    Membership,
    Organisation,
    OrganisationCause,
    OrganisationKind,
)
from volunteer.models.places import Borough, District, Postcode
from volunteer.models.proposals import (
    GapReport,
    InvitationAnswer,
    ProposalPair,
    ProposalRun,
    ProposalStatus,
)
from volunteer.models.reviews import OrganisationReview, ReviewDecision
from volunteer.models.statistics import (
    ActiveDay,
    FunnelDay,
    MatchDay,
    OpenDataSnapshot,
)
from volunteer.models.taxonomy import Cause, Skill, SkillCategory, SkillSuggestion

__all__ = [
    "HOUR_TRANSITIONS",
    "PLACE_HOLDING_STATES",
    "SIGNUP_TRANSITIONS",
    "ActiveDay",
    "AgeGroup",
    "AuditEntry",
    "Borough",
    "Cause",
    "ConductCheck",
    "Consent",
    "District",
    "FunnelDay",
    "GapReport",
    "GuardianRequest",
    "GuardianState",
    "HourEntry",
    "HourState",
    "InvitationAnswer",
    "MatchDay",
    "MemberRole",
    "Membership",
    "Notice",
    "NoticePreference",
    "NoticeStatus",
    "OpenDataSnapshot",
    "Opportunity",
    "OpportunityCause",
    "OpportunitySkill",
    "OpportunityStatus",
    "Organisation",
    "OrganisationCause",
    "OrganisationKind",
    "OrganisationReview",
    "Postcode",
    "ProposalPair",
    "ProposalRun",
    "ProposalStatus",
    "ReviewDecision",
    "Role",
    "SchedulerLease",
    "Shift",
    "Signup",
    "SignupState",
    "Skill",
    "SkillCategory",
    "SkillSuggestion",
    "Token",
    "User",
    "VolunteerCause",
    "VolunteerProfile",
    "VolunteerSkill",
    "holds_place",
]
