"""The web app's bridge to the matching engine: database rows in, engine objects out.

The engine is pure and knows nothing of SQL; this module turns profiles and needs into
``EngineVolunteer``/``EngineOpportunity`` values (skills, causes and languages by slug),
keeps the engine's array indexes warm between requests, and maps results back to rows.

Index caching: building an index for thousands of needs costs far more than ranking against it,
so each process keeps the last index (rebuilt in the background after :data:`CACHE_SECONDS`), and
a commit that changes needs, shifts or sign-ups has those needs patched in on the next read
(:mod:`freshness`, :func:`_patch_pool`). Other processes see changes after at most that long;
anything a user must be able to trust (remaining places, sign-up rules) is read from the database
directly, never from this cache.
"""

from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy import func
from sqlmodel import Session, col, select

from matching.explain import Explanation, explain
from matching.geo import IntArray
from matching.index import OpportunityIndex, VolunteerIndex
from matching.rank import Match, rank_opportunities, rank_volunteers
from matching.rank import near_misses as near_misses_of
from matching.scoring import DEFAULT_WEIGHTS, Weights
from volunteer.models import (
    District,
    Opportunity,
    Organisation,
    Shift,
    Signup,
    SignupState,
    User,
    VolunteerProfile,
)
from volunteer.platform.db import int_rows
from volunteer.services.discovery import freshness
from volunteer.services.discovery.engine_values import (
    NeedIds,
    listed_opportunities,
    no_needs,
    opportunities_for,
    profile_stamp,
    skill_categories,
    volunteer_columns,
    volunteer_for,
)
from volunteer.services.discovery.listing import listed_clause
from volunteer.services.discovery.visibility import findable_clause

CACHE_SECONDS = 60.0


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

    def patch(s: Session, pool: OpportunityPool, changes: freshness.Changes) -> OpportunityPool:
        return _patch_pool(s, pool, changes, now=now)

    pool: OpportunityPool = _cache.get("opportunities", session, ttl, build, patch)
    return pool


def _patch_pool(
    session: Session, pool: OpportunityPool, changes: freshness.Changes, *, now: datetime
) -> OpportunityPool:
    """The pool with the changed needs read again (a sign-up, an edit, a new shift): their
    engine values replace the old ones, needs no longer listed leave, newly listed ones join.
    Reading a few needs and re-indexing the values costs tens of milliseconds; the full build
    reads every need and shift of the city (seconds)."""
    ids = changes.need_ids(session)
    fresh = {
        int(v.id): v
        for v in opportunities_for(session, listed_opportunities(session, ids=ids), now=now)
    }
    kept = [o for o in pool.index.items if int(o.id) not in ids]
    return replace(
        pool,
        index=OpportunityIndex([*kept, *fresh.values()], skill_category=pool.index.skill_category),
    )


def skill_demand(session: Session, *, now: datetime) -> Counter[str]:
    """How many listed needs with an open place in the coming ``HORIZON`` ask for each skill
    (required or optional): what the profile offers first as "gerade gefragt".

    Read from the cached opportunity index (one pass over its values, no query), so it is as
    fresh as the recommendations the person sees next and costs nothing extra per visit.
    """
    pool = opportunity_pool(session, now=now)
    return Counter(skill for o in pool.index.items if o.capacity > 0 for skill in o.wanted_skills)


@dataclass(frozen=True)
class VolunteerPool:
    index: VolunteerIndex
    user_ids: list[int]
    stamp: tuple[Any, ...] = ()


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
        # Who associations may find (``visibility.findable_clause``), read as columns.
        columns, user_ids = volunteer_columns(s, findable_clause())
        return VolunteerPool(
            index=VolunteerIndex(columns, skill_category=skill_categories(s)),
            user_ids=user_ids.tolist(),
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


# Sign-ups that make a need the person's own already, not a recommendation (a need they
# attended once may be recommended again: it is regular, or has other dates).
_OWN_STATES = (SignupState.APPLIED, SignupState.ACCEPTED, SignupState.WAITLISTED)


def active_needs(person: Any) -> Any:
    """The needs ``person`` (a user id, or a parameter holding one) has an active sign-up for,
    as a query of ``Shift.opportunity_id``: what their recommendations skip."""
    return (
        select(Shift.opportunity_id)
        .join(Signup, col(Signup.shift_id) == Shift.id)
        .where(Signup.user_id == person, col(Signup.state).in_(_OWN_STATES))
    )


def _active_opportunity_ids(session: Session, user: User) -> set[int]:
    return {int(r) for r in session.exec(active_needs(user.id)).all()}


def recommend(
    session: Session,
    user: User,
    *,
    now: datetime,
    limit: int = 10,
    weights: Weights = DEFAULT_WEIGHTS,
    include_near_misses: int = 0,
) -> list[Recommendation]:
    """The engine's best needs for this volunteer, skipping ones they already signed up for,
    as rows of the caller's session (the weekly digest reads when each was published). The
    person's own "Für dich" page keeps its ranking between visits: :mod:`for_you`."""
    if profile_stamp(session, user) is None:
        return []
    pool = opportunity_pool(session, now=now)
    chosen = ranked(
        session,
        user,
        pool,
        skip=_active_opportunity_ids(session, user),
        now=now,
        limit=limit,
        weights=weights,
        near_misses=include_near_misses,
    )
    rows = _rows_by_id(session, [int(m.opportunity) for m in chosen])
    # A need may have been unlisted since the index was built: it is simply left out.
    return [
        Recommendation(rows[int(m.opportunity)][0], m, *rows[int(m.opportunity)][1:])
        for m in chosen
        if int(m.opportunity) in rows
    ]


def ranked(
    session: Session,
    user: User,
    pool: OpportunityPool,
    *,
    skip: set[int],
    now: datetime,
    limit: int,
    weights: Weights = DEFAULT_WEIGHTS,
    near_misses: int = 0,
) -> list[Match]:
    """The ``limit`` best fits of the pool for this person, then up to ``near_misses`` needs
    that miss one rule, none of the needs ``skip`` (theirs already)."""
    volunteer = volunteer_for(session, user)
    if volunteer is None:
        return []
    matches = rank_opportunities(
        volunteer, pool.index, limit=limit + len(skip), weights=weights, now=now
    )
    chosen = [m for m in matches if int(m.opportunity) not in skip][:limit]
    if near_misses:
        misses = near_misses_of(volunteer, pool.index, limit=near_misses, weights=weights, now=now)
        chosen += [m for m in misses if int(m.opportunity) not in skip]
    return chosen


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


def signed_up(session: Session, opportunity_ids: NeedIds) -> set[tuple[int, int]]:
    """(person, need) pairs with a sign-up on any shift of the need, in whatever state: such a
    person is no candidate for it, nor proposed for it again (they applied, the association
    decided, or they withdrew). The candidate lists and the city-wide proposal both ask here."""
    people, needs = signed_up_columns(session, opportunity_ids)
    return set(zip(people.tolist(), needs.tolist(), strict=True))


def signed_up_columns(session: Session, opportunity_ids: NeedIds) -> tuple[IntArray, IntArray]:
    """:func:`signed_up` as two columns (people, needs), for the city-wide proposal: 100,000
    pairs as Python tuples in a set cost a fifth of a second it does not need."""
    if no_needs(opportunity_ids):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    pairs = int_rows(
        session,
        sa.select(col(Signup.user_id), col(Shift.opportunity_id))
        .join(Shift, col(Shift.id) == Signup.shift_id)
        .where(col(Shift.opportunity_id).in_(opportunity_ids), col(Signup.user_id).is_not(None)),
    )
    return pairs[:, 0], pairs[:, 1]


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
    assert opportunity.id is not None
    signed = {user_id for user_id, _ in signed_up(session, [opportunity.id])}
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
