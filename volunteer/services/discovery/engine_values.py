"""Database rows as the engine's values: profiles and needs to ``EngineVolunteer`` /
``EngineOpportunity`` (skills, causes and languages by slug), a need's weekly slots and open
places from its upcoming shifts. :mod:`volunteer.services.discovery.engine` indexes and ranks them.
"""

import json
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

import numpy as np
import sqlalchemy as sa
from sqlalchemy import Text, cast, func
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from matching.columns import SetColumn, VolunteerColumns
from matching.geo import IntArray
from matching.model import SLOT_BIT
from matching.model import Opportunity as EngineOpportunity
from matching.model import Volunteer as EngineVolunteer
from volunteer.models import (
    AgeGroup,
    Cause,
    Opportunity,
    OpportunityCause,
    OpportunitySkill,
    Organisation,
    Shift,
    Signup,
    Skill,
    User,
    VolunteerCause,
    VolunteerProfile,
    VolunteerSkill,
    holds_place,
)
from volunteer.platform.clock import BERLIN
from volunteer.platform.db import int_rows, plain_rows
from volunteer.services.discovery.freshness import PERSONAL
from volunteer.services.discovery.listing import listed_clause

#: Which needs a read is about: their ids, or a subquery of ids (``select(Opportunity.id)...``).
NeedIds = Collection[int] | SelectOfScalar[int] | SelectOfScalar[int | None]


def no_needs(ids: NeedIds) -> bool:
    """Whether ``ids`` is an empty collection (a subquery is asked, never tested in Python)."""
    return not isinstance(ids, SelectOfScalar) and not ids


DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
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


#: How long one person's engine values are reused in a process at most (a change of their own
#: in this process drops them at once; one elsewhere shows in the profile's stamp).
VALUES_SECONDS = 60.0


#: What a person's engine values are computed from: their profile's two stamps.
Stamp = tuple[Any, Any]
#: The profile's columns :func:`stamp_of` reads, for a statement that reads them beside others.
STAMP_COLUMNS = (col(VolunteerProfile.updated_at), col(VolunteerProfile.completed_at))


def stamp_of(updated_at: Any, completed_at: Any, user: User) -> Stamp | None:
    """The key that values and rankings kept per person rely on (the profile's stamps, as
    :data:`STAMP_COLUMNS` read them), or None when the person cannot be matched: no completed
    profile, or the account is gone. The one check of both."""
    if completed_at is None or user.deleted_at is not None:
        return None
    return (updated_at, completed_at)


def profile_stamp(session: Session, user: User) -> Stamp | None:
    """:func:`stamp_of` the person's profile (None without one)."""
    profile = session.get(VolunteerProfile, user.id)
    if profile is None:
        return None
    return stamp_of(profile.updated_at, profile.completed_at, user)


def volunteer_for(session: Session, user: User) -> EngineVolunteer | None:
    """The engine's view of a volunteer, or None without a completed profile.

    Read from the profile, its skills and causes (three statements), then kept for this person
    (``freshness.PERSONAL``) while the profile's stamp is the same: the person's searches,
    recommendations and need pages then read only the profile row. Saving a profile stamps it
    (``profiles.save_basics``/``save_details``, a guardian's answer); any commit in this process
    that touches the profile, its skills or causes, or deletes the account drops the values."""
    key = profile_stamp(session, user)
    if key is None:
        return None
    person = int(user.id or 0)
    kept: EngineVolunteer | None = PERSONAL.get(
        session, person, "engine-values", key, VALUES_SECONDS
    )
    if kept is not None:
        return kept
    found, _ = volunteer_columns(
        session,
        VolunteerProfile.user_id == user.id,
        col(VolunteerProfile.completed_at).is_not(None),
        col(User.deleted_at).is_(None),
    )
    value = found.volunteer(0) if len(found) else None
    if value is not None:
        PERSONAL.put(session, person, "engine-values", key, value, VALUES_SECONDS)
    return value


def json_lists(texts: Iterable[str | None]) -> list[list[str]]:
    """JSON lists read as text (``cast(column, Text)``), each distinct text decoded once: a
    city has a hundred thousand language lists but only a few different ones."""
    lists: dict[str | None, list[str]] = {}
    out = []
    for text in texts:
        if text not in lists:
            lists[text] = list(json.loads(text) or []) if text else []
        out.append(lists[text])
    return out


def volunteer_columns(session: Session, *where: Any) -> tuple[VolunteerColumns, IntArray]:
    """The engine's columns of the volunteers matching ``where`` (clauses over ``User`` and
    ``VolunteerProfile``) and their user ids, by user id: one query per table, no ORM rows.

    The one place a profile becomes engine values, for the city's pool and for one person
    alike. A hundred thousand profiles read this way cost a third of the CPU time they took as
    ORM objects and then one model object each (see README, the proposal benchmark).
    """
    people = (
        select(VolunteerProfile.user_id)
        .join(User, col(User.id) == VolunteerProfile.user_id)
        .where(*where)
    )
    # The driver's rows, not the ORM's nor Core's: their row processing cost seconds here.
    connection = session.connection()
    rows = plain_rows(  # plain columns only: text, integers, floats
        session,
        sa.select(  # Core's select: SQLModel's is typed for at most four columns
            col(VolunteerProfile.user_id),
            col(VolunteerProfile.lat),
            col(VolunteerProfile.lon),
            col(VolunteerProfile.radius_km),
            col(VolunteerProfile.availability),
            col(VolunteerProfile.age_group),
            col(VolunteerProfile.capacity),
            # As text, decoded once per distinct list below (a few lists for a whole city).
            cast(col(VolunteerProfile.languages), Text),
        )
        .join(User, col(User.id) == VolunteerProfile.user_id)
        .where(*where)
        .order_by(col(VolunteerProfile.user_id)),
    )
    n = len(rows)
    fields = list(zip(*rows, strict=True)) if n else [()] * 8
    user_id, lat, lon, radius, availability, age, capacity, languages = fields
    ids = np.array(user_id, dtype=np.int64)
    lat_a = np.array([np.nan if x is None else x for x in lat], dtype=np.float64)
    lon_a = np.array([np.nan if x is None else x for x in lon], dtype=np.float64)
    # A half-located profile (one coordinate only) counts as not located, as in the model.
    half = np.isnan(lat_a) != np.isnan(lon_a)
    lat_a[half], lon_a[half] = np.nan, np.nan
    spoken = [(i, lang) for i, langs in enumerate(json_lists(languages)) for lang in langs]

    def linked(link: Any, key: Any, names: Any) -> SetColumn:
        """The (person, name) sets of a link table, for the same people (sub-select): read as
        ids (:func:`int_rows`) and named through the small name table."""
        vocab = connection.execute(sa.select(names.id, names.slug).order_by(names.id)).all()
        vocab_ids = np.array([v[0] for v in vocab], dtype=np.int64)
        pairs = int_rows(session, sa.select(link.user_id, key).where(col(link.user_id).in_(people)))
        owner, named = pairs[:, 0], pairs[:, 1]
        at = np.minimum(np.searchsorted(ids, owner), max(n - 1, 0))
        # Each statement sees its own snapshot (PostgreSQL's READ COMMITTED): someone who became
        # findable after the profiles were read is left out here too, never given to another.
        mine = (ids[at] == owner) if n else np.zeros(owner.shape[0], dtype=np.bool_)
        code = np.minimum(np.searchsorted(vocab_ids, named), max(len(vocab) - 1, 0))
        # A name added after the names were read (a new skill) is left out like a newcomer.
        mine &= vocab_ids[code] == named if len(vocab) else np.zeros_like(mine)
        return SetColumn.from_codes(at[mine], code[mine], [v[1] for v in vocab], n)

    columns = VolunteerColumns(
        ids=tuple(str(i) for i in user_id),
        lat=lat_a,
        lon=lon_a,
        max_km=np.maximum(0.0, np.array([float(x or 0.0) for x in radius], dtype=np.float64)),
        availability=np.array([int(x or 0) for x in availability], dtype=np.int64),
        adult=np.array([x == AgeGroup.ADULT for x in age], dtype=np.bool_),
        capacity=np.maximum(0, np.array([int(x or 1) for x in capacity], dtype=np.int64)),
        skills=linked(VolunteerSkill, VolunteerSkill.skill_id, Skill),
        causes=linked(VolunteerCause, VolunteerCause.cause_id, Cause),
        languages=SetColumn.from_pairs(
            np.array([i for i, _ in spoken], dtype=np.int64), [x for _, x in spoken], n
        ),
    )
    return columns, ids


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


def places_taken(shift_id: Any) -> Any:
    """Places taken on the shift ``shift_id`` (a column, for a correlated subquery): the same
    count as :func:`open_shifts`' ``taken``, for queries that sum places per need in SQL."""
    return (
        select(func.coalesce(func.sum(holds_place()), 0))
        .where(Signup.shift_id == shift_id)
        .scalar_subquery()
    )


def open_shifts(
    session: Session,
    opportunity_ids: NeedIds,
    *,
    now: datetime,
    window: tuple[datetime, datetime] | None = None,
) -> list[OpenShift]:
    """The shifts the engine matches on, by start: after ``now`` and within ``window`` (default:
    the next ``HORIZON``). Full shifts are included (``free`` 0): they still set a need's slots.

    One statement, the places taken summed beside each shift, through Core: at city scale
    (40,000 shifts) the ORM's row handling and a second statement for the sign-ups cost more
    than the database's work."""
    if no_needs(opportunity_ids):
        return []
    start, end = (max(now, window[0]), window[1]) if window else (now, now + HORIZON)
    rows = session.connection().execute(
        sa.select(  # Core's select: SQLModel's is typed for at most four columns
            col(Shift.id),
            col(Shift.opportunity_id),
            col(Shift.starts_at),
            col(Shift.capacity),
            func.coalesce(func.sum(holds_place()), 0),
        )
        .outerjoin(Signup, col(Signup.shift_id) == Shift.id)
        .where(
            col(Shift.opportunity_id).in_(opportunity_ids),
            col(Shift.starts_at) > start,
            col(Shift.starts_at) < end,
            col(Shift.cancelled_at).is_(None),
        )
        .group_by(
            col(Shift.id), col(Shift.opportunity_id), col(Shift.starts_at), col(Shift.capacity)
        )
        .order_by(col(Shift.starts_at), col(Shift.id))
    )
    return [
        OpenShift(int(shift_id), opp_id, starts_at, used, max(0, capacity - used))
        for shift_id, opp_id, starts_at, capacity, used in rows
    ]


def _shift_facts(
    session: Session,
    opportunity_ids: list[int],
    now: datetime,
    window: tuple[datetime, datetime] | None = None,
    shifts: list[OpenShift] | None = None,
    among: NeedIds | None = None,
) -> dict[int, ShiftFacts]:
    if not opportunity_ids:
        return {}
    slots: dict[int, int] = defaultdict(int)
    open_places: dict[int, int] = defaultdict(int)
    first: dict[int, tuple[datetime, int]] = {}
    if shifts is None:
        shifts = open_shifts(
            session, opportunity_ids if among is None else among, now=now, window=window
        )
    for shift in shifts:
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


def skills_of(session: Session, ids: NeedIds) -> dict[int, dict[str, bool]]:
    """Each need's skills (slug -> whether it is required), of the needs ``ids`` (a list, or a
    subquery of ids): the one reading of a need's skills that matching and search share."""
    out: dict[int, dict[str, bool]] = defaultdict(dict)
    for opp_id, slug, required in plain_rows(  # a city's needs: 20,000 links
        session,
        sa.select(
            col(OpportunitySkill.opportunity_id), col(Skill.slug), col(OpportunitySkill.required)
        )
        .join(Skill, col(Skill.id) == OpportunitySkill.skill_id)
        .where(col(OpportunitySkill.opportunity_id).in_(ids)),
    ):
        out[int(opp_id)][slug] = bool(required)
    return out


def causes_of(session: Session, ids: NeedIds) -> dict[int, set[str]]:
    """Each need's cause slugs, of the needs ``ids`` (a list, or a subquery of ids)."""
    out: dict[int, set[str]] = defaultdict(set)
    for opp_id, slug in plain_rows(
        session,
        sa.select(col(OpportunityCause.opportunity_id), col(Cause.slug))
        .join(Cause, col(Cause.id) == OpportunityCause.cause_id)
        .where(col(OpportunityCause.opportunity_id).in_(ids)),
    ):
        out[int(opp_id)].add(slug)
    return out


class NeedRow(Protocol):
    """What :func:`opportunities_for` reads of a need: an :class:`Opportunity`, or these
    columns alone (the city-wide proposal reads 8,400 needs without making ORM rows)."""

    @property
    def id(self) -> int | None: ...
    @property
    def lat(self) -> float | None: ...
    @property
    def lon(self) -> float | None: ...
    @property
    def is_remote(self) -> bool: ...
    @property
    def minors_ok(self) -> bool: ...
    @property
    def languages(self) -> list[str]: ...


def opportunities_for(
    session: Session,
    rows: Sequence[NeedRow],
    *,
    now: datetime,
    window: tuple[datetime, datetime] | None = None,
    shifts: list[OpenShift] | None = None,
    among: NeedIds | None = None,
) -> list[EngineOpportunity]:
    """Engine values for these needs, one per need, aggregated over its upcoming shifts.

    A need's slots are the weekly slots of its upcoming shifts; its capacity is the open places
    left on them, so a need with every shift full is not eligible ("no open place"). ``window``
    limits the shifts to a period (the city-wide proposal); the default is the next ``HORIZON``.
    ``shifts``: what :func:`open_shifts` returned for these needs, now and window, when the
    caller needs them too (the proposal dates its pairs on them): read once, not twice.
    ``among``: the rows' ids as a subquery (it may name more needs than ``rows``), for a
    city-wide read: thousands of ids bound one by one cost ~0.4 CPU-s per statement on
    PostgreSQL, most of it in composing and parsing the statement.
    """
    ids = [o.id for o in rows if o.id is not None]
    facts = _shift_facts(session, ids, now, window, shifts, among)
    asked = ids if among is None else among
    skills, causes = skills_of(session, asked), causes_of(session, asked)
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
                required_skills=frozenset(s for s, req in skills.get(o.id, {}).items() if req),
                optional_skills=frozenset(s for s, req in skills.get(o.id, {}).items() if not req),
                causes=frozenset(causes.get(o.id, ())),
                languages=frozenset(o.languages or []),
                slots=f.slots,
                adults_only=not o.minors_ok,
                capacity=f.open_places,
                starts_at=f.next_start,
                filled=f.next_filled,
            )
        )
    return out


def listed_opportunities(
    session: Session, *, ids: Iterable[int] | None = None
) -> list[Opportunity]:
    """Published needs of verified organisations: what residents may see and be matched with
    (of ``ids`` only, when given)."""
    stmt = (
        select(Opportunity)
        .join(Organisation, col(Organisation.id) == Opportunity.organisation_id)
        .where(listed_clause())
    )
    if ids is not None:
        stmt = stmt.where(col(Opportunity.id).in_(sorted(ids)))
    return list(session.exec(stmt).all())
