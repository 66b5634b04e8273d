"""Anonymised open data: engagement per month, statistical district and cause, for anyone.

One row per month × district × cause (the full grid, zeros included, so a missing row never
says something): the needs with a shift that month, the places on those shifts, the people who
held an accepted place or attended, and the hours confirmed for those shifts. A need with two
causes counts under both. Only counts leave the service, and the people counted go through
:func:`disclosure.suppressed_table` per month (districts × causes), so no row or column total —
published here or anywhere else — gives a hidden count away; the hours of a hidden cell are
hidden with it, since they would tell how much one or two people did.

:data:`FIELDS` is the data dictionary: the page, the CSV header and the JSON keys all come from
it, so a field cannot be exported without an explanation. The licence is configured
(``VOLUNTEER_OPEN_DATA_LICENCE``, one of ``config.LICENCES``).

Computing the export reads two years of shifts, sign-ups and hours (seconds at city scale).
A public URL that did this per request would let any client make the service do that work at
will, so the scheduled rule ``open_data`` (``notifications/rules/open_data.py``) calls
:func:`refresh` and the page, CSV and JSON serve the stored snapshot (:func:`latest`) with its
date; before the first snapshot they say it is being prepared.
"""

import time as clock
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, delete, select

from volunteer.models import (
    Cause,
    District,
    HourEntry,
    HourState,
    OpenDataSnapshot,
    Opportunity,
    OpportunityStatus,
    Organisation,
    Shift,
    Signup,
    SignupState,
)
from volunteer.platform.clock import BERLIN
from volunteer.services.coordination import disclosure
from volunteer.services.discovery.engine_values import causes_of

#: Months back from the current one that the export covers.
MONTHS = 24
#: The cause key of needs that name none.
NO_CAUSE = "none"
#: Who counts as taking part: an accepted place or attendance (applications may still be declined).
TAKING_PART = (SignupState.ACCEPTED, SignupState.ATTENDED)


@dataclass(frozen=True)
class Field:
    """One exported field: its key, what it means and its unit (in the reader's language)."""

    key: str
    meaning: Any
    unit: Any


FIELDS: tuple[Field, ...] = (
    Field("month", _l("Calendar month of the shifts (Berlin time)"), _l("year-month (YYYY-MM)")),
    Field(
        "district_number",
        _l("Number of the statistical district of the need's place"),
        _l("number"),
    ),
    Field("district", _l("Name of the statistical district"), _l("text")),
    Field("cause", _l("Cause the need serves (key; “none” when it names none)"), _l("key")),
    Field("needs", _l("Needs with at least one shift in the month"), _l("count")),
    Field("places", _l("Places offered on those shifts"), _l("count")),
    Field(
        "volunteers",
        _l(
            "Different people with an accepted place or attendance on those shifts; “.” when "
            "hidden (1 to 4, or a second cell that would give a hidden one away)"
        ),
        _l("people"),
    ),
    Field(
        "confirmed_hours",
        _l("Hours the associations confirmed for those shifts; “.” when the people are hidden"),
        _l("hours"),
    ),
)


def _months(now: datetime) -> list[str]:
    local = now.astimezone(BERLIN)
    year, month = local.year, local.month
    out = []
    for _ in range(MONTHS):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return sorted(out)


def rows(session: Session, *, now: datetime) -> list[dict[str, Any]]:
    """The export, one dict per month × district × cause, keys in :data:`FIELDS` order."""
    months = _months(now)
    since = datetime.fromisoformat(f"{months[0]}-01T00:00:00").replace(tzinfo=BERLIN)
    until = now.astimezone(BERLIN).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    until = (until + timedelta(days=32)).replace(day=1)
    shifts = session.exec(
        select(Shift.id, Shift.opportunity_id, Shift.starts_at, Shift.capacity)
        .join(Opportunity, col(Opportunity.id) == Shift.opportunity_id)
        .join(Organisation, col(Organisation.id) == Opportunity.organisation_id)
        .where(
            col(Organisation.verified_at).is_not(None),
            Opportunity.status != OpportunityStatus.DRAFT,
            col(Opportunity.district_number).is_not(None),
            col(Shift.cancelled_at).is_(None),
            Shift.starts_at >= since,
            Shift.starts_at < until,
        )
    ).all()
    need_ids = {o for _, o, _, _ in shifts}
    district_of = dict(
        session.exec(
            select(Opportunity.id, Opportunity.district_number).where(
                col(Opportunity.id).in_(need_ids)
            )
        ).all()
    )
    cause_slugs = causes_of(session, need_ids)
    shift_ids = [s for s, _, _, _ in shifts]
    people: dict[int, set[int]] = defaultdict(set)
    for on_shift, user_id in session.exec(
        select(Signup.shift_id, Signup.user_id).where(
            col(Signup.shift_id).in_(shift_ids), col(Signup.state).in_(TAKING_PART)
        )
    ).all():
        if user_id is not None:  # an erased account's sign-up stays for statistics, unnamed
            people[on_shift].add(user_id)
    minutes: dict[int, int] = defaultdict(int)
    for on_shift, mins in session.exec(
        select(Signup.shift_id, HourEntry.minutes)
        .join(Signup, col(Signup.id) == HourEntry.signup_id)
        .where(col(Signup.shift_id).in_(shift_ids), HourEntry.state == HourState.CONFIRMED)
    ).all():
        minutes[on_shift] += mins
    districts = list(session.exec(select(District.number, District.name)).all())
    causes = [*sorted(session.exec(select(Cause.slug)).all()), NO_CAUSE]
    needs: dict[tuple[str, int, str], set[int]] = defaultdict(set)
    places: dict[tuple[str, int, str], int] = defaultdict(int)
    who: dict[tuple[str, int, str], set[int]] = defaultdict(set)
    hours: dict[tuple[str, int, str], int] = defaultdict(int)
    for shift_id, opp_id, starts_at, capacity in shifts:
        assert shift_id is not None
        month = starts_at.astimezone(BERLIN).strftime("%Y-%m")
        for cause in sorted(cause_slugs.get(opp_id, ())) or [NO_CAUSE]:
            key = (month, int(district_of[opp_id] or 0), cause)
            needs[key].add(opp_id)
            places[key] += capacity
            who[key] |= people.get(shift_id, set())
            hours[key] += minutes.get(shift_id, 0)
    out = []
    for month in months:
        grid = [[len(who[(month, d, c)]) for c in causes] for d, _ in districts]
        hidden = disclosure.suppressed_table(grid)
        for i, (number, name) in enumerate(districts):
            for j, cause in enumerate(causes):
                key = (month, number, cause)
                out.append(
                    {
                        "month": month,
                        "district_number": number,
                        "district": name,
                        "cause": cause,
                        "needs": len(needs[key]),
                        "places": places[key],
                        "volunteers": disclosure.SUPPRESSED if hidden[i][j] else grid[i][j],
                        "confirmed_hours": disclosure.SUPPRESSED
                        if hidden[i][j]
                        else round(hours[key] / 60, 2),
                    }
                )
    return out


def refresh(session: Session, *, now: datetime) -> OpenDataSnapshot:
    """Compute and store the export; older snapshots go (only the latest is ever served)."""
    started = clock.perf_counter()
    data = rows(session, now=now)
    session.exec(delete(OpenDataSnapshot))
    snapshot = OpenDataSnapshot(
        computed_at=now, seconds=round(clock.perf_counter() - started, 2), rows=data
    )
    session.add(snapshot)
    session.flush()
    return snapshot


def latest(session: Session) -> OpenDataSnapshot | None:
    """The stored export, or None before the scheduler first computed it."""
    return session.exec(
        select(OpenDataSnapshot).order_by(col(OpenDataSnapshot.computed_at).desc()).limit(1)
    ).first()
