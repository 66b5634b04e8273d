"""The listed needs as columns, for search: its filters and its page of cards answered in memory,
not in SQL per search.

A search used to ask the database for every listed need passing its filters (text, skill, cause,
district, flags, dates) and read up to every listed need back, which cost more than everything
else on the page at city scale; then its twenty cards took one more statement. The columns here
(and each need's card: title, organisation, district, first cause, and its upcoming shifts with
their free places, a calendar the card's next date and places left are counted from at the
moment of the request) are built once per process and kept in the per-process cache beside the
engine's index (``freshness.CACHE``): a commit that touches some needs (an edit, a new shift, a
sign-up) has only those needs read again on the next search, so this process shows it at once;
an organisation change rebuilds them, and the whole is refreshed in the background after
``CACHE_SECONDS``. Another worker sees a change after at most that long (as it serves a cached
page up to ``PAGE_CACHE_SECONDS``); a sign-up itself always checks its places in the database.
"""

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlmodel import Session, col, select

from matching.rules import Reason
from volunteer.models import Cause, District, Opportunity, Organisation
from volunteer.services.discovery import freshness
from volunteer.services.discovery.cards import CardNeed, Hit, ahead, hit
from volunteer.services.discovery.engine_values import causes_of, open_shifts, skills_of
from volunteer.services.discovery.listing import listed_clause, listed_ids

CACHE_SECONDS = 60.0
# Every upcoming shift counts on a card, not only the engine's horizon.
_FOREVER = datetime(9999, 1, 1, tzinfo=UTC)
# Between the vocabulary's words: no word typed into the search can contain it (``parse_params``
# turns every character that is not printable into a space).
_GAP = "\x00"


@dataclass(frozen=True)
class ListedNeed:
    """What the filters and the card look at of one listed need (words casefolded for
    matching)."""

    id: int
    card: CardNeed
    organisation_name: str
    has_logo: bool
    district_name: str | None
    cause: str | None  # the first of its causes, in the causes file's order (the card's icon)
    lat: float | None
    lon: float | None
    remote: bool
    district: int | None
    minors_ok: bool
    step_free: bool
    regular: bool
    skills: frozenset[str]
    causes: frozenset[str]
    words: frozenset[str]  # of the title, description and organisation name, casefolded
    # Upcoming (when read), not cancelled shifts by start, with their free places as the engine
    # counts them (``engine_values.open_shifts``).
    shifts: tuple[tuple[datetime, int], ...]


@dataclass(frozen=True)
class Found:
    """Needs passing the filters, as columns (NaN where a need has no location)."""

    ids: npt.NDArray[np.int64]
    lat: npt.NDArray[np.float64]
    lon: npt.NDArray[np.float64]
    remote: npt.NDArray[np.bool_]

    def take(self, keep: npt.NDArray[np.bool_]) -> "Found":
        return Found(self.ids[keep], self.lat[keep], self.lon[keep], self.remote[keep])


class Listing:
    """Every listed need's filter values as arrays, plus a word index for the text filter.

    A searched word (never containing whitespace) occurs in a text only inside one of its
    whitespace-separated words, so "which needs contain it" is "which needs have a word that
    contains it": the city's distinct words (a few thousand, against megabytes of descriptions)
    are scanned, and the needs of the words found are looked up.
    """

    def __init__(self, needs: dict[int, ListedNeed]) -> None:
        self.needs = needs
        rows = sorted(needs.values(), key=lambda n: n.id)
        self.ids = np.array([n.id for n in rows], dtype=np.int64)
        self.lat = np.array([np.nan if n.lat is None else n.lat for n in rows], dtype=np.float64)
        self.lon = np.array([np.nan if n.lon is None else n.lon for n in rows], dtype=np.float64)
        self.remote = np.array([n.remote for n in rows], dtype=np.bool_)
        self.district = np.array([n.district or 0 for n in rows], dtype=np.int64)
        self.minors_ok = np.array([n.minors_ok for n in rows], dtype=np.bool_)
        self.step_free = np.array([n.step_free for n in rows], dtype=np.bool_)
        self.regular = np.array([n.regular for n in rows], dtype=np.bool_)
        self.skills = [n.skills for n in rows]
        self.causes = [n.causes for n in rows]
        postings: dict[str, list[int]] = defaultdict(list)
        for row, n in enumerate(rows):
            for word in n.words:
                postings[word].append(row)
        vocabulary = list(postings)
        self.vocabulary = "".join(word + _GAP for word in vocabulary)
        self.word_offsets = np.cumsum([0, *(len(w) + 1 for w in vocabulary)])[:-1]
        self.word_rows = [np.array(postings[w], dtype=np.int64) for w in vocabulary]
        self.shift_row = np.array([i for i, n in enumerate(rows) for _ in n.shifts], dtype=np.int64)
        self.shift_start = np.array(
            [t.timestamp() for n in rows for t, _ in n.shifts], dtype=np.float64
        )

    def containing(self, word: str) -> npt.NDArray[np.bool_]:
        """Rows whose texts contain ``word`` (case-insensitive, literally: no wildcards)."""
        out = np.zeros(len(self.ids), dtype=np.bool_)
        at = [m.start() for m in re.finditer(re.escape(word.casefold()), self.vocabulary)]
        if at:
            found = np.unique(np.searchsorted(self.word_offsets, np.array(at), side="right") - 1)
            out[np.concatenate([self.word_rows[w] for w in found.tolist()])] = True
        return out

    def with_shift_between(self, start: datetime, end: datetime | None) -> npt.NDArray[np.bool_]:
        """Rows with an upcoming, not cancelled shift starting in [start, end)."""
        inside = self.shift_start >= start.timestamp()
        if end is not None:
            inside &= self.shift_start < end.timestamp()
        out = np.zeros(len(self.ids), dtype=np.bool_)
        out[self.shift_row[inside]] = True
        return out

    def found(self, keep: npt.NDArray[np.bool_]) -> Found:
        return Found(self.ids[keep], self.lat[keep], self.lon[keep], self.remote[keep])

    def hits(
        self,
        ids: list[int],
        *,
        now: datetime,
        distance: Mapping[int, float],
        scores: Mapping[int, float],
        explained: Mapping[int, tuple[tuple[Reason, ...], dict[str, float]]],
    ) -> list[Hit]:
        """The cards of these needs, in this order, as ``cards.card_hits`` builds them from the
        database: the next date and the places left over the shifts still ahead at ``now``
        (``cards.ahead``)."""
        out = []
        for oid in ids:
            need = self.needs.get(oid)
            if need is None:
                continue
            next_start, places_left = ahead(need.shifts, now)
            out.append(
                hit(
                    need.card,
                    need.organisation_name,
                    need.has_logo,
                    need.district_name,
                    next_start,
                    places_left,
                    need.cause,
                    distance=distance,
                    scores=scores,
                    explained=explained,
                )
            )
        return out


def _read(session: Session, *, now: datetime, ids: set[int] | None = None) -> dict[int, ListedNeed]:
    """The listed needs (of ``ids`` only, when given) with their skills, causes and shifts."""
    stmt = (
        select(
            Opportunity, Organisation.name, col(Organisation.logo_type).is_not(None), District.name
        )
        .join(Organisation, col(Organisation.id) == col(Opportunity.organisation_id))
        .outerjoin(District, col(District.number) == col(Opportunity.district_number))
        .where(listed_clause())
    )
    if ids is not None:
        stmt = stmt.where(col(Opportunity.id).in_(sorted(ids)))
    rows = [row for row in session.exec(stmt).all() if row[0].id is not None]
    if not rows:
        return {}
    # The links of these needs: by id for a few, by the listing subquery for the whole city.
    chosen: Any = sorted(ids) if ids is not None else listed_ids()
    skills, causes = skills_of(session, chosen), causes_of(session, chosen)
    cause_order = {
        slug: int(i or 0) for slug, i in session.exec(select(Cause.slug, Cause.id)).all()
    }
    shifts: dict[int, list[tuple[datetime, int]]] = defaultdict(list)
    for shift in open_shifts(session, chosen, now=now, window=(now, _FOREVER)):
        shifts[shift.opportunity_id].append((shift.starts_at, shift.free))
    out = {}
    for o, org, logo, district in rows:
        assert o.id is not None
        mine = causes.get(o.id, set())
        out[o.id] = ListedNeed(
            id=o.id,
            card=CardNeed(
                o.id,
                o.title,
                o.organisation_id,
                bool(o.is_remote),
                bool(o.regular),
                bool(o.minors_ok),
                bool(o.step_free),
            ),
            organisation_name=org,
            has_logo=bool(logo),
            district_name=district,
            cause=min(mine, key=lambda slug: cause_order.get(slug, 0)) if mine else None,
            lat=o.lat,
            lon=o.lon,
            remote=bool(o.is_remote),
            district=o.district_number,
            minors_ok=bool(o.minors_ok),
            step_free=bool(o.step_free),
            regular=bool(o.regular),
            skills=frozenset(skills.get(o.id, ())),
            causes=frozenset(mine),
            words=frozenset(
                " ".join((o.title or "", o.description or "", org or "")).casefold().split()
            ),
            shifts=tuple(shifts.get(o.id, ())),
        )
    return out


def listing(session: Session, *, now: datetime) -> Listing:
    """The listed needs' filter columns, from the per-process cache."""
    return freshness.per_need(
        "listing", session, CACHE_SECONDS,
        read=lambda s, ids: _read(s, now=now, ids=ids), build=Listing,
    )  # fmt: skip
