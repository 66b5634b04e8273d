"""The worker's share: claim a queued run and compute it with the engine, then store the result.

Claiming is one conditional UPDATE with a lease (a dead worker's run is claimed again); computing
scores the candidate pairs once and runs the exact assignment and the greedy baseline on the same
pairs, then gives each pair a dated shift. Only flushes; ``notifications.proposals`` commits.

The engine's compiled kernels (numba: scoring, the assignment, the greedy baseline) are imported
inside the functions that compute: the web app imports this package for its queue and result
pages, and every process that builds the app (each CLI command, each gunicorn worker) paid
~0.4 s of CPU importing numba that only the worker uses.
"""

import time as clock
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import sqlalchemy as sa
from sqlalchemy import Text, cast, or_, update
from sqlmodel import Session, col, select

from matching.geo import IntArray
from matching.model import SLOT_BIT
from matching.model import Opportunity as EngineOpportunity
from matching.scoring import COMPONENTS, DEFAULT_WEIGHTS
from volunteer.models import (
    Cause,
    Opportunity,
    OpportunityCause,
    ProposalPair,
    ProposalRun,
    ProposalStatus,
)
from volunteer.platform.db import insert_rows, join_memory, plain_rows
from volunteer.services.coordination.proposal.requests import BERLIN
from volunteer.services.discovery.engine import VolunteerPool, signed_up_columns, volunteer_pool
from volunteer.services.discovery.engine_values import (
    NeedIds,
    OpenShift,
    json_lists,
    open_shifts,
    opportunities_for,
    slot_of,
)
from volunteer.services.discovery.listing import listed_ids

if TYPE_CHECKING:
    from matching.candidates import Candidates

# A worker that claimed a run and died frees it after this long (a proposal takes seconds).
LEASE = timedelta(minutes=10)

Progress = Callable[[int], None]


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


class _Need(NamedTuple):
    """A need as the engine's values are made of it (``engine_values.NeedRow``), read as
    columns: 8,400 ORM rows with their descriptions cost a few tenths of a second."""

    id: int
    lat: float | None
    lon: float | None
    is_remote: bool
    minors_ok: bool
    languages: list[str]


def _needs(session: Session, run: ProposalRun) -> tuple[list[_Need], NeedIds]:
    """The listed needs the run asks for (its districts and causes), and their ids as a
    subquery: the shifts, skills, causes and sign-ups of thousands of needs are read with it,
    not with thousands of bound ids."""
    ids = listed_ids()
    if run.district_numbers:
        ids = ids.where(col(Opportunity.district_number).in_(run.district_numbers))
    if run.cause_slugs:
        with_cause = (
            select(OpportunityCause.opportunity_id)
            .join(Cause, col(Cause.id) == OpportunityCause.cause_id)
            .where(col(Cause.slug).in_(run.cause_slugs))
        )
        ids = ids.where(col(Opportunity.id).in_(with_cause))
    rows = plain_rows(  # plain columns only: integers, floats, booleans, text
        session,
        sa.select(
            col(Opportunity.id),
            col(Opportunity.lat),
            col(Opportunity.lon),
            col(Opportunity.is_remote),
            col(Opportunity.minors_ok),
            cast(col(Opportunity.languages), Text),
        )
        .where(col(Opportunity.id).in_(ids))
        .order_by(col(Opportunity.id)),
    )
    languages = json_lists(r[5] for r in rows)
    needs = [
        _Need(int(r[0]), r[1], r[2], bool(r[3]), bool(r[4]), langs)
        for r, langs in zip(rows, languages, strict=True)
    ]
    return needs, ids


@dataclass(frozen=True)
class RunCandidates:
    """What a run is solved over: the pool, the needs with open places in its period (engine
    values, by position) and every eligible pair not already signed up."""

    pool: VolunteerPool
    values: list[EngineOpportunity]
    candidates: "Candidates"
    shifts: list[OpenShift]

    @property
    def places(self) -> IntArray:
        return np.array([v.capacity for v in self.values], dtype=np.int64)


def run_candidates(
    session: Session,
    run: ProposalRun,
    *,
    now: datetime,
    progress: Progress | None = None,
    phases: "_Phases | None" = None,
) -> RunCandidates:
    """Every eligible pair of the run (the benchmark also solves over all of them, to measure
    what :mod:`.kept`'s cut costs)."""
    from matching.candidates import candidate_pairs

    report = progress or (lambda _percent: None)
    mark = phases.done if phases else (lambda _name: None)
    pool = volunteer_pool(session)
    mark("pool")
    window = _window(run)
    rows, among = _needs(session, run)
    shifts = open_shifts(session, among, now=now, window=window)
    values = [
        v
        for v in opportunities_for(
            session, rows, now=now, window=window, shifts=shifts, among=among
        )
        if v.capacity > 0
    ]
    mark("needs")
    report(5)
    done = 0

    def step(n: int) -> None:
        nonlocal done
        done += n
        report(5 + int(75 * done / max(1, len(values))))

    scored = candidate_pairs(pool.index, values, now=now, progress=step)
    mark("candidates")
    candidates = _without_signed_up(session, scored, pool, values, among)
    mark("signed_up")
    return RunCandidates(pool, values, candidates, shifts)


def compute(
    session: Session, run: ProposalRun, *, now: datetime, progress: Progress | None = None
) -> ProposalRun:
    """Compute the run and store its pairs (each on a dated shift) and figures; only flushes.

    The assignment is exact over the pairs :mod:`.kept` keeps; the greedy baseline (best pair
    first) runs on the *same* kept pairs, so the figures show what the exact assignment gains
    over the obvious rule of thumb.
    """
    from matching.greedy import greedy
    from volunteer.services.coordination.proposal.kept import (
        AT_LEAST,
        PER_PLACE,
        kept_pairs,
        solve_kept,
    )

    report = progress or (lambda _percent: None)
    started = clock.perf_counter()
    phases = _Phases()
    found = run_candidates(session, run, now=now, progress=progress, phases=phases)
    pool, values, candidates = found.pool, found.values, found.candidates
    opp_capacity = found.places
    kept = kept_pairs(candidates, opp_capacity, len(pool.user_ids))
    phases.done("cut")
    vol_capacity = pool.index.capacity
    chosen = solve_kept(candidates, kept, vol_capacity, opp_capacity, fill_fairly=run.fill_fairly)
    phases.done("assignment")
    report(85)
    # The baseline on the same kept pairs: what the exact assignment gains over the rule of thumb.
    baseline = kept[greedy(candidates.take(kept), vol_capacity, opp_capacity)]
    phases.done("greedy")
    pairs = candidates.take(chosen)
    rows_out = _dated_pairs(run, pairs, pool, values, found.shifts)
    phases.done("dates")
    # Not through the ORM (its bulk path spent ~1 CPU-s per 35,000 rows on bookkeeping).
    insert_rows(session, ProposalPair, rows_out)
    phases.done("store")
    chosen_opps = candidates.opportunity[chosen]
    run.figures = {
        "volunteers": len(pool.user_ids),
        "needs": len(values),
        "open_places": int(opp_capacity.sum()),
        "candidate_pairs": len(candidates),
        "kept_pairs": int(kept.shape[0]),
        "kept_per_place": PER_PLACE,
        "kept_at_least": AT_LEAST,
        "pairs": len(rows_out),
        "volunteers_proposed": len({r["volunteer_id"] for r in rows_out}),
        "needs_filled": int(np.unique(chosen_opps).shape[0]),
        "needs_full": _full_needs(chosen_opps, opp_capacity),
        "mean_score": _mean(candidates.score[chosen]),
        "greedy_pairs": int(baseline.shape[0]),
        "greedy_needs_filled": int(np.unique(candidates.opportunity[baseline]).shape[0]),
        "greedy_needs_full": _full_needs(candidates.opportunity[baseline], opp_capacity),
        "greedy_mean_score": _mean(candidates.score[baseline]),
        "total_score": round(float(candidates.score[chosen].sum()), 3),
        "greedy_total_score": round(float(candidates.score[baseline].sum()), 3),
        "seconds": round(clock.perf_counter() - started, 2),
        "phases": phases.seconds,
        "weights": {c: getattr(DEFAULT_WEIGHTS, c) / DEFAULT_WEIGHTS.total for c in COMPONENTS},
    }
    run.status = ProposalStatus.DONE
    run.progress = 100
    run.finished_at = now
    run.lease_until = None
    session.add(run)
    session.flush()
    return run


class _Phases:
    """Where a run's time went, phase by phase: wall and CPU seconds of this thread (the
    benchmark and the README report it; on a shared machine the CPU figure is the comparable
    one). Stored with the run's figures."""

    def __init__(self) -> None:
        self.seconds: dict[str, list[float]] = {}
        self._wall, self._cpu = clock.perf_counter(), clock.thread_time()

    def done(self, name: str) -> None:
        wall, cpu = clock.perf_counter(), clock.thread_time()
        self.seconds[name] = [round(wall - self._wall, 3), round(cpu - self._cpu, 3)]
        self._wall, self._cpu = wall, cpu


def _without_signed_up(
    session: Session,
    candidates: "Candidates",
    pool: VolunteerPool,
    values: list[EngineOpportunity],
    among: NeedIds,
) -> "Candidates":
    """Drop pairs whose volunteer already has a sign-up for that need (``engine.signed_up``):
    an invitation to it could only be refused as "already signed up"."""
    from matching.candidates import Candidates

    if not len(candidates):
        return candidates
    need_ids = np.array([int(v.id) for v in values], dtype=np.int64)
    # The listed needs' every sign-up, two years of them at Bochum scale (a million rows joined
    # to their shifts): room to hash them in memory (until the next commit).
    join_memory(session, 64)
    people, needs = signed_up_columns(session, among)
    # Each signed-up (person, need) as the (need, volunteer) position key of a pair; people no
    # longer in the pool and needs not in this run (no open place in it) have no pair to drop.
    users = np.asarray(pool.user_ids, dtype=np.int64)
    vol, found_vol = _positions(users, people)
    need, found_need = _positions(need_ids, needs)
    n = users.shape[0]
    # Sorted: a binary search per key then walks the pairs from left to right instead of
    # jumping across 47 MB of keys for each of a city's million sign-ups (2 s against 0.2 s).
    taken = np.sort((need * n + vol)[found_vol & found_need])
    if not taken.shape[0]:
        return candidates
    key = candidates.opportunity * n + candidates.volunteer
    if key.shape[0] > 1 and bool(np.all(key[1:] > key[:-1])):
        # Pairs come need by need, volunteers ascending: a binary search per sign-up finds
        # the pairs to drop, instead of testing millions of pairs against the sign-ups.
        at = np.minimum(np.searchsorted(key, taken), key.shape[0] - 1)
        keep = np.ones(key.shape[0], dtype=np.bool_)
        keep[at[key[at] == taken]] = False
    else:
        keep = ~np.isin(key, taken)
    # By the mask, not by positions: half the time over millions of pairs.
    return Candidates(
        candidates.volunteer[keep], candidates.opportunity[keep], candidates.score[keep]
    )


def _positions(ids: np.ndarray[Any, Any], wanted: np.ndarray[Any, Any]) -> tuple[Any, Any]:
    """Where each of ``wanted`` stands in ``ids`` (unique database ids, so not negative, in any
    order), and which are there: one lookup table as long as the largest id, not a sort and a
    binary search per value (a city's million sign-ups: 0.2 s against a few milliseconds)."""
    if not ids.shape[0]:
        return np.zeros_like(wanted), np.zeros(wanted.shape[0], dtype=np.bool_)
    table = np.full(int(ids.max()) + 1, -1, dtype=np.int64)
    table[ids] = np.arange(ids.shape[0], dtype=np.int64)
    inside = (wanted >= 0) & (wanted < table.shape[0])
    at = np.where(inside, table[np.where(inside, wanted, 0)], -1)
    return np.maximum(at, 0), at >= 0


def _mean(scores: np.ndarray[Any, Any]) -> float:
    return round(float(scores.mean()), 4) if scores.shape[0] else 0.0


def _full_needs(opportunities: np.ndarray[Any, Any], capacity: np.ndarray[Any, Any]) -> int:
    """Needs whose every open place in the period the assignment fills."""
    counts = np.bincount(opportunities, minlength=capacity.shape[0])
    return int(((counts >= capacity) & (capacity > 0)).sum())


def _dated_pairs(
    run: ProposalRun,
    chosen: "Candidates",
    pool: VolunteerPool,
    values: list[EngineOpportunity],
    shifts: list[OpenShift],
) -> list[dict[str, Any]]:
    """Give each proposed pair a shift of its need: best pairs first, each to the earliest shift
    with a place left that falls in the volunteer's weekly times (else the earliest with a place;
    a need without fixed times matches anyone). No shift gets more people than free places."""
    if not len(chosen):
        return []
    need_ids = np.array([int(v.id) for v in values], dtype=np.int64)[chosen.opportunity]
    user_ids = np.asarray(pool.user_ids, dtype=np.int64)[chosen.volunteer]
    masks = pool.index.columns.availability[chosen.volunteer]
    free: dict[int, list[list[int]]] = defaultdict(list)
    for s in shifts:
        if s.free:
            free[s.opportunity_id].append([s.shift_id, SLOT_BIT[slot_of(s.starts_at)], s.free])
    out = []
    # Need by need, best pair first (ties: the smaller user id), as the page lists them.
    order = np.lexsort((user_ids, -chosen.score, need_ids))
    for need_id, user_id, mask, score in zip(
        need_ids[order].tolist(),
        user_ids[order].tolist(),
        masks[order].tolist(),
        chosen.score[order].tolist(),
        strict=True,
    ):
        open_ = [s for s in free.get(need_id, ()) if s[2] > 0]
        if not open_:  # cannot happen: the need's capacity is the sum of these places
            continue
        shift = next((s for s in open_ if s[1] & mask), open_[0])
        shift[2] -= 1
        out.append(
            {
                "run_id": run.id,
                "volunteer_id": user_id,
                "shift_id": shift[0],  # and so the need: a pair names it through its shift
                "score": round(score, 4),
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
