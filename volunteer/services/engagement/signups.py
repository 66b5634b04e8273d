"""Sign-ups for shifts: the one place where a sign-up is created or changes state.

Shared by the volunteer pages (sign up, withdraw) and the association pages (accept, decline,
attendance). Every change writes its notices into the outbox in the caller's transaction.

Capacity is enforced atomically without backend-specific SQL: every write that can take or free
a place starts with ``UPDATE shift SET updated_at = :now WHERE id = :id``. On PostgreSQL that
takes the shift's row lock until commit; on SQLite (pysqlite opens the transaction at the first
DML) it takes the database write lock. Only then are places counted and the sign-up written,
so two people racing for the last place are serialised and the second one sees it taken.
"""

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Select, and_, func, or_, update
from sqlmodel import Session, col, select

from volunteer.models import (
    PLACE_HOLDING_STATES,
    SIGNUP_TRANSITIONS,
    AgeGroup,
    Opportunity,
    Organisation,
    Shift,
    Signup,
    SignupState,
    User,
    VolunteerProfile,
    holds_place,
)
from volunteer.platform.db import count_rows
from volunteer.services.accounts import account as accounts
from volunteer.services.discovery.listing import is_listed
from volunteer.services.errors import ServiceError
from volunteer.services.notices import outbox
from volunteer.services.organisations import members as member_service

# States in which a person is still "on" the shift (for clashes and "signed up twice").
ACTIVE_STATES = PLACE_HOLDING_STATES | {SignupState.WAITLISTED}

_Query = TypeVar("_Query", bound=Select[*tuple[Any, ...]])


def joined_to_need(query: _Query) -> _Query:
    """``query`` over sign-ups, joined to each sign-up's shift and that shift's need.

    The one spelling of the sign-up -> shift -> need path, so every page that asks "whose need
    is this sign-up for" (organisation checks, to-do lists, timelines, first acceptances) walks
    the same keys; callers add their own columns, filters and further joins.
    """
    return query.join(Shift, col(Shift.id) == col(Signup.shift_id)).join(
        Opportunity, col(Opportunity.id) == col(Shift.opportunity_id)
    )


def shift_with_need(session: Session, shift_id: int) -> tuple[Shift, Opportunity, Organisation]:
    """The shift with its need and the need's organisation, in one statement.

    The one lookup behind signing up, reporting hours and reading an invitation, so all three
    give the same answer when a row is missing: ``not_found``, which the pages show as "We could
    not find this." (a flash, or a 404), never a server error.
    """
    row = session.exec(
        select(Shift, Opportunity, Organisation)
        .join(Opportunity, col(Opportunity.id) == col(Shift.opportunity_id))
        .join(Organisation, col(Organisation.id) == col(Opportunity.organisation_id))
        .where(col(Shift.id) == shift_id)
    ).first()
    if row is None:
        raise ServiceError("not_found")
    return row[0], row[1], row[2]


def _lock_shift(session: Session, shift: Shift, now: datetime) -> None:
    """Serialise every capacity decision on this shift (see the module docstring)."""
    session.execute(
        update(Shift)
        .where(col(Shift.id) == shift.id)
        .values(updated_at=now)
        .execution_options(synchronize_session=False)
    )
    shift.updated_at = now


def places_taken(session: Session, shift: Shift) -> int:
    """Sign-ups that hold a place (applied, accepted, attended); the waitlist does not count."""
    return _taken(session, [shift.id or 0]).get(shift.id or 0, 0)


def _taken(session: Session, shift_ids: list[int]) -> dict[int, int]:
    rows = session.exec(
        select(Signup.shift_id, func.sum(holds_place()))
        .where(col(Signup.shift_id).in_(shift_ids))
        .group_by(col(Signup.shift_id))
    ).all()
    return {int(shift_id): int(n) for shift_id, n in rows}


def places_left(session: Session, shift: Shift) -> int:
    return places_left_of(session, [shift]).get(shift.id or 0, 0)


def places_left_of(session: Session, shifts: Sequence[Shift]) -> dict[int, int]:
    """:func:`places_left` of many shifts in one statement (a need's page lists up to 60)."""
    ids = [s.id for s in shifts if s.id is not None]
    taken = _taken(session, ids) if ids else {}
    return {s.id: max(0, s.capacity - taken.get(s.id, 0)) for s in shifts if s.id is not None}


def _age_group(session: Session, user: User) -> str:
    """Without a profile we know nothing that would restrict them: the model default applies."""
    profile = session.get(VolunteerProfile, user.id)
    return profile.age_group if profile else AgeGroup.ADULT


def check_eligibility(session: Session, user: User, shift: Shift, *, now: datetime) -> None:
    """Raise the first rule that forbids ``user`` to sign up for ``shift`` (not capacity)."""
    if user.deleted_at is not None:
        raise ServiceError("not_found")
    assert shift.id is not None
    _, opportunity, organisation = shift_with_need(session, shift.id)
    if not is_listed(opportunity, organisation):
        raise ServiceError("not_open", field="shift")
    if shift.cancelled_at is not None:
        raise ServiceError("shift_cancelled", field="shift")
    if shift.starts_at <= now:
        raise ServiceError("shift_past", field="shift")
    if user.email_verified_at is None:
        raise ServiceError("email_not_verified", field="shift")
    age = _age_group(session, user)
    if age != AgeGroup.ADULT and not opportunity.minors_ok:
        raise ServiceError("adults_only", field="shift")
    if age == AgeGroup.UNDER_16:
        profile = session.get(VolunteerProfile, user.id)
        if profile is None or profile.guardian_consent_at is None:
            raise ServiceError("guardian_consent_missing", field="shift")


def _existing(session: Session, user: User, shift: Shift) -> Signup | None:
    return session.exec(
        select(Signup).where(Signup.shift_id == shift.id, Signup.user_id == user.id)
    ).first()


def sign_up(
    session: Session,
    user: User,
    shift: Shift,
    *,
    now: datetime,
    message: str = "",
    join_waitlist: bool = False,
    tell_volunteer: bool = True,
    tell_organisation: bool = True,
) -> Signup:
    """Sign ``user`` up for ``shift``: APPLIED if a place is free, else WAITLISTED if they agree.

    ``tell_volunteer=False`` / ``tell_organisation=False`` leave out her ``signup_received`` and
    the members' ``application_new``: a series sign-up tells each of them once for all its
    dates (``series_joined``, ``series_application_new``).

    Raises ``ServiceError`` with ``not_open``, ``shift_cancelled``, ``shift_past``,
    ``email_not_verified``, ``adults_only``, ``guardian_consent_missing``, ``already_signed_up``,
    ``already_declined`` or ``shift_full`` (when full and ``join_waitlist`` is false).
    Someone who withdrew may sign up again: their old row is reused (one row per person and shift).
    """
    check_eligibility(session, user, shift, now=now)
    _lock_shift(session, shift, now)
    existing = _existing(session, user, shift)
    if existing is not None:
        session.refresh(existing)
        if existing.state == SignupState.DECLINED:
            raise ServiceError("already_declined", field="shift")
        if existing.state != SignupState.WITHDRAWN:
            raise ServiceError("already_signed_up", field="shift")
    full = places_taken(session, shift) >= shift.capacity
    if full and not join_waitlist:
        raise ServiceError("shift_full", field="shift")
    state = SignupState.WAITLISTED if full else SignupState.APPLIED
    assert shift.id is not None
    signup = existing or Signup(shift_id=shift.id, user_id=user.id)
    signup.state = state
    signup.message = message.strip()[:2000]
    signup.reason = ""
    signup.created_at = now
    signup.updated_at = now
    signup.decided_at = None
    signup.decided_by_id = None
    signup.accepted_at = None
    session.add(signup)
    session.flush()
    stamp = dedupe_stamp(now)
    payload: dict[str, object] = {"signup_id": signup.id, "shift_id": shift.id, "state": str(state)}
    if state == SignupState.WAITLISTED:
        # The place at the time of joining is the fact of this event; the notice says it instead
        # of "received your sign-up", which would promise a place she does not have.
        payload["waitlist_place"] = waitlist_place(session, signup)
    if tell_volunteer:
        outbox.enqueue(
            session,
            "signup_received",
            dedupe_key=f"signup_received:{signup.id}:{stamp}",
            now=now,
            user=user,
            payload=payload,
        )
    if tell_organisation:
        notify_organisation(session, shift, "application_new", signup, now=now, payload=payload)
    return signup


def waitlist_place(session: Session, signup: Signup) -> int:
    """1 for the person who has waited longest (the next to move up), and so on."""
    return count_rows(
        session,
        Signup,
        Signup.shift_id == signup.shift_id,
        Signup.state == SignupState.WAITLISTED,
        or_(
            col(Signup.created_at) < signup.created_at,
            and_(col(Signup.created_at) == signup.created_at, col(Signup.id) <= signup.id),
        ),
    )


def clashes(session: Session, user: User, shift: Shift) -> list[Shift]:
    """Other shifts this person is on (or waiting for) that overlap ``shift`` in time."""
    rows = session.exec(
        select(Shift)
        .join(Signup, col(Signup.shift_id) == col(Shift.id))
        .where(
            Signup.user_id == user.id,
            col(Signup.state).in_([s.value for s in ACTIVE_STATES]),
            col(Shift.id) != shift.id,
            col(Shift.cancelled_at).is_(None),
            col(Shift.starts_at) < shift.ends_at,
            col(Shift.ends_at) > shift.starts_at,
        )
        .order_by(col(Shift.starts_at))
    ).all()
    return list(rows)


def transition(
    session: Session,
    signup: Signup,
    to: SignupState,
    *,
    by: User | None,
    now: datetime,
    reason: str = "",
    tell_organisation: bool = True,
) -> Signup:
    """Move ``signup`` to ``to`` if ``SIGNUP_TRANSITIONS`` allows it, with its notices
    (``tell_organisation=False``: the caller tells the organisation once, for a series).

    ``by`` is the person deciding (``None`` for the automatic waitlist move-up). Taking a place
    from the waitlist needs a free place (``no_place_free``); freeing a place moves the first
    waitlisted person up automatically.
    """
    shift = session.get(Shift, signup.shift_id)
    if shift is None:  # pragma: no cover - foreign key
        raise ServiceError("not_found")
    _lock_shift(session, shift, now)
    session.refresh(signup)  # the state may have changed while we waited for the lock
    current = SignupState(signup.state)
    if to not in SIGNUP_TRANSITIONS[current]:
        raise ServiceError("invalid_transition", field="state", current=current, to=to)
    takes_place = to in PLACE_HOLDING_STATES and current not in PLACE_HOLDING_STATES
    frees_place = current in PLACE_HOLDING_STATES and to not in PLACE_HOLDING_STATES
    # NO_SHOW -> ATTENDED corrects a record after the shift; it takes no one's place.
    if (
        takes_place
        and current != SignupState.NO_SHOW
        and places_taken(session, shift) >= shift.capacity
    ):
        raise ServiceError("no_place_free", field="shift")

    signup.state = to
    signup.updated_at = now
    if reason:
        signup.reason = reason.strip()[:2000]
    if to != SignupState.WITHDRAWN:
        signup.decided_at = now
        signup.decided_by_id = by.id if by else None
    if to == SignupState.ACCEPTED:
        signup.accepted_at = now
        need = session.get(Opportunity, shift.opportunity_id)
        if need is not None and need.first_accepted_at is None:
            need.first_accepted_at = now
            session.add(need)
    session.add(signup)
    session.flush()
    _transition_notices(
        session, signup, shift, current, to, now=now, tell_organisation=tell_organisation
    )

    if frees_place and shift.cancelled_at is None and shift.starts_at > now:
        promote_waitlist(session, shift, now=now)
    return signup


def _transition_notices(
    session: Session,
    signup: Signup,
    shift: Shift,
    current: SignupState,
    to: SignupState,
    *,
    now: datetime,
    tell_organisation: bool = True,
) -> None:
    volunteer = accounts.active_user(session, signup.user_id)
    stamp = dedupe_stamp(now)
    payload = {"signup_id": signup.id, "shift_id": shift.id, "state": str(to)}
    kind: str | None = None
    if current == SignupState.WAITLISTED and to in PLACE_HOLDING_STATES:
        kind = "waitlist_moved_up"
    elif to == SignupState.ACCEPTED:
        kind = "signup_accepted"
    elif to == SignupState.DECLINED:
        kind = "signup_declined"
    if kind and volunteer is not None:
        outbox.enqueue(
            session,
            kind,
            dedupe_key=f"{kind}:{signup.id}:{stamp}",
            now=now,
            user=volunteer,
            payload=payload,
        )
    if to == SignupState.WITHDRAWN and tell_organisation:
        notify_organisation(session, shift, "signup_withdrawn", signup, now=now, payload=payload)


def promote_waitlist(session: Session, shift: Shift, *, now: datetime) -> Signup | None:
    """Give a free place to the person who has waited longest; ``None`` if none is free or waiting.

    The promoted sign-up becomes APPLIED (the organisation still accepts it) and its owner gets a
    ``waitlist_moved_up`` notice.
    """
    _lock_shift(session, shift, now)
    if places_taken(session, shift) >= shift.capacity:
        return None
    first = session.exec(
        select(Signup)
        .where(Signup.shift_id == shift.id, Signup.state == SignupState.WAITLISTED)
        .order_by(col(Signup.created_at), col(Signup.id))
    ).first()
    if first is None:
        return None
    return transition(session, first, SignupState.APPLIED, by=None, now=now)


def withdraw(
    session: Session,
    signup: Signup,
    *,
    by: User,
    now: datetime,
    reason: str = "",
    tell_organisation: bool = True,
) -> Signup:
    """The volunteer (or their account deletion) cancels a sign-up before the shift starts."""
    shift = session.get(Shift, signup.shift_id)
    if shift is None or (signup.user_id != by.id and not by.is_coordinator):
        raise ServiceError("not_found")
    if shift.starts_at <= now:
        raise ServiceError("shift_past", field="shift")
    if signup.state == SignupState.WITHDRAWN:
        return signup
    return transition(
        session,
        signup,
        SignupState.WITHDRAWN,
        by=by,
        now=now,
        reason=reason,
        tell_organisation=tell_organisation,
    )


def withdraw_upcoming(session: Session, user: User, *, now: datetime, reason: str) -> int:
    """Withdraw every sign-up of ``user`` for a shift still ahead (account deleted, a guardian's
    consent withdrawn): the places are freed and the organisations are told."""
    upcoming = session.exec(
        select(Signup)
        .join(Shift, col(Shift.id) == col(Signup.shift_id))
        .where(
            Signup.user_id == user.id,
            col(Signup.state).in_(
                [SignupState.APPLIED, SignupState.ACCEPTED, SignupState.WAITLISTED]
            ),
            Shift.starts_at > now,
        )
    ).all()
    for signup in upcoming:
        withdraw(session, signup, by=user, now=now, reason=reason)
    return len(upcoming)


def notify_organisation(
    session: Session,
    shift: Shift,
    kind: str,
    signup: Signup,
    *,
    now: datetime,
    payload: Mapping[str, object],
) -> None:
    """One notice per member of the organisation behind the shift."""
    opportunity = session.get(Opportunity, shift.opportunity_id)
    if opportunity is None:  # pragma: no cover - foreign key
        return
    outbox.enqueue_each(
        session, kind, member_service.recipients(session, opportunity.organisation_id),
        dedupe_key=f"{kind}:{signup.id}:{dedupe_stamp(now)}", now=now,
        payload={**payload, "opportunity_id": opportunity.id},
    )  # fmt: skip


def dedupe_stamp(now: datetime) -> str:
    """Part of dedupe keys: the same event (sign-up, state, instant) is written only once."""
    return now.strftime("%Y%m%dT%H%M%S%f")
