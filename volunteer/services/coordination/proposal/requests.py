"""What a coordinator may ask for, and queueing it: the web request's whole share of a proposal.

The checks (period order, not in the past, at most the engine's planning horizon, known
districts and causes) run here once, before anything is queued, so the worker never meets a run
it cannot compute.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from volunteer.models import Cause, District, ProposalRun, User
from volunteer.services import audit
from volunteer.services.errors import ServiceError

BERLIN = ZoneInfo("Europe/Berlin")
# The engine plans needs at most 12 weeks ahead; a longer period would find no more shifts.
MAX_PERIOD_DAYS = 84


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
