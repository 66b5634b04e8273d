"""The city-wide assignment proposal: who could go where, optimally, within every capacity.

A coordinator's "what if": the engine's exact min-cost-flow assignment over all discoverable
volunteers and all listed needs with open places. It is a proposal to act on (invite people),
never an automatic sign-up: volunteers decide for themselves.
"""

import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from matching.assign import assign
from volunteer.models import District, User, VolunteerProfile
from volunteer.services.discovery.engine import (
    listed_opportunities,
    opportunities_for,
    skill_categories,
    volunteer_pool,
)


@dataclass(frozen=True)
class ProposedPair:
    volunteer_id: int
    volunteer_name: str
    volunteer_district: str
    opportunity_id: int
    opportunity_title: str
    score: float


@dataclass(frozen=True)
class Proposal:
    pairs: list[ProposedPair]
    total_score: float
    volunteers: int
    needs: int
    open_places: int
    candidate_pairs: int
    needs_served: int
    seconds: float
    fill_fairly: bool

    @property
    def placed(self) -> int:
        return len(self.pairs)


def propose(
    session: Session, *, now: datetime, fill_fairly: bool = False, top_k: int | None = None
) -> Proposal:
    """Run the exact assignment and describe it with names a coordinator can act on."""
    started = time.perf_counter()
    pool = volunteer_pool(session)
    rows = listed_opportunities(session)
    values = [v for v in opportunities_for(session, rows, now=now) if v.capacity > 0]
    result = assign(
        pool.index,
        values,
        skill_category=skill_categories(session),
        now=now,
        fill_fairly=fill_fairly,
        top_k=top_k,
    )
    seconds = time.perf_counter() - started
    titles = {str(o.id): o.title for o in rows}
    user_ids = [int(p.volunteer) for p in result.pairs]
    names = dict(
        session.exec(select(User.id, User.first_name).where(col(User.id).in_(user_ids))).all()
    )
    district_names = dict(session.exec(select(District.number, District.name)).all())
    districts = dict(
        session.exec(
            select(VolunteerProfile.user_id, VolunteerProfile.district_number).where(
                col(VolunteerProfile.user_id).in_(user_ids)
            )
        ).all()
    )
    pairs = [
        ProposedPair(
            volunteer_id=int(p.volunteer),
            volunteer_name=names.get(int(p.volunteer), "") or "",
            volunteer_district=district_names.get(districts.get(int(p.volunteer)) or -1, ""),
            opportunity_id=int(p.opportunity),
            opportunity_title=titles.get(p.opportunity, ""),
            score=round(p.score, 3),
        )
        for p in result.pairs
    ]
    served = Counter(p.opportunity_id for p in pairs)
    return Proposal(
        pairs=pairs,
        total_score=round(result.total_score, 3),
        volunteers=len(pool.user_ids),
        needs=len(values),
        open_places=sum(v.capacity for v in values),
        candidate_pairs=len(result.candidates),
        needs_served=len(served),
        seconds=round(seconds, 2),
        fill_fairly=fill_fairly,
    )
