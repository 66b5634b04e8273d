"""City statistics for coordinators: where engagement thrives and where help is missing.

Everything is counted in SQL (no identities leave the database): volunteers and needs per
district, skill demand against supply and weekly-slot demand against supply. The gaps (places
nobody eligible can take) come from the engine instead: ``services/coordination/gaps.py``; the
overview shows the largest few of its stored map.
"""

import itertools
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from matching.model import SLOT_BIT
from volunteer.models import (
    PLACE_HOLDING_STATES,
    District,
    HourEntry,
    HourState,
    Opportunity,
    OpportunitySkill,
    Organisation,
    Shift,
    Signup,
    Skill,
    VolunteerProfile,
    VolunteerSkill,
)
from volunteer.services.coordination import gaps
from volunteer.services.discovery import freshness
from volunteer.services.discovery.engine_values import slot_of
from volunteer.services.discovery.listing import listed_ids


@dataclass
class DistrictRow:
    number: int
    name: str
    borough: int
    volunteers: int = 0
    organisations: int = 0
    needs: int = 0
    places: int = 0
    taken: int = 0
    hours: float = 0.0

    @property
    def fill_rate(self) -> float | None:
        return self.taken / self.places if self.places else None


@dataclass
class SkillRow:
    slug: str
    label_de: str
    label_en: str
    demand: int = 0  # open needs that require it
    supply: int = 0  # volunteers who offer it


# The overview lists the largest gaps only; the gap map page shows them all.
GAPS_SHOWN = 5


@dataclass
class Overview:
    districts: list[DistrictRow]
    skills: list[SkillRow]
    gaps: gaps.GapMap  # the stored gap map as of the count, its first GAPS_SHOWN rows
    slot_demand: dict[str, int] = field(default_factory=dict)
    slot_supply: dict[str, int] = field(default_factory=dict)
    pending_organisations: int = 0
    counted_at: datetime | None = None  # when the counts were taken (the page says so)
    # Which count of this process this is: one number per call of :func:`overview`, so the page
    # can render what a count shows once and key it by this number alone.
    version: int = 0


_VERSIONS = itertools.count(1)


def overview(session: Session, *, now: datetime, year: int | None = None) -> Overview:
    """All coordinator figures in one pass of aggregate queries."""
    year = year or now.year
    rows = {
        d.number: DistrictRow(d.number, d.name, d.borough_number)
        for d in session.exec(select(District).order_by(col(District.number))).all()
    }
    # Deleting an account deletes its profile and skills (``accounts.privacy``), so the counts
    # of volunteers read those tables alone: joining 150,000 users cost more than counting.
    active_volunteers = (
        select(VolunteerProfile.district_number, func.count())
        .where(col(VolunteerProfile.completed_at).is_not(None))
        .group_by(col(VolunteerProfile.district_number))
    )
    for number, n in session.exec(active_volunteers).all():
        if number in rows:
            rows[number].volunteers = n
    for number, n in session.exec(
        select(Organisation.district_number, func.count())
        .where(col(Organisation.verified_at).is_not(None))
        .group_by(col(Organisation.district_number))
    ).all():
        if number in rows:
            rows[number].organisations = n
    listed = listed_ids().subquery()
    for number, n in session.exec(
        select(Opportunity.district_number, func.count())
        .where(col(Opportunity.id).in_(select(listed.c.id)))
        .group_by(col(Opportunity.district_number))
    ).all():
        if number in rows:
            rows[number].needs = n
    upcoming = (
        select(Shift.id, Shift.capacity, Shift.starts_at, Opportunity.district_number)
        .join(Opportunity, col(Opportunity.id) == Shift.opportunity_id)
        .where(
            col(Opportunity.id).in_(select(listed.c.id)),
            Shift.starts_at > now,
            col(Shift.cancelled_at).is_(None),
        )
    )
    taken = dict(
        session.exec(
            select(Signup.shift_id, func.count())
            .join(Shift, col(Shift.id) == Signup.shift_id)
            .where(
                Shift.starts_at > now,
                col(Signup.state).in_([s.value for s in PLACE_HOLDING_STATES]),
            )
            .group_by(col(Signup.shift_id))
        ).all()
    )
    slot_demand: dict[str, int] = defaultdict(int)
    for shift_id, capacity, starts_at, number in session.exec(upcoming).all():
        assert shift_id is not None  # a stored row always has its key
        filled = min(capacity, taken.get(shift_id, 0))
        if number in rows:
            rows[number].places += capacity
            rows[number].taken += filled
        if capacity > filled:
            slot_demand[slot_of(starts_at)] += capacity - filled
    # Each weekly slot counted in the database, in one pass over the profiles: a city has
    # 150,000 of them, and handing each one's mask to Python cost more than the count.
    availability = col(VolunteerProfile.availability)
    supplied = session.exec(
        select(
            *(
                func.sum(case((availability.op("&")(bit) != 0, 1), else_=0))
                for bit in SLOT_BIT.values()
            )
        ).where(col(VolunteerProfile.completed_at).is_not(None))
    ).one()
    slot_supply = {name: int(n or 0) for name, n in zip(SLOT_BIT, supplied, strict=True)}
    start, end = date(year, 1, 1), date(year, 12, 31)
    for number, minutes in session.exec(
        select(Organisation.district_number, func.sum(HourEntry.minutes))
        .join(Organisation, col(Organisation.id) == HourEntry.organisation_id)
        .where(
            HourEntry.state == HourState.CONFIRMED,
            HourEntry.worked_on >= start,
            HourEntry.worked_on <= end,
        )
        .group_by(col(Organisation.district_number))
    ).all():
        if number in rows:
            rows[number].hours = round((minutes or 0) / 60, 1)
    return Overview(
        version=next(_VERSIONS),
        counted_at=now,
        districts=list(rows.values()),
        skills=skill_balance(session),
        gaps=_largest_gaps(session),
        slot_demand=dict(slot_demand),
        slot_supply=dict(slot_supply),
        pending_organisations=_pending_organisations(session),
    )


# How old the coordinators' overview may be: counting the city takes one to two seconds of CPU
# at Bochum scale, too long for every visit of a page several coordinators keep open.
OVERVIEW_SECONDS = 120.0


def current_overview(session: Session, *, now: datetime) -> Overview:
    """The overview as the coordinators' page and report show it: counted at most
    :data:`OVERVIEW_SECONDS` ago (stale-while-revalidate in the per-process cache, so only the
    first visit of a process waits for the count), except the organisations waiting for
    verification, counted now — a coordinator who just verified one sees it gone."""
    counted: Overview = freshness.CACHE.get(
        "coordination_overview",
        session,
        OVERVIEW_SECONDS,
        lambda s: overview(s, now=now),
        # A change waits for the next count, at most two minutes: a commit that touched an
        # organisation must not make the next coordinator wait seconds for a recount.
        follows_commits=False,
    )
    return replace(counted, pending_organisations=_pending_organisations(session))


def _largest_gaps(session: Session) -> gaps.GapMap:
    stored = gaps.latest(session)
    return replace(stored, rows=stored.rows[:GAPS_SHOWN])


def _pending_organisations(session: Session) -> int:
    return session.exec(
        select(func.count())
        .select_from(Organisation)
        .where(col(Organisation.verified_at).is_(None))
    ).one()


def skill_balance(session: Session) -> list[SkillRow]:
    """Per skill: how many listed needs require it and how many volunteers offer it."""
    skills = session.exec(select(Skill).order_by(Skill.slug)).all()
    rows = {s.slug: SkillRow(s.slug, s.label_de, s.label_en) for s in skills}
    listed = listed_ids().subquery()
    for slug, n in session.exec(
        select(Skill.slug, func.count())
        .join(OpportunitySkill, col(OpportunitySkill.skill_id) == Skill.id)
        .where(
            OpportunitySkill.required == True,  # noqa: E712
            col(OpportunitySkill.opportunity_id).in_(select(listed.c.id)),
        )
        .group_by(Skill.slug)
    ).all():
        rows[slug].demand = n
    # A deleted account has no skills left (see ``overview``): counted from the skills' index.
    slug_of = {s.id: s.slug for s in skills}
    for skill_id, n in session.exec(
        select(VolunteerSkill.skill_id, func.count()).group_by(col(VolunteerSkill.skill_id))
    ).all():
        rows[slug_of[skill_id]].supply = n
    return sorted(rows.values(), key=lambda r: (-(r.demand - r.supply), r.slug))
