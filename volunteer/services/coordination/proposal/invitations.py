"""Acting on a proposal: invitations sent by the coordinator and answered by the volunteer.

Sending writes an outbox row per invitation in the caller's transaction (web code never sends);
the weekly limit per volunteer is counted here and only here. Accepting is the normal sign-up,
never an automatic one.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from volunteer.models import (
    InvitationAnswer,
    Opportunity,
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
from volunteer.services.discovery.visibility import findable_clause
from volunteer.services.engagement import signups
from volunteer.services.errors import ServiceError
from volunteer.services.notices import outbox

INVITE_KIND = "proposal_invitation"
WEEK = timedelta(days=7)


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
    shift, opportunity, organisation = signups.shift_with_need(session, pair.shift_id)
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
