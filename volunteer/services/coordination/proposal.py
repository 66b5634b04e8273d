"""The city-wide assignment proposal: queued by a coordinator, computed by the worker, acted on.

A coordinator's "who could go where": the engine's exact min-cost-flow assignment over the
volunteer pool (everyone who lets associations find them, see ``engine.volunteer_pool``) and
the listed needs with open places in a chosen period, districts and causes. At city scale this
takes seconds, so a web request only *queues* a :class:`ProposalRun`; the worker process
(``notifications.proposals``) claims it, computes it with :func:`compute` and stores every pair
with a dated shift and the run's figures. The result page and the CSV read what was stored.

It is a proposal to act on, never an automatic sign-up: the coordinator sends invitations
(:func:`invite`, at most ``per_week`` per volunteer in seven days) and the volunteer answers;
accepting goes through the normal sign-up (:func:`accept_invitation`), with its capacity,
waitlist and consent rules.
"""

import time as clock
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import func, insert, or_, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from matching.assign import assign
from matching.candidates import candidate_pairs
from matching.greedy import greedy
from matching.model import SLOT_BIT
from matching.scoring import COMPONENTS, DEFAULT_WEIGHTS
from volunteer.models import (
    Cause,
    District,
    InvitationAnswer,
    Opportunity,
    OpportunityCause,
    Organisation,
    ProposalPair,
    ProposalRun,
    ProposalStatus,
    Shift,
    Signup,
    User,
    VolunteerProfile,
)
from volunteer.services import audit
from volunteer.services.discovery.engine import volunteer_pool
from volunteer.services.discovery.engine_values import (
    listed_opportunities,
    open_shifts,
    opportunities_for,
    slot_of,
)
from volunteer.services.discovery.visibility import findable_clause
from volunteer.services.engagement import signups
from volunteer.services.errors import ServiceError
from volunteer.services.notices import outbox

BERLIN = ZoneInfo("Europe/Berlin")
# The engine plans needs at most 12 weeks ahead; a longer period would find no more shifts.
MAX_PERIOD_DAYS = 84
# A worker that claimed a run and died frees it after this long (a proposal takes seconds).
LEASE = timedelta(minutes=10)
INVITE_KIND = "proposal_invitation"
WEEK = timedelta(days=7)

Progress = Callable[[int], None]


@dataclass(frozen=True)
class ProposalOptions:
    """What the coordinator chose: shifts starting on these days, in these districts and causes
    (empty means all), and whether every need should get its first volunteer first."""

    period_start: date
    period_end: date
    district_numbers: tuple[int, ...] = ()
    cause_slugs: tuple[str, ...] = ()
    fill_fairly: bool = False


def default_options(*, now: datetime) -> ProposalOptions:
    """The next four weeks, the whole city, every cause."""
    today = now.astimezone(BERLIN).date()
    return ProposalOptions(period_start=today, period_end=today + timedelta(days=27))


def _check(session: Session, options: ProposalOptions, *, now: datetime) -> None:
    today = now.astimezone(BERLIN).date()
    if options.period_end < options.period_start:
        raise ServiceError("period_order", field="period_end")
    if options.period_end < today:
        raise ServiceError("period_past", field="period_end")
    if (options.period_end - options.period_start).days + 1 > MAX_PERIOD_DAYS:
        raise ServiceError("period_too_long", field="period_end", days=MAX_PERIOD_DAYS)
    if options.district_numbers:
        known = set(session.exec(select(District.number)).all())
        if not set(options.district_numbers) <= known:
            raise ServiceError("invalid_choice", field="districts")
    if options.cause_slugs:
        causes = set(session.exec(select(Cause.slug)).all())
        if not set(options.cause_slugs) <= causes:
            raise ServiceError("invalid_choice", field="causes")


def queue(session: Session, options: ProposalOptions, *, by: User, now: datetime) -> ProposalRun:
    """Queue a proposal for the worker; the status page follows it from here."""
    if not by.is_coordinator:
        raise ServiceError("not_allowed")
    _check(session, options, now=now)
    run = ProposalRun(
        requested_by_id=by.id,
        requested_at=now,
        period_start=options.period_start,
        period_end=options.period_end,
        district_numbers=sorted(set(options.district_numbers)),
        cause_slugs=sorted(set(options.cause_slugs)),
        fill_fairly=options.fill_fairly,
    )
    session.add(run)
    session.flush()
    audit.record(
        session, "proposal.requested", actor=by, now=now, object_type="proposal",
        object_id=run.id, period=[str(options.period_start), str(options.period_end)],
        districts=run.district_numbers, causes=run.cause_slugs, fill_fairly=run.fill_fairly,
    )  # fmt: skip
    return run


def recent_runs(session: Session, *, limit: int = 10) -> list[tuple[ProposalRun, str]]:
    """The latest runs with the first name of who asked for each, newest first."""
    rows = session.exec(
        select(ProposalRun, User.first_name)
        .join(User, col(User.id) == ProposalRun.requested_by_id, isouter=True)
        .order_by(col(ProposalRun.requested_at).desc(), col(ProposalRun.id).desc())
        .limit(limit)
    ).all()
    return [(run, name or "") for run, name in rows]


# --- the worker's side ---------------------------------------------------------------------------
def claim_next(session: Session, *, worker: str, now: datetime) -> ProposalRun | None:
    """Take the oldest queued run (or one whose worker died) with one conditional UPDATE, so two
    workers never compute the same run. The caller commits the claim before computing."""
    claimable = or_(
        col(ProposalRun.status) == ProposalStatus.QUEUED,
        (col(ProposalRun.status) == ProposalStatus.RUNNING) & (col(ProposalRun.lease_until) < now),
    )
    run_id = session.exec(
        select(ProposalRun.id)
        .where(claimable)
        .order_by(col(ProposalRun.requested_at), col(ProposalRun.id))
        .limit(1)
    ).first()
    if run_id is None:
        return None
    result = session.execute(
        update(ProposalRun)
        .where(col(ProposalRun.id) == run_id, claimable)
        .values(
            status=ProposalStatus.RUNNING,
            claimed_by=worker[:80],
            lease_until=now + LEASE,
            started_at=now,
            progress=0,
        )
        .execution_options(synchronize_session=False)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        return None  # another worker was quicker
    run = session.get(ProposalRun, run_id)
    assert run is not None
    session.refresh(run)
    return run


def _window(run: ProposalRun) -> tuple[datetime, datetime]:
    start = datetime.combine(run.period_start, time.min, tzinfo=BERLIN)
    end = datetime.combine(run.period_end + timedelta(days=1), time.min, tzinfo=BERLIN)
    return start, end


def _needs(session: Session, run: ProposalRun) -> list[Opportunity]:
    rows = listed_opportunities(session)
    if run.district_numbers:
        wanted = set(run.district_numbers)
        rows = [o for o in rows if o.district_number in wanted]
    if run.cause_slugs:
        with_cause = set(
            session.exec(
                select(OpportunityCause.opportunity_id)
                .join(Cause, col(Cause.id) == OpportunityCause.cause_id)
                .where(col(Cause.slug).in_(run.cause_slugs))
            ).all()
        )
        rows = [o for o in rows if o.id in with_cause]
    return rows


def compute(
    session: Session, run: ProposalRun, *, now: datetime, progress: Progress | None = None
) -> ProposalRun:
    """Compute the run and store its pairs (each on a dated shift) and figures; only flushes.

    The greedy baseline (best pair first) runs on the *same* candidate pairs, so the figures
    show what the exact assignment gains over the obvious rule of thumb.
    """
    report = progress or (lambda _percent: None)
    started = clock.perf_counter()
    pool = volunteer_pool(session)
    window = _window(run)
    rows = _needs(session, run)
    values = [v for v in opportunities_for(session, rows, now=now, window=window) if v.capacity > 0]
    report(5)
    done = 0

    def step(n: int) -> None:
        nonlocal done
        done += n
        report(5 + int(75 * done / max(1, len(values))))

    candidates = candidate_pairs(pool.index, values, now=now, progress=step)
    result = assign(pool.index, values, now=now, fill_fairly=run.fill_fairly, candidates=candidates)
    report(85)
    opp_capacity = np.array([v.capacity for v in values], dtype=np.int64)
    baseline = greedy(candidates, pool.index.capacity, opp_capacity)
    availability = {v.id: v.availability for v in pool.index.items}
    rows_out = _dated_pairs(session, run, result.pairs, availability, now=now, window=window)
    if rows_out:
        session.execute(insert(ProposalPair), rows_out)
    chosen_opps = candidates.opportunity[result.chosen]
    run.figures = {
        "volunteers": len(pool.user_ids),
        "needs": len(values),
        "open_places": int(opp_capacity.sum()),
        "candidate_pairs": len(candidates),
        "pairs": len(rows_out),
        "volunteers_proposed": len({r["volunteer_id"] for r in rows_out}),
        "needs_filled": int(np.unique(chosen_opps).shape[0]),
        "needs_full": _full_needs(candidates.opportunity[result.chosen], opp_capacity),
        "mean_score": _mean(candidates.score[result.chosen]),
        "greedy_pairs": int(baseline.shape[0]),
        "greedy_needs_filled": int(np.unique(candidates.opportunity[baseline]).shape[0]),
        "greedy_needs_full": _full_needs(candidates.opportunity[baseline], opp_capacity),
        "greedy_mean_score": _mean(candidates.score[baseline]),
        "total_score": round(float(candidates.score[result.chosen].sum()), 3),
        "greedy_total_score": round(float(candidates.score[baseline].sum()), 3),
        "seconds": round(clock.perf_counter() - started, 2),
        "weights": {c: getattr(DEFAULT_WEIGHTS, c) / DEFAULT_WEIGHTS.total for c in COMPONENTS},
    }
    run.status = ProposalStatus.DONE
    run.progress = 100
    run.finished_at = now
    run.lease_until = None
    session.add(run)
    session.flush()
    return run


def _mean(scores: np.ndarray[Any, Any]) -> float:
    return round(float(scores.mean()), 4) if scores.shape[0] else 0.0


def _full_needs(opportunities: np.ndarray[Any, Any], capacity: np.ndarray[Any, Any]) -> int:
    """Needs whose every open place in the period the assignment fills."""
    counts = np.bincount(opportunities, minlength=capacity.shape[0])
    return int(((counts >= capacity) & (capacity > 0)).sum())


def _dated_pairs(
    session: Session,
    run: ProposalRun,
    pairs: Sequence[Any],
    availability: dict[str, int],
    *,
    now: datetime,
    window: tuple[datetime, datetime],
) -> list[dict[str, Any]]:
    """Give each proposed pair a shift of its need: best pairs first, each to the earliest shift
    with a place left that falls in the volunteer's weekly times (else the earliest with a place;
    a need without fixed times matches anyone). No shift gets more people than free places."""
    by_need: dict[int, list[Any]] = defaultdict(list)
    for p in pairs:
        by_need[int(p.opportunity)].append(p)
    free: dict[int, list[list[Any]]] = defaultdict(list)
    for s in open_shifts(session, list(by_need), now=now, window=window):
        if s.free:
            free[s.opportunity_id].append([s.shift_id, SLOT_BIT[slot_of(s.starts_at)], s.free])
    out = []
    for need_id, need_pairs in by_need.items():
        shifts = free.get(need_id, [])
        for p in sorted(need_pairs, key=lambda p: (-p.score, p.volunteer)):
            mask = availability.get(p.volunteer, 0)
            open_ = [s for s in shifts if s[2] > 0]
            if not open_:  # cannot happen: the need's capacity is the sum of these places
                continue
            chosen = next((s for s in open_ if s[1] & mask), open_[0])
            chosen[2] -= 1
            out.append(
                {
                    "run_id": run.id,
                    "volunteer_id": int(p.volunteer),
                    "opportunity_id": need_id,
                    "shift_id": chosen[0],
                    "score": round(float(p.score), 4),
                }
            )
    return out


def fail(session: Session, run_id: int, *, error: str, now: datetime) -> None:
    """Record that the run could not be computed (shown on its status page)."""
    run = session.get(ProposalRun, run_id)
    if run is None:
        return
    run.status = ProposalStatus.FAILED
    run.error = error[:1000]
    run.finished_at = now
    run.lease_until = None
    session.add(run)
    session.flush()


# --- the result as the coordinator reads it ------------------------------------------------------
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
    total = int(
        session.exec(
            select(func.count(func.distinct(ProposalPair.opportunity_id))).where(
                ProposalPair.run_id == run.id
            )
        ).one()
    )
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    first = func.min(Shift.starts_at)
    need_ids = [
        int(opp_id)
        for opp_id, _ in session.exec(
            select(ProposalPair.opportunity_id, first)
            .join(Shift, col(Shift.id) == ProposalPair.shift_id)
            .where(ProposalPair.run_id == run.id)
            .group_by(col(ProposalPair.opportunity_id))
            .order_by(first, col(ProposalPair.opportunity_id))
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
            col(ProposalPair.opportunity_id).in_(need_ids),
            # A stored result shows nobody who has since opted out or lost a guardian's consent.
            findable_clause(),
        )
        .order_by(col(Shift.starts_at), col(Shift.id), col(ProposalPair.score).desc())
    ).all()
    shifts: dict[int, dict[int, ShiftRow]] = defaultdict(dict)
    for pair, shift, name, district in rows:
        assert shift.id is not None
        row = shifts[pair.opportunity_id].setdefault(shift.id, ShiftRow(shift, []))
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
        .join(Opportunity, col(Opportunity.id) == ProposalPair.opportunity_id)
        .join(Organisation, col(Organisation.id) == Opportunity.organisation_id)
        .join(Shift, col(Shift.id) == ProposalPair.shift_id)
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


# --- acting on it: invitations -------------------------------------------------------------------
@dataclass(frozen=True)
class InviteOutcome:
    sent: int
    already: int
    over_limit: list[str]
    unavailable: int


def invitations_this_week(session: Session, volunteer_id: int, *, now: datetime) -> int:
    return int(
        session.exec(
            select(func.count())
            .select_from(ProposalPair)
            .where(
                ProposalPair.volunteer_id == volunteer_id,
                col(ProposalPair.invited_at) > now - WEEK,
            )
        ).one()
    )


def invite(
    session: Session,
    run: ProposalRun,
    pair_ids: Sequence[int],
    *,
    by: User,
    now: datetime,
    per_week: int,
) -> InviteOutcome:
    """Send an invitation notice for each chosen pair of this run.

    Nobody gets more than ``per_week`` invitations in seven days (pairs over the limit are left
    uninvited and named); a pair already invited is not sent again; a person who stopped being
    findable, or a shift that was cancelled or has begun, is skipped.
    """
    if not by.is_coordinator:
        raise ServiceError("not_allowed")
    if run.status != ProposalStatus.DONE:
        raise ServiceError("proposal_not_done")
    if not pair_ids:
        raise ServiceError("nothing_selected", field="pair")
    rows = session.exec(
        select(ProposalPair, User, VolunteerProfile, Shift)
        .join(User, col(User.id) == ProposalPair.volunteer_id)
        .join(VolunteerProfile, col(VolunteerProfile.user_id) == ProposalPair.volunteer_id)
        .join(Shift, col(Shift.id) == ProposalPair.shift_id)
        .where(ProposalPair.run_id == run.id, col(ProposalPair.id).in_(list(pair_ids)))
        .order_by(col(ProposalPair.score).desc(), col(ProposalPair.id))
    ).all()
    # Who is still findable now (opted in, and under 16 only with a guardian's consent): the
    # stored result may be older than a withdrawal.
    findable = set(
        session.exec(
            select(User.id)
            .join(VolunteerProfile, col(VolunteerProfile.user_id) == User.id)
            .where(
                col(User.id).in_({pair.volunteer_id for pair, *_ in rows}),
                findable_clause(),
            )
        ).all()
    )
    sent = already = unavailable = 0
    over: list[str] = []
    counted: dict[int, int] = {}
    for pair, user, _profile, shift in rows:
        if pair.invited_at is not None:
            already += 1
            continue
        if (
            pair.volunteer_id not in findable
            or shift.cancelled_at is not None
            or shift.starts_at <= now
        ):
            unavailable += 1
            continue
        if pair.volunteer_id not in counted:
            counted[pair.volunteer_id] = invitations_this_week(session, pair.volunteer_id, now=now)
        if counted[pair.volunteer_id] >= per_week:
            over.append(user.first_name or "")
            continue
        counted[pair.volunteer_id] += 1
        pair.invited_at = now
        pair.invited_by_id = by.id
        session.add(pair)
        outbox.enqueue(
            session,
            INVITE_KIND,
            dedupe_key=f"{INVITE_KIND}:{pair.id}",
            now=now,
            user=user,
            payload={"pair_id": pair.id, "shift_id": pair.shift_id},
        )
        sent += 1
    if sent:
        audit.record(
            session, "proposal.invited", actor=by, now=now, object_type="proposal",
            object_id=run.id, invitations=sent,
        )  # fmt: skip
    session.flush()
    return InviteOutcome(sent=sent, already=already, over_limit=over, unavailable=unavailable)


@dataclass(frozen=True)
class Invitation:
    pair: ProposalPair
    shift: Shift
    opportunity: Opportunity
    organisation: Organisation
    places_left: int
    signup: Signup | None


def invitation_for(session: Session, pair_id: int, user: User) -> Invitation:
    """The invitation as its volunteer sees it; "not found" for anyone else or uninvited pairs."""
    pair = session.get(ProposalPair, pair_id)
    if pair is None or pair.volunteer_id != user.id or pair.invited_at is None:
        raise ServiceError("not_found")
    shift = session.get(Shift, pair.shift_id)
    opportunity = session.get(Opportunity, pair.opportunity_id)
    organisation = session.get(Organisation, opportunity.organisation_id) if opportunity else None
    if shift is None or opportunity is None or organisation is None:  # pragma: no cover - FKs
        raise ServiceError("not_found")
    signup = session.get(Signup, pair.signup_id) if pair.signup_id else None
    return Invitation(
        pair, shift, opportunity, organisation, signups.places_left(session, shift), signup
    )


def accept_invitation(
    session: Session, pair_id: int, *, user: User, now: datetime, join_waitlist: bool = False
) -> Signup:
    """Accept: the normal sign-up for the proposed shift (capacity, waitlist, age and consent
    rules apply and may refuse); the association then decides as for any application."""
    invitation = invitation_for(session, pair_id, user)
    pair = invitation.pair
    if pair.answer is not None:
        raise ServiceError("already_answered")
    signup = signups.sign_up(session, user, invitation.shift, now=now, join_waitlist=join_waitlist)
    pair.answer = InvitationAnswer.ACCEPTED
    pair.answered_at = now
    pair.signup_id = signup.id
    session.add(pair)
    session.flush()
    return signup


def decline_invitation(session: Session, pair_id: int, *, user: User, now: datetime) -> None:
    """Decline: recorded so the coordinator sees it; nobody else is told."""
    pair = invitation_for(session, pair_id, user).pair
    if pair.answer is not None:
        raise ServiceError("already_answered")
    pair.answer = InvitationAnswer.DECLINED
    pair.answered_at = now
    session.add(pair)
    session.flush()
