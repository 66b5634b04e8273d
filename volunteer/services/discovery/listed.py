"""The listed needs as columns, for the search filters: answered in memory, not in SQL per search.

A search used to ask the database for every listed need passing its filters (text, skill, cause,
district, flags, dates) and read up to every listed need back, which cost more than everything
else on the page at city scale. The columns here are built once per process and kept in the
per-process cache beside the engine's index (``freshness.CACHE``): a commit that touches some
needs (an edit, a new shift, a sign-up) has only those needs read again, an organisation change
rebuilds them, and the whole is refreshed in the background after ``CACHE_SECONDS``. Another
worker sees a change after at most that long; the cards on the page are read from the database.
"""

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlmodel import Session, col, select

from volunteer.models import (
    Opportunity,
    Organisation,
    Shift,
)
from volunteer.services.discovery import freshness
from volunteer.services.discovery.engine_values import causes_of, skills_of
from volunteer.services.discovery.listing import listed_clause

CACHE_SECONDS = 60.0
# Between a need's texts in the joined haystack: no word typed into the search can contain it.
_GAP = "\x00"


@dataclass(frozen=True)
class ListedNeed:
    """What the filters look at of one listed need (texts casefolded for matching)."""

    id: int
    lat: float | None
    lon: float | None
    remote: bool
    district: int | None
    minors_ok: bool
    step_free: bool
    regular: bool
    skills: frozenset[str]
    causes: frozenset[str]
    text: str  # title, description and organisation name, casefolded, joined by _GAP
    starts: tuple[float, ...]  # upcoming, not cancelled shifts' starts (POSIX seconds)


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
    """Every listed need's filter values as arrays, plus one haystack for the text filter."""

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
        texts = [n.text + _GAP for n in rows]
        self.haystack = "".join(texts)
        self.offsets = np.cumsum([0, *(len(t) for t in texts)])[:-1]
        self.shift_row = np.array([i for i, n in enumerate(rows) for _ in n.starts], dtype=np.int64)
        self.shift_start = np.array([s for n in rows for s in n.starts], dtype=np.float64)

    def containing(self, word: str) -> npt.NDArray[np.bool_]:
        """Rows whose texts contain ``word`` (case-insensitive, literally: no wildcards)."""
        out = np.zeros(len(self.ids), dtype=np.bool_)
        at = [m.start() for m in re.finditer(re.escape(word.casefold()), self.haystack)]
        if at:
            out[np.searchsorted(self.offsets, np.array(at), side="right") - 1] = True
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


def _read(session: Session, *, now: datetime, ids: set[int] | None = None) -> dict[int, ListedNeed]:
    """The listed needs (of ``ids`` only, when given) with their skills, causes and shifts."""
    stmt = (
        select(Opportunity, Organisation.name)
        .join(Organisation, col(Organisation.id) == col(Opportunity.organisation_id))
        .where(listed_clause())
    )
    if ids is not None:
        stmt = stmt.where(col(Opportunity.id).in_(sorted(ids)))
    rows = [(o, org) for o, org in session.exec(stmt).all() if o.id is not None]
    if not rows:
        return {}
    # The links of these needs: by id for a few, by the listing subquery for the whole city.
    chosen: Any = sorted(ids) if ids is not None else _listed_ids()
    skills, causes = skills_of(session, chosen), causes_of(session, chosen)
    starts: dict[int, list[float]] = defaultdict(list)
    for oid, start in session.exec(
        select(Shift.opportunity_id, Shift.starts_at).where(
            col(Shift.opportunity_id).in_(chosen),
            Shift.starts_at > now,
            col(Shift.cancelled_at).is_(None),
        )
    ).all():
        starts[int(oid)].append(start.timestamp())
    out = {}
    for o, org in rows:
        assert o.id is not None
        out[o.id] = ListedNeed(
            id=o.id,
            lat=o.lat,
            lon=o.lon,
            remote=bool(o.is_remote),
            district=o.district_number,
            minors_ok=bool(o.minors_ok),
            step_free=bool(o.step_free),
            regular=bool(o.regular),
            skills=frozenset(skills.get(o.id, ())),
            causes=frozenset(causes.get(o.id, ())),
            text=_GAP.join((o.title or "", o.description or "", org or "")).casefold(),
            starts=tuple(sorted(starts.get(o.id, ()))),
        )
    return out


def _listed_ids() -> Any:
    return (
        select(Opportunity.id)
        .join(Organisation, col(Organisation.id) == col(Opportunity.organisation_id))
        .where(listed_clause())
    )


def listing(session: Session, *, now: datetime) -> Listing:
    """The listed needs' filter columns, from the per-process cache."""
    return freshness.per_need(
        "listing", session, CACHE_SECONDS,
        read=lambda s, ids: _read(s, now=now, ids=ids), build=Listing,
    )  # fmt: skip
