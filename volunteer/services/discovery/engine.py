"""The web app's bridge to the matching engine: database rows in, engine objects out.

The engine is pure and knows nothing of SQL; this module turns profiles and needs into
``EngineVolunteer``/``EngineOpportunity`` values (skills, causes and languages by slug),
keeps the engine's array indexes warm between requests, and maps results back to rows.

Index caching: building an index for thousands of needs costs far more than ranking against it,
so each process keeps the last index for :data:`CACHE_SECONDS` and services that change needs,
shifts or sign-ups call :func:`invalidate`. Other processes see changes after at most that long;
anything a user must be able to trust (remaining places, sign-up rules) is read from the database
directly, never from this cache.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from matching.explain import Explanation, explain
from matching.index import OpportunityIndex, VolunteerIndex
from matching.model import SLOT_BIT
from matching.model import Opportunity as EngineOpportunity
from matching.model import Volunteer as EngineVolunteer
from matching.rank import Match, near_misses, rank_opportunities, rank_volunteers
from matching.scoring import DEFAULT_WEIGHTS, Weights
from volunteer.models import (
    PLACE_HOLDING_STATES,
    Cause,
    District,
    Opportunity,
    OpportunityCause,
    OpportunitySkill,
    Organisation,
    Shift,
    Signup,
    SignupState,
    Skill,
    User,
    VolunteerCause,
    VolunteerProfile,
    VolunteerSkill,
)
from volunteer.platform.clock import BERLIN
from volunteer.services.discovery import freshness
from volunteer.services.discovery.listing import listed_clause
from volunteer.services.discovery.visibility import findable_clause

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CACHE_SECONDS = 60.0
# Needs are matched on their shifts within this horizon (the demo data plans 8 weeks ahead).
HORIZON = timedelta(weeks=12)


def part_of_day(hour: int) -> str:
    """Morning until noon, afternoon until 17:00, evening after (local time)."""
    if hour < 12:
        return "morning"
    if hour < 17:
        return "afternoon"
    return "evening"


def slot_of(moment: datetime) -> str:
    """The weekly slot name (e.g. ``sat-morning``) of a moment, in Europe/Berlin."""
    local = moment.astimezone(BERLIN)
    return f"{DAYS[local.weekday()]}-{part_of_day(local.hour)}"


# --- rows -> engine values -------------------------------------------------------------------
def skill_categories(session: Session) -> dict[str, str]:
    return dict(session.exec(select(Skill.slug, Skill.category_slug)).all())


def volunteer_for(session: Session, user: User) -> EngineVolunteer | None:
    """The engine's view of a volunteer, or None without a completed profile."""
    profile = session.get(VolunteerProfile, user.id)
    if profile is None or profile.completed_at is None or user.deleted_at is not None:
        return None
    skills = session.exec(
        select(Skill.slug).join(VolunteerSkill).where(VolunteerSkill.user_id == user.id)
    ).all()
    causes = session.exec(
        select(Cause.slug).join(VolunteerCause).where(VolunteerCause.user_id == user.id)
    ).all()
    return _volunteer(profile, skills, causes)


def _volunteer(
    profile: VolunteerProfile, skills: Iterable[str], causes: Iterable[str]
) -> EngineVolunteer:
    located = profile.lat is not None and profile.lon is not None
    return EngineVolunteer(
        id=str(profile.user_id),
        lat=profile.lat if located else None,
        lon=profile.lon if located else None,
        max_km=max(0.0, float(profile.radius_km or 0.0)),
        skills=frozenset(skills),
        causes=frozenset(causes),
        languages=frozenset(profile.languages or []),
        availability=int(profile.availability or 0),
        adult=profile.is_adult,
        capacity=max(0, int(profile.capacity or 1)),
    )


@dataclass(frozen=True)
class ShiftFacts:
    """What the engine needs from a need's upcoming shifts."""

    slots: int
    open_places: int
    next_start: datetime | None
    next_filled: int


@dataclass(frozen=True)
class OpenShift:
    """An upcoming, not cancelled shift of a need and the places still free on it."""

    shift_id: int
    opportunity_id: int
    starts_at: datetime
    taken: int
    free: int


def open_shifts(
    session: Session,
    opportunity_ids: list[int],
    *,
    now: datetime,
    window: tuple[datetime, datetime] | None = None,
) -> list[OpenShift]:
    """The shifts the engine matches on, by start: after ``now`` and within ``window`` (default:
    the next ``HORIZON``). Full shifts are included (``free`` 0): they still set a need's slots."""
    if not opportunity_ids:
        return []
    start, end = (max(now, window[0]), window[1]) if window else (now, now + HORIZON)
    taken = dict(
        session.exec(
            select(Signup.shift_id, func.count())
            .join(Shift, col(Shift.id) == Signup.shift_id)
            .where(
                col(Shift.opportunity_id).in_(opportunity_ids),
                Shift.starts_at > start,
                col(Signup.state).in_([s.value for s in PLACE_HOLDING_STATES]),
            )
            .group_by(col(Signup.shift_id))
        ).all()
    )
    shifts = session.exec(
        select(Shift.id, Shift.opportunity_id, Shift.starts_at, Shift.capacity)
        .where(
            col(Shift.opportunity_id).in_(opportunity_ids),
            Shift.starts_at > start,
            Shift.starts_at < end,
            col(Shift.cancelled_at).is_(None),
        )
        .order_by(col(Shift.starts_at), col(Shift.id))
    ).all()
    out = []
    for shift_id, opp_id, starts_at, capacity in shifts:
        assert shift_id is not None  # a stored row always has its key
        used = taken.get(shift_id, 0)
        out.append(OpenShift(shift_id, opp_id, starts_at, used, max(0, capacity - used)))
    return out


def _shift_facts(
    session: Session,
    opportunity_ids: list[int],
    now: datetime,
    window: tuple[datetime, datetime] | None = None,
) -> dict[int, ShiftFacts]:
    if not opportunity_ids:
        return {}
    slots: dict[int, int] = defaultdict(int)
    open_places: dict[int, int] = defaultdict(int)
    first: dict[int, tuple[datetime, int]] = {}
    for shift in open_shifts(session, opportunity_ids, now=now, window=window):
        opp_id = shift.opportunity_id
        slots[opp_id] |= SLOT_BIT[slot_of(shift.starts_at)]
        open_places[opp_id] += shift.free
        if shift.free and opp_id not in first:
            first[opp_id] = (shift.starts_at, shift.taken)
    return {
        opp_id: ShiftFacts(
            slots=slots.get(opp_id, 0),
            open_places=open_places.get(opp_id, 0),
            next_start=first[opp_id][0] if opp_id in first else None,
            next_filled=first[opp_id][1] if opp_id in first else 0,
        )
        for opp_id in opportunity_ids
    }


def _links(session: Session, model: Any, key: str, ids: list[int]) -> dict[int, list[Any]]:
    out: dict[int, list[Any]] = defaultdict(list)
    if not ids:
        return out
    if model is OpportunitySkill:
        rows = session.exec(
            select(OpportunitySkill.opportunity_id, Skill.slug, OpportunitySkill.required)
            .join(Skill, col(Skill.id) == OpportunitySkill.skill_id)
            .where(col(OpportunitySkill.opportunity_id).in_(ids))
        ).all()
        for opp_id, slug, required in rows:
            out[opp_id].append((slug, required))
    else:
        cause_rows = session.exec(
            select(OpportunityCause.opportunity_id, Cause.slug)
            .join(Cause, col(Cause.id) == OpportunityCause.cause_id)
            .where(col(OpportunityCause.opportunity_id).in_(ids))
        ).all()
        for opp_id, slug in cause_rows:
            out[opp_id].append(slug)
    return out


def opportunities_for(
    session: Session,
    rows: list[Opportunity],
    *,
    now: datetime,
    window: tuple[datetime, datetime] | None = None,
) -> list[EngineOpportunity]:
    """Engine values for these needs, one per need, aggregated over its upcoming shifts.

    A need's slots are the weekly slots of its upcoming shifts; its capacity is the open places
    left on them, so a need with every shift full is not eligible ("no open place"). ``window``
    limits the shifts to a period (the city-wide proposal); the default is the next ``HORIZON``.
    """
    ids = [o.id for o in rows if o.id is not None]
    facts = _shift_facts(session, ids, now, window)
    skills = _links(session, OpportunitySkill, "skill", ids)
    causes = _links(session, OpportunityCause, "cause", ids)
    out = []
    for o in rows:
        assert o.id is not None
        f = facts.get(o.id) or ShiftFacts(0, 0, None, 0)
        located = not o.is_remote and o.lat is not None and o.lon is not None
        out.append(
            EngineOpportunity(
                id=str(o.id),
                lat=o.lat if located else None,
                lon=o.lon if located else None,
                required_skills=frozenset(s for s, req in skills.get(o.id, []) if req),
                optional_skills=frozenset(s for s, req in skills.get(o.id, []) if not req),
                causes=frozenset(causes.get(o.id, [])),
                languages=frozenset(o.languages or []),
                slots=f.slots,
                adults_only=not o.minors_ok,
                capacity=f.open_places,
                starts_at=f.next_start,
                filled=f.next_filled,
            )
        )
    return out


def listed_opportunities(session: Session) -> list[Opportunity]:
    """Published needs of verified organisations: what residents may see and be matched with."""
    return list(
        session.exec(
            select(Opportunity)
            .join(Organisation, col(Organisation.id) == Opportunity.organisation_id)
            .where(listed_clause())
        ).all()
    )


# --- cached indexes (volunteer/services/discovery/freshness.py keeps them and drops them) ---------
_cache = freshness.CACHE
index_ages = freshness.index_ages
# The public name callers (tests, benchmarks) use to forget the indexes by hand.
invalidate = freshness.invalidate


@dataclass(frozen=True)
class OpportunityPool:
    """The engine's index of listed needs. Holds ids, never ORM rows: rows belong to a session."""

    index: OpportunityIndex
    built_at: datetime


def opportunity_pool(
    session: Session, *, now: datetime, ttl: float = CACHE_SECONDS
) -> OpportunityPool:
    def build(s: Session) -> OpportunityPool:
        rows = listed_opportunities(s)
        values = opportunities_for(s, rows, now=now)
        return OpportunityPool(
            index=OpportunityIndex(values, skill_category=skill_categories(s)), built_at=now
        )

    pool: OpportunityPool = _cache.get("opportunities", session, ttl, build)
    return pool


@dataclass(frozen=True)
class VolunteerPool:
    index: VolunteerIndex
    user_ids: list[int]
    stamp: tuple[Any, ...] = ()


def discoverable_volunteers(session: Session) -> list[EngineVolunteer]:
    """Volunteers associations may find (:func:`visibility.findable_clause`: opted in,
    complete, and under 16 only with a guardian's consent)."""
    profiles = session.exec(
        select(VolunteerProfile)
        .join(User, col(User.id) == VolunteerProfile.user_id)
        .where(findable_clause())
    ).all()
    skills: dict[int, list[str]] = defaultdict(list)
    for user_id, slug in session.exec(select(VolunteerSkill.user_id, Skill.slug).join(Skill)).all():
        skills[user_id].append(slug)
    causes: dict[int, list[str]] = defaultdict(list)
    for user_id, slug in session.exec(select(VolunteerCause.user_id, Cause.slug).join(Cause)).all():
        causes[user_id].append(slug)
    return [_volunteer(p, skills.get(p.user_id, []), causes.get(p.user_id, [])) for p in profiles]


def _findable_stamp(session: Session) -> tuple[Any, ...]:
    """How many people are findable and the latest profile change: one cheap aggregate that
    changes whenever someone opts out, a guardian withdraws, or an account goes away."""
    row = session.exec(
        select(func.count(), func.max(VolunteerProfile.updated_at))
        .select_from(VolunteerProfile)
        .join(User, col(User.id) == VolunteerProfile.user_id)
        .where(findable_clause())
    ).one()
    return (int(row[0]), row[1].isoformat() if row[1] else "")


def volunteer_pool(session: Session, *, ttl: float = 5 * CACHE_SECONDS) -> VolunteerPool:
    """The engine's index of findable volunteers.

    Consent must take effect at once in every process, so a cached pool is used only while the
    database still agrees with it (:func:`_findable_stamp`); otherwise it is rebuilt now.
    """

    def build(s: Session) -> VolunteerPool:
        stamp = _findable_stamp(s)
        volunteers = discoverable_volunteers(s)
        return VolunteerPool(
            index=VolunteerIndex(volunteers, skill_category=skill_categories(s)),
            user_ids=[int(v.id) for v in volunteers],
            stamp=stamp,
        )

    pool: VolunteerPool = _cache.get("volunteers", session, ttl, build)
    if pool.stamp != _findable_stamp(session):
        _cache.drop("volunteers", session)
        pool = _cache.get("volunteers", session, ttl, build)
    return pool


# --- what the pages ask ----------------------------------------------------------------------
@dataclass(frozen=True)
class Recommendation:
    opportunity: Opportunity
    match: Match
    organisation_name: str = ""
    district_name: str = ""


def _active_opportunity_ids(session: Session, user: User) -> set[str]:
    rows = session.exec(
        select(Shift.opportunity_id)
        .join(Signup, col(Signup.shift_id) == Shift.id)
        .where(
            Signup.user_id == user.id,
            col(Signup.state).in_(
                [SignupState.APPLIED, SignupState.ACCEPTED, SignupState.WAITLISTED]
            ),
        )
    ).all()
    return {str(r) for r in rows}


def recommend(
    session: Session,
    user: User,
    *,
    now: datetime,
    limit: int = 10,
    weights: Weights = DEFAULT_WEIGHTS,
    include_near_misses: int = 0,
) -> list[Recommendation]:
    """The engine's best needs for this volunteer, skipping ones they already signed up for."""
    volunteer = volunteer_for(session, user)
    if volunteer is None:
        return []
    pool = opportunity_pool(session, now=now)
    skip = _active_opportunity_ids(session, user)
    matches = rank_opportunities(
        volunteer, pool.index, limit=limit + len(skip), weights=weights, now=now
    )
    chosen = [m for m in matches if m.opportunity not in skip][:limit]
    if include_near_misses:
        misses = near_misses(
            volunteer, pool.index, limit=include_near_misses, weights=weights, now=now
        )
        chosen += [m for m in misses if m.opportunity not in skip]
    rows = _rows_by_id(session, [int(m.opportunity) for m in chosen])
    # A need may have been unlisted since the index was built: it is simply left out.
    return [
        Recommendation(rows[int(m.opportunity)][0], m, *rows[int(m.opportunity)][1:])
        for m in chosen
        if int(m.opportunity) in rows
    ]


def _rows_by_id(session: Session, ids: list[int]) -> dict[int, tuple[Opportunity, str, str]]:
    """This request's rows for these needs, still listed (the index may be a minute old),
    with the organisation's and the district's name for the cards."""
    if not ids:
        return {}
    rows = session.exec(
        select(Opportunity, Organisation.name, District.name)
        .join(Organisation, col(Organisation.id) == Opportunity.organisation_id)
        .outerjoin(District, col(District.number) == Opportunity.district_number)
        .where(
            col(Opportunity.id).in_(ids),
            listed_clause(),
        )
    ).all()
    return {o.id: (o, org, district or "") for o, org, district in rows if o.id is not None}


def explain_for(
    session: Session,
    user: User,
    opportunity: Opportunity,
    *,
    now: datetime,
    weights: Weights = DEFAULT_WEIGHTS,
) -> Explanation | None:
    """Why this need fits this volunteer and what is missing (None without a profile)."""
    volunteer = volunteer_for(session, user)
    if volunteer is None:
        return None
    (value,) = opportunities_for(session, [opportunity], now=now)
    return explain(
        volunteer, value, weights=weights, skill_category=skill_categories(session), now=now
    )


@dataclass(frozen=True)
class Candidate:
    user: User
    profile: VolunteerProfile
    match: Match


def candidates(
    session: Session,
    opportunity: Opportunity,
    *,
    now: datetime,
    limit: int = 20,
    weights: Weights = DEFAULT_WEIGHTS,
) -> list[Candidate]:
    """Findable volunteers ranked for this need, without those already signed up.

    An unverified organisation sees nobody: the city has not yet checked who is asking.
    """
    org = session.get(Organisation, opportunity.organisation_id)
    if org is None or org.verified_at is None:
        return []
    (value,) = opportunities_for(session, [opportunity], now=now)
    pool = volunteer_pool(session)
    signed = set(
        session.exec(
            select(Signup.user_id)
            .join(Shift, col(Shift.id) == Signup.shift_id)
            .where(Shift.opportunity_id == opportunity.id)
        ).all()
    )
    # Rank on the need's slots and skills even when its shifts are full: capacity is the
    # association's concern here, not a reason to hide people.
    if value.capacity == 0:
        value = replace(value, capacity=1)
    matches = rank_volunteers(
        value, pool.index, limit=limit + len(signed), weights=weights, now=now
    )
    matches = [m for m in matches if int(m.volunteer) not in signed][:limit]
    ids = [int(m.volunteer) for m in matches]
    # Read the people again with the consent rule: whoever opted out since is left out.
    rows = session.exec(
        select(User, VolunteerProfile)
        .join(VolunteerProfile, col(VolunteerProfile.user_id) == User.id)
        .where(col(User.id).in_(ids), findable_clause())
    ).all()
    people = {u.id: (u, p) for u, p in rows}
    return [Candidate(*people[int(m.volunteer)], m) for m in matches if int(m.volunteer) in people]
