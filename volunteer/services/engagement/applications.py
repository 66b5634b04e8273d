"""Applications as an organisation handles them: decide, wait-list, message, attendance.

Every state change of a sign-up goes through
:func:`volunteer.services.engagement.signups.transition` (the one state machine, which also writes
the volunteer's notices and moves the waitlist up); this module adds what only the organisation side
needs: the check that the sign-up belongs to the organisation, attendance (which never touches
hours: :mod:`volunteer.services.engagement.hours` owns them), messages to a whole shift, candidate
invitations, the certificate-of-conduct record and the dashboard figures.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from volunteer.models import (
    ConductCheck,
    HourEntry,
    HourState,
    Notice,
    Opportunity,
    OpportunityStatus,
    Organisation,
    Shift,
    Signup,
    SignupState,
    User,
    VolunteerProfile,
)
from volunteer.platform.clock import BERLIN
from volunteer.platform.db import count_rows
from volunteer.platform.richtext import markup_problem
from volunteer.services import audit, fields
from volunteer.services.discovery import engine
from volunteer.services.discovery.listing import is_listed
from volunteer.services.discovery.visibility import shown_clause
from volunteer.services.engagement import hours, signups
from volunteer.services.errors import ServiceError
from volunteer.services.notices import outbox
from volunteer.services.organisations import opportunities
from volunteer.services.organisations import shifts as shift_service

DECISIONS = {
    "accept": SignupState.ACCEPTED,
    "decline": SignupState.DECLINED,
    "waitlist": SignupState.WAITLISTED,
}
ATTENDANCE = {"attended": SignupState.ATTENDED, "no_show": SignupState.NO_SHOW}
INVITE_KIND = "candidate_invited"
# How many candidates an organisation sees for a need (and so may invite).
CANDIDATE_LIMIT = 20


def shift_of(session: Session, org: Organisation, shift_id: int) -> tuple[Shift, Opportunity]:
    """The shift and its need if they belong to ``org``; otherwise "not found"."""
    row = session.exec(
        select(Shift, Opportunity)
        .join(Opportunity, col(Opportunity.id) == Shift.opportunity_id)
        .where(Shift.id == shift_id, Opportunity.organisation_id == org.id)
    ).first()
    if row is None:
        raise ServiceError("not_found")
    return row[0], row[1]


def signup_of(
    session: Session, org: Organisation, signup_id: int
) -> tuple[Signup, Shift, Opportunity]:
    """The sign-up with its shift and need if they belong to ``org``; otherwise "not found"."""
    row = session.exec(
        signups.joined_to_need(select(Signup, Shift, Opportunity)).where(
            Signup.id == signup_id, Opportunity.organisation_id == org.id
        )
    ).first()
    if row is None:
        raise ServiceError("not_found")
    return row[0], row[1], row[2]


def decide(
    session: Session,
    org: Organisation,
    signup: Signup,
    action: str,
    *,
    by: User,
    now: datetime,
    message: str = "",
) -> Signup:
    """Accept, decline or wait-list an application, with an optional message to the person."""
    to = DECISIONS.get(action)
    if to is None:
        raise ServiceError("bad_choice", field="action")
    if markup_problem(message):
        raise ServiceError("markup", field="message")
    signup_of(session, org, signup.id or 0)
    signups.transition(session, signup, to, by=by, now=now, reason=message.strip())
    return signup


def record_attendance(
    session: Session, org: Organisation, signup: Signup, action: str, *, by: User, now: datetime
) -> Signup:
    """Attended or no-show, once the shift has begun; the hours are not touched.

    Attendance and hours are separate decisions: "no-show" never rejects what the person
    reported and "attended" never reports hours for her. A report against a no-show is shown to
    the association as a conflict (:func:`volunteer.services.engagement.hours.pending`).
    """
    to = ATTENDANCE.get(action)
    if to is None:
        raise ServiceError("bad_choice", field="action")
    _, shift, _ = signup_of(session, org, signup.id or 0)
    if shift.starts_at > now:
        raise ServiceError("shift_not_started")
    if shift.cancelled_at is not None:
        raise ServiceError("shift_cancelled")
    signups.transition(session, signup, to, by=by, now=now)
    return signup


def message_shift(
    session: Session, org: Organisation, shift: Shift, text: str, *, by: User, now: datetime
) -> int:
    """Send a message to everyone on the shift or waiting for it; returns how many."""
    shift_of(session, org, shift.id or 0)
    body = fields.plain_text(text, field="message", max_length=2000)
    # The message itself is the frozen fact of this event.
    facts = {"organisation_id": org.id, "from_user_id": by.id, "text": body}
    count = shift_service.notify_affected(session, shift, "shift_message", now=now, facts=facts)
    audit.record(
        session, "shift.messaged", actor=by, now=now, object_type="shift", object_id=shift.id,
        recipients=count,
    )  # fmt: skip
    return count


def invite_candidate(
    session: Session,
    org: Organisation,
    need: Opportunity,
    user: User,
    *,
    by: User,
    now: datetime,
) -> bool:
    """Invite a volunteer on this need's candidate list (a notice); False if already invited.

    Only people the organisation was shown for this need can be invited (:func:`candidates`),
    so an id typed into the URL reaches nobody who opted out, lacks a guardian's consent or
    was never suggested. The organisation learns nothing more about the person by inviting:
    contact details appear only when the person applies.
    """
    if need.organisation_id != org.id:
        raise ServiceError("not_found")
    if not is_listed(need, org):
        raise ServiceError("need_not_public")
    if user.id not in {c.user.id for c in candidates(session, need, now=now)}:
        raise ServiceError("not_found")
    if invited(session, need, user):
        return False
    outbox.enqueue(
        session,
        INVITE_KIND,
        dedupe_key=_invite_key(need, user),
        now=now,
        user=user,
        payload={"opportunity_id": need.id, "organisation_id": org.id, "invited_by": by.id},
    )
    audit.record(
        session, "candidate.invited", actor=by, now=now, object_type="opportunity",
        object_id=need.id, volunteer=user.id,
    )  # fmt: skip
    return True


def candidates(session: Session, need: Opportunity, *, now: datetime) -> list[engine.Candidate]:
    """The candidate list an organisation sees for a need, and may invite from."""
    return engine.candidates(session, need, now=now, limit=CANDIDATE_LIMIT)


def _invite_key(need: Opportunity, user: User) -> str:
    return f"{INVITE_KIND}:{need.id}:{user.id}"


def invited(session: Session, need: Opportunity, user: User) -> bool:
    key = _invite_key(need, user)
    return (
        session.exec(
            select(Notice.id).where(col(Notice.dedupe_key).in_([f"{key}:email", f"{key}:inapp"]))
        ).first()
        is not None
    )


def invited_ids(session: Session, need: Opportunity) -> set[int]:
    rows = session.exec(
        select(Notice.user_id).where(
            Notice.kind == INVITE_KIND,
            col(Notice.dedupe_key).startswith(f"{INVITE_KIND}:{need.id}:"),
        )
    ).all()
    return {int(r) for r in rows if r is not None}


def record_conduct_check(
    session: Session, org: Organisation, signup: Signup, *, seen_on: date, by: User, now: datetime
) -> ConductCheck:
    """Record that the organisation saw the person's certificate of conduct (never the document)."""
    signup_of(session, org, signup.id or 0)
    if signup.user_id is None:
        raise ServiceError("not_found")
    if seen_on > now.date():
        raise ServiceError("in_the_future", field="seen_on")
    seen_at = datetime.combine(seen_on, datetime.min.time(), tzinfo=now.tzinfo)
    check = session.exec(
        select(ConductCheck).where(
            ConductCheck.organisation_id == org.id, ConductCheck.user_id == signup.user_id
        )
    ).first()
    if check is None:
        assert org.id is not None
        check = ConductCheck(organisation_id=org.id, user_id=signup.user_id, seen_at=seen_at)
    check.seen_at = seen_at
    check.recorded_by_id = by.id
    return audit.saved(
        session, check, "conduct_check.seen", actor=by, now=now, object_type="user",
        object_id=signup.user_id, organisation=org.id,
    )  # fmt: skip


def conduct_checks(session: Session, org: Organisation, user_ids: list[int]) -> dict[int, datetime]:
    if not user_ids:
        return {}
    rows = session.exec(
        select(ConductCheck).where(
            ConductCheck.organisation_id == org.id, col(ConductCheck.user_id).in_(user_ids)
        )
    ).all()
    return {r.user_id: r.seen_at for r in rows}


# --- overviews -----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Person:
    """A sign-up as the organisation sees it: contact details, because the person applied."""

    signup: Signup
    user: User | None
    hour_entry: HourEntry | None
    # Declined or withdrawn long enough ago that the name is no longer shown.
    name_hidden: bool = False


# A declined or withdrawn applicant's name is needed for a while (to answer a question, to
# avoid inviting them again), not for ever.
ENDED_STATES = (SignupState.DECLINED, SignupState.WITHDRAWN)


def people_of_shift(
    session: Session, shift: Shift, *, now: datetime, names_for: timedelta
) -> list[Person]:
    """Everyone signed up for a shift, as the association sees them.

    A person whose sign-up was declined or withdrawn more than ``names_for`` ago stays in the
    list (the shift's history), but without name or contact (``name_hidden``).
    """
    rows = session.exec(
        select(Signup, User)
        .join(User, col(User.id) == Signup.user_id, isouter=True)
        .join(VolunteerProfile, col(VolunteerProfile.user_id) == Signup.user_id, isouter=True)
        .where(Signup.shift_id == shift.id, shown_clause())
        .order_by(col(Signup.created_at), col(Signup.id))
    ).all()
    ids = [s.id for s, _ in rows]
    entries: dict[int, HourEntry] = {}
    if ids:
        for entry in session.exec(
            select(HourEntry).where(
                col(HourEntry.signup_id).in_(ids), HourEntry.state != HourState.REJECTED
            )
        ).all():
            assert entry.signup_id is not None
            entries[entry.signup_id] = entry

    def hidden(signup: Signup) -> bool:
        return signup.state in ENDED_STATES and signup.updated_at <= now - names_for

    return [
        Person(s, None, entries.get(s.id or 0), name_hidden=True)
        if hidden(s)
        else Person(s, u, entries.get(s.id or 0))
        for s, u in rows
    ]


def open_applications(
    session: Session, org: Organisation, *, now: datetime, limit: int = 50
) -> list[tuple[Signup, Shift, Opportunity, User | None]]:
    """Applications and waitlist entries for future shifts, oldest first (the to-do list)."""
    rows = session.exec(
        signups.joined_to_need(select(Signup, Shift, Opportunity, User))
        .join(User, col(User.id) == Signup.user_id, isouter=True)
        .join(VolunteerProfile, col(VolunteerProfile.user_id) == Signup.user_id, isouter=True)
        .where(
            shown_clause(),
            Opportunity.organisation_id == org.id,
            col(Signup.state).in_([SignupState.APPLIED, SignupState.WAITLISTED]),
            col(Shift.starts_at) > now,
            col(Shift.cancelled_at).is_(None),
        )
        .order_by(col(Signup.created_at), col(Signup.id))
        .limit(limit)
    ).all()
    return [(s, sh, o, u) for s, sh, o, u in rows]


def attendance_due(
    session: Session, org: Organisation, *, now: datetime, days: int = 30
) -> list[tuple[Shift, Opportunity, int]]:
    """Past shifts of the last ``days`` with accepted people whose attendance is not recorded."""
    rows = session.exec(
        select(Shift, Opportunity, func.count())
        .join(Opportunity, col(Opportunity.id) == Shift.opportunity_id)
        .join(Signup, col(Signup.shift_id) == Shift.id)
        .where(
            Opportunity.organisation_id == org.id,
            Signup.state == SignupState.ACCEPTED,
            col(Shift.starts_at) <= now,
            col(Shift.starts_at) >= now - timedelta(days=days),
            col(Shift.cancelled_at).is_(None),
        )
        .group_by(col(Shift.id), col(Opportunity.id))
        .order_by(col(Shift.starts_at).desc())
    ).all()
    return [(s, o, int(n)) for s, o, n in rows]


@dataclass(frozen=True, slots=True)
class NeedFill:
    need: Opportunity
    capacity: int
    taken: int
    shifts: int


@dataclass(frozen=True, slots=True)
class Dashboard:
    open_needs: list[NeedFill]
    drafts: int
    upcoming: list[shift_service.ShiftRow]
    upcoming_needs: dict[int, Opportunity]
    minutes_this_year: int
    volunteers_this_year: int
    pending_hours: int
    open_applications: int
    attendance_due: int
    year: int


def dashboard(session: Session, org: Organisation, *, now: datetime) -> Dashboard:
    """The figures on the organisation's start page, in a handful of queries."""
    all_needs = opportunities.opportunities_of(session, org)
    published = [n for n in all_needs if n.status == OpportunityStatus.PUBLISHED]
    by_id = {n.id: n for n in all_needs}
    future = list(
        session.exec(
            select(Shift)
            .join(Opportunity, col(Opportunity.id) == Shift.opportunity_id)
            .where(
                Opportunity.organisation_id == org.id,
                col(Shift.starts_at) > now,
                col(Shift.cancelled_at).is_(None),
            )
            .order_by(col(Shift.starts_at))
        ).all()
    )
    rows = shift_service.shift_rows(session, future)
    fills = []
    for need in published:
        mine = [r for r in rows if r.shift.opportunity_id == need.id]
        fills.append(
            NeedFill(
                need,
                capacity=sum(r.shift.capacity for r in mine),
                taken=sum(r.taken for r in mine),
                shifts=len(mine),
            )
        )
    year = now.astimezone(BERLIN).year
    totals = hours.totals_per_volunteer(session, org, year=year)
    pending = count_rows(
        session,
        HourEntry,
        HourEntry.organisation_id == org.id,
        HourEntry.state == HourState.SUBMITTED,
    )
    return Dashboard(
        open_needs=fills,
        drafts=sum(1 for n in all_needs if n.status == OpportunityStatus.DRAFT),
        upcoming=rows[:8],
        upcoming_needs={r.shift.opportunity_id: by_id[r.shift.opportunity_id] for r in rows[:8]},
        minutes_this_year=hours.organisation_minutes(session, org, year=year),
        volunteers_this_year=len(totals),
        pending_hours=pending,
        open_applications=len(open_applications(session, org, now=now, limit=500)),
        attendance_due=len(attendance_due(session, org, now=now)),
        year=year,
    )
