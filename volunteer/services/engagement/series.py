"""Weekly series: joining or leaving every future date of a series at once.

Each date keeps its own capacity and waiting list, so a series is only a loop over
:mod:`.signups` (sign up, withdraw) with one notice for the whole series instead of one per date.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from volunteer.models import Shift, Signup, SignupState, User
from volunteer.services.engagement import signups
from volunteer.services.errors import ServiceError
from volunteer.services.notices import outbox

# Refusals that concern one date of a series, not the person: that date is skipped.
_SERIES_SKIPS = ("already_signed_up", "already_declined", "shift_full")


@dataclass(frozen=True)
class SeriesSignup:
    """What joining a series did: new sign-ups per state, and dates skipped (already joined,
    declined for that date, or full while the waiting list was not wanted)."""

    applied: int
    waitlisted: int
    skipped: int


def series_shifts(session: Session, series_id: str, *, now: datetime) -> list[Shift]:
    """The series' dates still ahead and not cancelled, soonest first."""
    return list(
        session.exec(
            select(Shift)
            .where(
                Shift.series_id == series_id,
                Shift.starts_at > now,
                col(Shift.cancelled_at).is_(None),
            )
            .order_by(col(Shift.starts_at), col(Shift.id))
        ).all()
    )


def sign_up_series(
    session: Session,
    user: User,
    series_id: str,
    *,
    now: datetime,
    message: str = "",
    join_waitlist: bool = True,
) -> SeriesSignup:
    """Join every future date of a weekly series, each through :func:`.signups.sign_up`, so every
    date keeps its own capacity and waiting list (a full date puts the person on its waiting
    list when ``join_waitlist``). Refusals about the person (not verified, adults only, missing
    consent, ...) apply to every date and stop the whole series: nothing is half-joined, since
    the caller rolls back. Raises ``not_found`` for a series without future dates.

    She gets one ``series_joined`` notice listing the dates she joined, each with its state and,
    on a waiting list, her place there, and each member of the organisation one
    ``series_application_new``: one mail for the series, not one per date."""
    shifts = series_shifts(session, series_id, now=now)
    if not shifts:
        raise ServiceError("not_found")
    applied = waitlisted = skipped = 0
    dates: list[dict[str, object]] = []
    first: tuple[Signup, Shift] | None = None
    for shift in shifts:
        try:
            signup = signups.sign_up(
                session,
                user,
                shift,
                now=now,
                message=message,
                join_waitlist=join_waitlist,
                tell_volunteer=False,
                tell_organisation=False,
            )
        except ServiceError as error:
            if error.code in _SERIES_SKIPS:
                skipped += 1  # raised before anything was written for this date
                continue
            raise
        date: dict[str, object] = {"shift_id": shift.id, "state": str(signup.state)}
        if signup.state == SignupState.WAITLISTED:
            waitlisted += 1
            date["waitlist_place"] = signups.waitlist_place(session, signup)
        else:
            applied += 1
        dates.append(date)
        first = first or (signup, shift)
    if first is not None:
        _tell_about_series(session, user, "series_joined", series_id, shifts[0], dates, now=now)
        signup, shift = first
        facts = {"signup_id": signup.id, "dates": dates}
        signups.notify_organisation(
            session, shift, "series_application_new", signup, now=now, payload=facts
        )
    return SeriesSignup(applied=applied, waitlisted=waitlisted, skipped=skipped)


def _tell_about_series(
    session: Session,
    user: User,
    kind: str,
    series_id: str,
    shift: Shift,
    dates: list[dict[str, object]],
    *,
    now: datetime,
) -> None:
    """The one notice about a whole series (``series_joined`` / ``series_left``)."""
    outbox.enqueue(
        session,
        kind,
        dedupe_key=f"{kind}:{user.id}:{series_id}:{signups.dedupe_stamp(now)}",
        now=now,
        user=user,
        payload={"opportunity_id": shift.opportunity_id, "dates": dates},
    )


def leave_series(
    session: Session, user: User, series_id: str, *, now: datetime, reason: str = ""
) -> int:
    """Withdraw from every future date of a series (each through :func:`.signups.withdraw`, so freed
    places move the waiting list up); returns how many sign-ups ended. She gets one
    ``series_left`` notice listing the dates she left, each member of the organisation one
    ``series_withdrawn``."""
    shifts = series_shifts(session, series_id, now=now)
    ids = [s.id for s in shifts]
    if not ids:
        raise ServiceError("not_found")
    active = session.exec(
        select(Signup).where(
            Signup.user_id == user.id,
            col(Signup.shift_id).in_(ids),
            col(Signup.state).in_(
                [SignupState.APPLIED, SignupState.ACCEPTED, SignupState.WAITLISTED]
            ),
        )
    ).all()
    for signup in active:
        signups.withdraw(session, signup, by=user, now=now, reason=reason, tell_organisation=False)
    if active:
        order = {shift_id: n for n, shift_id in enumerate(ids)}
        ordered = sorted(active, key=lambda s: order[s.shift_id])
        dates: list[dict[str, object]] = [{"shift_id": s.shift_id} for s in ordered]
        _tell_about_series(session, user, "series_left", series_id, shifts[0], dates, now=now)
        shift = session.get(Shift, ordered[0].shift_id)
        assert shift is not None
        facts = {"signup_id": ordered[0].id, "dates": dates}
        signups.notify_organisation(
            session, shift, "series_withdrawn", ordered[0], now=now, payload=facts
        )
    return len(active)
