"""The volunteer's own "Für dich" page: their best needs with the cards, in one statement per
visit while their ranking holds.

Ranking a person against the city costs little, but reading what it is ranked from and what the
page shows took nine statements per visit, and on PostgreSQL each one is a round trip. So the
ranking is kept for the person in the process (:data:`freshness.PERSONAL`, keyed by database
and person, dropped at once by a commit that changes their profile or removes the account) and
each visit reads, in **one** statement, everything that can have changed since: the profile's
stamps (a change made by another process shows there), the needs the person is signed up for,
whether they named skills, their unread notices, and the cards of the kept ranking's needs
(still listed, with their next date and places left as of now). Only when the stamps, the
sign-ups or the engine's index differ from what the ranking was made from is it ranked again
and the new needs' cards read (a second statement). A place taken since never shows stale: the
cards' figures come from the database on every visit.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, bindparam, cast, exists, func, true
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from matching.rank import Match
from volunteer.models import User, VolunteerProfile, VolunteerSkill
from volunteer.services.discovery import cards, engine, freshness
from volunteer.services.discovery.engine_values import STAMP_COLUMNS, stamp_of
from volunteer.services.notices import inbox

#: How many fits the page shows, and how many needs that miss one rule after them.
FITS = 10
NEAR_MISSES = 3
#: How long a person's ranking is kept in the process at most (the engine's index may be
#: this old too).
RANKING_SECONDS = engine.CACHE_SECONDS


@dataclass(frozen=True)
class Pick:
    """One recommended need: the engine's match (score, reasons, or what is missing) and the
    card as the database shows it now."""

    match: Match
    card: cards.Hit


@dataclass(frozen=True)
class ForYou:
    fits: list[Pick]
    almost: list[Pick]  # needs that miss one rule (the match names what)
    step_two_open: bool  # no skills named yet: the page invites to profile step two
    unread: int  # the header badge's figure, read in the same statement


def _visit_statement() -> Any:
    """One row per kept need's card (at least one row) beside the person's figures, built once:
    profile stamps, active sign-ups' needs (as one string), whether any skill is named, the
    unread count. No profile row: no row at all."""
    person = bindparam("person", type_=Integer())
    active = engine.active_needs(person).subquery()
    head = (
        sa_select(
            *STAMP_COLUMNS,
            sa_select(func.aggregate_strings(cast(active.c.opportunity_id, String), ","))
            .scalar_subquery()
            .label("active"),
            exists().where(col(VolunteerSkill.user_id) == person).label("has_skills"),
            inbox.unread_column(person).label("unread"),
        )
        .where(col(VolunteerProfile.user_id) == person)
        .subquery("head")
    )
    listed = cards.LISTED_CARDS.subquery("cards")
    return sa_select(head, listed).select_from(head.outerjoin(listed, true()))


_VISIT = _visit_statement()
_HEAD = 5  # the person's columns before each row's card columns


def for_you(session: Session, user: User, *, now: datetime) -> ForYou | None:
    """The person's page, or None when they cannot be matched yet (no completed profile)."""
    person = int(user.id or 0)
    kept = freshness.PERSONAL.latest(session, person, "for-you", RANKING_SECONDS)
    kept_matches: list[Match] = kept[1][1] if kept is not None else []
    # Core rows through the session's connection: no ORM row processing for plain columns.
    connection = session.connection()
    rows = connection.execute(
        _VISIT, {"person": person, "ids": [int(m.opportunity) for m in kept_matches], "now": now}
    ).all()
    if not rows:
        return None
    updated_at, completed_at, active, has_skills, unread = rows[0][:_HEAD]
    stamp = stamp_of(updated_at, completed_at, user)
    if stamp is None:
        return None
    skip = {int(i) for i in (active or "").split(",") if i}
    key = (stamp, frozenset(skip))
    pool = engine.opportunity_pool(session, now=now)
    if kept is not None and kept[0] == key and kept[1][0] is pool:
        matches = kept_matches
        card_rows = [row[_HEAD:] for row in rows if row[_HEAD] is not None]
    else:
        matches = engine.ranked(
            session, user, pool, skip=skip, now=now, limit=FITS, near_misses=NEAR_MISSES
        )
        freshness.PERSONAL.put(session, person, "for-you", key, (pool, matches), RANKING_SECONDS)
        ids = [int(m.opportunity) for m in matches]
        card_rows = list(connection.execute(cards.LISTED_CARDS, {"ids": ids, "now": now}).all())
    by_id = {int(m.opportunity): m for m in matches}
    hits = cards.hits_of(
        card_rows,
        list(by_id),
        scores={i: m.score for i, m in by_id.items() if not m.missing},
        explained={i: (tuple(m.reasons), m.components) for i, m in by_id.items()},
    )
    # A need unlisted since the ranking has no card row: it is simply left out.
    picks = [Pick(by_id[hit.opportunity.id], hit) for hit in hits]
    return ForYou(
        fits=[p for p in picks if not p.match.missing],
        almost=[p for p in picks if p.match.missing],
        step_two_open=not has_skills,
        unread=int(unread or 0),
    )
