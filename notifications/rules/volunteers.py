"""Rules for volunteers: recognition milestones and the weekly digest of new opportunities.

Both use the volunteer pages' own services, so an e-mail never says something the pages do not:
milestones come from :func:`volunteer.services.engagement.recognition.milestones_reached` (the rules
are data in ``volunteer/data/recognition.json``), recommendations and their reasons from
:func:`volunteer.services.discovery.engine.recommend`. Reasons travel in the payload as the engine's
codes and are worded at delivery, in the reader's language
(:func:`volunteer.web.wording.reasons.reason_text`).
"""

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, col, select

from notifications.rules import enqueue_new
from volunteer.models import (
    HourEntry,
    HourState,
    Notice,
    Opportunity,
    Shift,
    Signup,
    SignupState,
    User,
    VolunteerProfile,
)
from volunteer.platform.clock import BERLIN
from volunteer.services.discovery import engine
from volunteer.services.engagement import recognition

# A milestone is announced if it was reached this recently: someone whose milestones predate
# the notices (or who was away) is not congratulated on an engagement from years ago.
RECENT = timedelta(days=30)
DIGEST_SIZE = 5
# How many recommendations to look through for ones that are new since the last digest.
DIGEST_POOL = 50


def _recognition_candidates(session: Session, *, now: datetime) -> list[int]:
    """Volunteers who may have reached a milestone lately: recent confirmed hours or attended
    shifts, or a first engagement about a year ago (the "one year" milestone)."""
    today = now.astimezone(BERLIN).date()
    since = now - RECENT
    year_from, year_to = today - timedelta(days=365) - RECENT, today - timedelta(days=365)
    hours = session.exec(
        select(
            HourEntry.user_id,
            func.min(HourEntry.worked_on),
            func.max(func.coalesce(HourEntry.decided_at, HourEntry.created_at)),
        )
        .where(HourEntry.state == HourState.CONFIRMED, col(HourEntry.user_id).is_not(None))
        .group_by(col(HourEntry.user_id))
    ).all()
    attended = session.exec(
        select(Signup.user_id, func.min(Shift.starts_at), func.max(Shift.starts_at))
        .join(Shift, col(Shift.id) == col(Signup.shift_id))
        .where(Signup.state == SignupState.ATTENDED, col(Signup.user_id).is_not(None))
        .group_by(col(Signup.user_id))
    ).all()
    out: set[int] = set()
    for user_id, first, last in hours:
        assert user_id is not None  # excluded by the query
        if (last is not None and _aware(last) >= since) or year_from <= first <= year_to:
            out.add(int(user_id))
    for user_id, first, last in attended:
        assert user_id is not None  # excluded by the query
        first_day = _aware(first).astimezone(BERLIN).date()
        if _aware(last) >= since or year_from <= first_day <= year_to:
            out.add(int(user_id))
    return sorted(out)


def _aware(value: datetime) -> datetime:
    """Aggregates come back naive from SQLite; stored times are UTC."""
    return value if value.tzinfo else value.replace(tzinfo=ZoneInfo("UTC"))


def schedule_recognition(session: Session, *, now: datetime) -> int:
    """One ``recognition`` notice per milestone and person, ever (key names the milestone)."""
    today = now.astimezone(BERLIN).date()
    ids = _recognition_candidates(session, now=now)
    if not ids:
        return 0
    users = session.exec(
        select(User).where(col(User.id).in_(ids), col(User.deleted_at).is_(None))
    ).all()
    created = 0
    for user in users:
        for milestone in recognition.milestones_reached(session, user, now=now):
            if milestone.reached_on < today - RECENT:
                continue
            payload: dict[str, Any] = {
                "milestone": milestone.code,
                "reached_on": milestone.reached_on.isoformat(),
            }
            if milestone.hours is not None:
                hours = milestone.hours
                payload["hours"] = int(hours) if float(hours).is_integer() else hours
            created += enqueue_new(
                session,
                "recognition",
                dedupe_key=f"recognition:{user.id}:{milestone.code}",
                now=now,
                user=user,
                payload=payload,
            )
    return created


def _last_digest(session: Session, user: User) -> Notice | None:
    return session.exec(
        select(Notice)
        .where(Notice.user_id == user.id, Notice.kind == "digest")
        .order_by(col(Notice.created_at).desc(), col(Notice.id).desc())
        .limit(1)
    ).first()


def _plain(value: Any) -> Any:
    """JSON-safe copy of the engine's reasons (numbers may be numpy scalars)."""
    return json.loads(json.dumps(value, default=float))


def digest_for(session: Session, user: User, *, now: datetime) -> dict[str, Any] | None:
    """The digest payload for ``user`` now, or None if nothing is new since the last one.

    New means: published since the last digest (a week ago for the first one) and not in the
    last digest. At most five, best first, each with the engine's reasons.
    """
    last = _last_digest(session, user)
    since = last.created_at if last is not None else now - timedelta(days=7)
    seen = {int(i) for i in ((last.payload or {}).get("opportunity_ids") or [])} if last else set()
    picked: list[int] = []
    reasons: dict[str, Any] = {}
    for rec in engine.recommend(session, user, now=now, limit=DIGEST_POOL):
        opp: Opportunity = rec.opportunity
        published = opp.published_at
        if opp.id is None or opp.id in seen or published is None or _aware(published) <= since:
            continue
        picked.append(opp.id)
        reasons[str(opp.id)] = _plain(list(rec.match.reasons)[:3])
        if len(picked) == DIGEST_SIZE:
            break
    if not picked:
        return None
    return {"opportunity_ids": picked, "reasons": reasons}


def schedule_digests(session: Session, *, now: datetime) -> int:
    """Weekly, for volunteers with a completed profile who chose the weekly digest.

    One per person per ISO week (Europe/Berlin), and only when there is something new.
    """
    year, week, _day = now.astimezone(BERLIN).isocalendar()
    users = session.exec(
        select(User)
        .join(VolunteerProfile, col(VolunteerProfile.user_id) == col(User.id))
        .where(
            col(User.deleted_at).is_(None),
            col(User.email_verified_at).is_not(None),
            col(VolunteerProfile.completed_at).is_not(None),
            VolunteerProfile.digest_frequency == "weekly",
        )
        .order_by(col(User.id))
    ).all()
    created = 0
    for user in users:
        key = f"digest:{user.id}:{year}-W{week:02d}"
        if session.exec(
            select(Notice.id).where(col(Notice.dedupe_key).startswith(key + ":"))
        ).first():
            continue
        payload = digest_for(session, user, now=now)
        if payload is None:
            continue
        created += enqueue_new(
            session, "digest", dedupe_key=key, now=now, user=user, payload=payload
        )
    return created


def available_rules() -> dict[str, Callable[..., int]]:
    """Registered by name; :data:`notifications.scheduler.SCHEDULE` says when each runs."""
    return {"recognition": schedule_recognition, "digest": schedule_digests}
