"""The stored result as the coordinator reads it: pages of needs with dated pairs, and the CSV.

Nothing is recomputed here: both read the pairs the worker stored, and both leave out anyone who
has stopped being findable since the run (``visibility.findable_clause``).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from volunteer.models import (
    Cause,
    District,
    InvitationAnswer,
    Opportunity,
    Organisation,
    ProposalPair,
    ProposalRun,
    Shift,
    User,
    VolunteerProfile,
)
from volunteer.services.coordination.proposal.requests import BERLIN
from volunteer.services.discovery.visibility import findable_clause


@dataclass(frozen=True)
class PairRow:
    pair: ProposalPair
    first_name: str
    district: str


@dataclass(frozen=True)
class ShiftRow:
    shift: Shift
    pairs: list[PairRow]


@dataclass(frozen=True)
class NeedRow:
    opportunity: Opportunity
    organisation: str
    district: str
    shifts: list[ShiftRow]


@dataclass(frozen=True)
class ResultPage:
    needs: list[NeedRow]
    page: int
    pages: int
    total_needs: int
    invited: int
    accepted: int
    declined: int
    districts: list[str] = field(default_factory=list)
    causes: list[Cause] = field(default_factory=list)


def result_page(
    session: Session, run: ProposalRun, *, page: int = 1, per_page: int = 25
) -> ResultPage:
    """One page of the stored result: needs by their first proposed date, each with its shifts
    and the volunteers proposed for each (every pair exactly once)."""
    # A pair's need is its shift's (``ProposalPair``): every need is reached through the shift.
    total = int(
        session.exec(
            select(func.count(func.distinct(Shift.opportunity_id)))
            .select_from(ProposalPair)
            .join(Shift, col(Shift.id) == ProposalPair.shift_id)
            .where(ProposalPair.run_id == run.id)
        ).one()
    )
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    first = func.min(Shift.starts_at)
    need_ids = [
        int(opp_id)
        for opp_id, _ in session.exec(
            select(Shift.opportunity_id, first)
            .select_from(ProposalPair)
            .join(Shift, col(Shift.id) == ProposalPair.shift_id)
            .where(ProposalPair.run_id == run.id)
            .group_by(col(Shift.opportunity_id))
            .order_by(first, col(Shift.opportunity_id))
            .offset((page - 1) * per_page)
            .limit(per_page)
        ).all()
    ]
    district_names = dict(session.exec(select(District.number, District.name)).all())
    needs = {
        o.id: (o, org)
        for o, org in session.exec(
            select(Opportunity, Organisation.name)
            .join(Organisation, col(Organisation.id) == Opportunity.organisation_id)
            .where(col(Opportunity.id).in_(need_ids))
        ).all()
    }
    rows = session.exec(
        select(ProposalPair, Shift, User.first_name, VolunteerProfile.district_number)
        .join(Shift, col(Shift.id) == ProposalPair.shift_id)
        .join(User, col(User.id) == ProposalPair.volunteer_id)
        .join(VolunteerProfile, col(VolunteerProfile.user_id) == ProposalPair.volunteer_id)
        .where(
            ProposalPair.run_id == run.id,
            col(Shift.opportunity_id).in_(need_ids),
            # A stored result shows nobody who has since opted out or lost a guardian's consent.
            findable_clause(),
        )
        .order_by(col(Shift.starts_at), col(Shift.id), col(ProposalPair.score).desc())
    ).all()
    shifts: dict[int, dict[int, ShiftRow]] = defaultdict(dict)
    for pair, shift, name, district in rows:
        assert shift.id is not None
        row = shifts[shift.opportunity_id].setdefault(shift.id, ShiftRow(shift, []))
        row.pairs.append(PairRow(pair, name or "", district_names.get(district or -1, "")))
    answers = dict(
        session.exec(
            select(ProposalPair.answer, func.count())
            .where(ProposalPair.run_id == run.id, col(ProposalPair.invited_at).is_not(None))
            .group_by(col(ProposalPair.answer))
        ).all()
    )
    causes = list(
        session.exec(select(Cause).where(col(Cause.slug).in_(run.cause_slugs))).all()
        if run.cause_slugs
        else []
    )
    return ResultPage(
        needs=[
            NeedRow(
                needs[i][0],
                needs[i][1],
                district_names.get(needs[i][0].district_number or -1, ""),
                list(shifts[i].values()),
            )
            for i in need_ids
            if i in needs
        ],
        page=page,
        pages=pages,
        total_needs=total,
        invited=sum(int(n) for n in answers.values()),
        accepted=int(answers.get(InvitationAnswer.ACCEPTED, 0)),
        declined=int(answers.get(InvitationAnswer.DECLINED, 0)),
        districts=[district_names.get(n, str(n)) for n in run.district_numbers],
        causes=causes,
    )


def csv_rows(session: Session, run: ProposalRun) -> list[tuple[Any, ...]]:
    """Every stored pair with its date, as the CSV downloads it (nothing is recomputed)."""
    # Ten columns: more than SQLModel's typed ``select`` overloads, so SQLAlchemy's own.
    rows = session.execute(
        sa_select(
            col(ProposalPair.volunteer_id),
            col(User.first_name),
            col(Opportunity.id),
            col(Opportunity.title),
            col(Organisation.name),
            col(Shift.starts_at),
            col(Shift.ends_at),
            col(ProposalPair.score),
            col(ProposalPair.invited_at),
            col(ProposalPair.answer),
        )
        .join(User, col(User.id) == ProposalPair.volunteer_id)
        .join(VolunteerProfile, col(VolunteerProfile.user_id) == ProposalPair.volunteer_id)
        .join(Shift, col(Shift.id) == ProposalPair.shift_id)
        .join(Opportunity, col(Opportunity.id) == Shift.opportunity_id)
        .join(Organisation, col(Organisation.id) == Opportunity.organisation_id)
        .where(col(ProposalPair.run_id) == run.id, findable_clause())
        .order_by(col(Shift.starts_at), col(Opportunity.id), col(ProposalPair.score).desc())
    ).all()
    return [
        (
            vid,
            name,
            oid,
            title,
            org,
            start.astimezone(BERLIN).isoformat(timespec="minutes"),
            end.astimezone(BERLIN).isoformat(timespec="minutes"),
            round(score, 3),
            invited.astimezone(BERLIN).isoformat(timespec="minutes") if invited else "",
            answer or "",
        )
        for vid, name, oid, title, org, start, end, score, invited, answer in rows
    ]
