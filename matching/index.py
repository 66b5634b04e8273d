"""Indexes: the items of one side as numpy arrays, built once and reused for every query.

Two layouts, one per direction, because the cheap tests run the other way round:

- :class:`OpportunityIndex` answers "which opportunities suit *this volunteer*?" over bitsets
  (:mod:`matching.encoding`): a rule is one bitwise operation per word over all opportunities.
- :class:`VolunteerIndex` answers "which volunteers suit *this opportunity*?" over boolean
  columns (one AND/OR per item the opportunity names), and a :class:`~matching.geo.GridIndex`
  skips the distance of volunteers who cannot reach it.

Both kernels implement :mod:`matching.rules` and :mod:`matching.scoring` exactly; the component
values go through the same scoring functions with the same integer dtypes, so a pair scores the
same whichever way it is looked up (the tests check this against the scalar reference).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from matching.columns import ColumnVolunteers, SetColumn, VolunteerColumns
from matching.encoding import (
    U64Array,
    category_of,
    check_unique,
    encode_many,
    encode_one,
    id_rank,
    locations,
    popcount,
    vocabulary,
    words,
)
from matching.geo import BoolArray, FloatArray, GridIndex, IntArray, haversine_rad
from matching.model import SLOTS, Opportunity, Volunteer
from matching.scoring import (
    Weights,
    causes_value,
    distance_value,
    ratio_value,
    skills_value,
    urgency_value,
)


@dataclass(frozen=True, slots=True)
class Evaluation:
    """Eligible pairs found by one query: the many-side rows, distances and component values."""

    rows: IntArray
    km: FloatArray  # NaN for remote opportunities
    values: dict[str, FloatArray]


class OpportunityIndex:
    """Opportunities as arrays, for ranking them against one volunteer at a time."""

    def __init__(
        self,
        opportunities: Sequence[Opportunity],
        *,
        skill_category: Mapping[str, str] | None = None,
    ) -> None:
        items = tuple(opportunities)
        self.items = items
        self.position = check_unique([o.id for o in items], "opportunity")
        self.id_rank = id_rank([o.id for o in items])
        self.skill_category = category_of(skill_category)
        self.skill_vocab = vocabulary(s for o in items for s in o.wanted_skills)
        self.language_vocab = vocabulary(lang for o in items for lang in o.languages)
        self.cause_vocab = vocabulary(c for o in items for c in o.causes)
        ws, wl, wc = words(self.skill_vocab), words(self.language_vocab), words(self.cause_vocab)
        self.lat, self.lon = locations(items)
        self.located = ~np.isnan(self.lat)
        self.required = encode_many([o.required_skills for o in items], self.skill_vocab, ws)
        self.optional = encode_many([o.optional_skills for o in items], self.skill_vocab, ws)
        self.n_required = np.array([len(o.required_skills) for o in items], dtype=np.int64)
        self.n_wanted = self.n_required + np.array(
            [len(o.optional_skills) for o in items], dtype=np.int64
        )
        self.languages = encode_many([o.languages for o in items], self.language_vocab, wl)
        self.n_languages = np.array([len(o.languages) for o in items], dtype=np.int64)
        self.causes = encode_many([o.causes for o in items], self.cause_vocab, wc)
        self.n_causes = np.array([len(o.causes) for o in items], dtype=np.int64)
        self.slots = np.array([o.slots for o in items], dtype=np.int64)
        self.n_slots = popcount(self.slots)
        self.adults_only = np.array([o.adults_only for o in items], dtype=np.bool_)
        self.capacity = np.array([o.capacity for o in items], dtype=np.int64)
        self.filled = np.array([o.filled for o in items], dtype=np.int64)
        self.starts_at = np.array(
            [np.nan if o.starts_at is None else o.starts_at.timestamp() for o in items],
            dtype=np.float64,
        )

    def __len__(self) -> int:
        return len(self.items)

    def _related_bits(self, volunteer: Volunteer) -> U64Array:
        """Vocabulary skills sharing a category with a skill the volunteer holds."""
        cats = {self.skill_category[s] for s in volunteer.skills if s in self.skill_category}
        related = [s for s in self.skill_vocab if self.skill_category.get(s) in cats]
        return encode_one(related, self.skill_vocab, self.required.shape[0])

    def evaluate(
        self,
        volunteer: Volunteer,
        *,
        weights: Weights,
        now: datetime | None,
        near_miss: bool = False,
    ) -> Evaluation:
        """Eligible opportunities for ``volunteer`` (or, with ``near_miss``, those failing exactly
        one rule other than a full place, with at most one missing skill)."""
        vs = encode_one(volunteer.skills, self.skill_vocab, self.required.shape[0])
        vl = encode_one(volunteer.languages, self.language_vocab, self.languages.shape[0])
        vc = encode_one(volunteer.causes, self.cause_vocab, self.causes.shape[0])
        missing = np.zeros(len(self), dtype=np.int64)
        for w in range(vs.shape[0]):
            missing += popcount(self.required[w] & ~vs[w])
        speaks = np.zeros(len(self), dtype=np.int64)
        for w in range(vl.shape[0]):
            speaks += popcount(self.languages[w] & vl[w])
        fails = [
            self.capacity < 1,
            missing > 0,
            (self.slots & volunteer.availability) == 0,
            speaks == 0,
        ]
        fails[2] &= self.n_slots > 0
        fails[3] &= self.n_languages > 0
        if not volunteer.adult:
            fails.append(self.adults_only)
        if not volunteer.has_location:
            fails.append(self.located)
        if near_miss:
            n_failed = np.zeros(len(self), dtype=np.int64)
            for f in fails:
                n_failed += f
            pre = (n_failed <= 1) & ~fails[0] & (missing <= 1)
        else:
            bad = fails[0] | fails[1] | fails[2] | fails[3]
            for f in fails[4:]:
                bad |= f
            pre = ~bad
        rows = np.flatnonzero(pre)
        km = np.full(rows.shape[0], np.nan)
        located = self.located[rows]
        if volunteer.lat is not None and volunteer.lon is not None:
            km[located] = haversine_rad(
                np.radians(volunteer.lat),
                np.radians(volunteer.lon),
                self.lat[rows[located]],
                self.lon[rows[located]],
            )
        else:
            km[located] = np.inf
        # A volunteer without a location already failed the location rule above.
        too_far = located & (km > volunteer.max_km) & volunteer.has_location
        if near_miss:
            n_failed = n_failed[rows] + too_far
            keep = n_failed == 1
        else:
            keep = ~too_far
        rows, km = rows[keep], km[keep]
        values = self._values(volunteer, rows, km, vs, vl, vc, missing[rows], weights, now)
        return Evaluation(rows=rows, km=km, values=values)

    def _values(
        self,
        volunteer: Volunteer,
        rows: IntArray,
        km: FloatArray,
        vs: U64Array,
        vl: U64Array,
        vc: U64Array,
        missing: IntArray,
        weights: Weights,
        now: datetime | None,
    ) -> dict[str, FloatArray]:
        related_bits = self._related_bits(volunteer)
        matched = np.zeros(rows.shape[0], dtype=np.int64)
        related = np.zeros(rows.shape[0], dtype=np.int64)
        speaks = np.zeros(rows.shape[0], dtype=np.int64)
        shared = np.zeros(rows.shape[0], dtype=np.int64)
        for w in range(vs.shape[0]):
            opt = self.optional[w, rows]
            matched += popcount(opt & vs[w])
            related += popcount(opt & ~vs[w] & related_bits[w])
        for w in range(vl.shape[0]):
            speaks += popcount(self.languages[w, rows] & vl[w])
        for w in range(vc.shape[0]):
            shared += popcount(self.causes[w, rows] & vc[w])
        n_req = self.n_required[rows]
        return {
            "skills": skills_value(n_req - missing, matched, related, self.n_wanted[rows], weights),
            "distance": distance_value(km, ~self.located[rows], weights),
            "availability": ratio_value(
                popcount(self.slots[rows] & volunteer.availability), self.n_slots[rows]
            ),
            "causes": causes_value(shared, len(volunteer.causes), self.n_causes[rows], weights),
            "language": ratio_value(speaks, self.n_languages[rows]),
            "urgency": urgency_value(
                self.starts_at[rows], self.filled[rows], self.capacity[rows], now, weights
            ),
        }


class VolunteerIndex:
    """Volunteers as boolean columns plus a grid, for ranking them against one opportunity."""

    def __init__(
        self,
        volunteers: Sequence[Volunteer] | VolunteerColumns,
        *,
        skill_category: Mapping[str, str] | None = None,
        cell_km: float = 1.0,
    ) -> None:
        # Model objects are turned into columns first, so both inputs build the same arrays; an
        # index built from columns makes a model object only when ``items[i]`` is read.
        cols: VolunteerColumns
        if isinstance(volunteers, VolunteerColumns):
            cols = volunteers
            self.items: Sequence[Volunteer] = ColumnVolunteers(cols)
        elif isinstance(volunteers, ColumnVolunteers):
            cols = volunteers.columns
            self.items = volunteers
        else:
            self.items = tuple(volunteers)
            cols = VolunteerColumns.from_volunteers(self.items)
        self.columns = cols
        self.position = check_unique(cols.ids, "volunteer")
        self.id_rank = id_rank(cols.ids)
        self.skill_category = category_of(skill_category)
        self.skill_vocab = {name: i for i, name in enumerate(cols.skills.vocab)}
        self.language_vocab = {name: i for i, name in enumerate(cols.languages.vocab)}
        self.cause_vocab = {name: i for i, name in enumerate(cols.causes.vocab)}
        # Each volunteer's skill categories: the categories of the skills they hold.
        category_names = sorted(set(self.skill_category.values()))
        category_code = {name: i for i, name in enumerate(category_names)}
        of_skill = np.array(
            [
                category_code[self.skill_category[s]] if s in self.skill_category else -1
                for s in cols.skills.vocab
            ],
            dtype=np.int64,
        )[cols.skills.idx]
        held = of_skill >= 0
        categories = SetColumn.from_codes(
            cols.skills.rows()[held], of_skill[held], category_names, len(cols)
        )
        self.category_vocab = {name: i for i, name in enumerate(categories.vocab)}
        self.skill_cols = cols.skills.membership()
        self.category_cols = categories.membership()
        self.language_cols = cols.languages.membership()
        self.cause_cols = cols.causes.membership()
        self.n_causes = cols.causes.counts()
        self.slots = cols.availability.copy()
        self.slot_cols = np.array(
            [(self.slots >> i) & 1 for i in range(len(SLOTS))], dtype=np.bool_
        ).reshape(len(SLOTS), len(cols))
        self.adult = cols.adult.copy()
        self.lat, self.lon = np.radians(cols.lat), np.radians(cols.lon)
        self.located = ~np.isnan(self.lat)
        self.max_km = cols.max_km.copy()
        self.capacity = cols.capacity.copy()
        self.grid = GridIndex.build(self.lat, self.lon, self.max_km, cell_km=cell_km)
        # One extra "unreachable" cell so that volunteers without location (cell -1) index it.
        n_cells = self.grid.max_km.shape[0]
        cell_of = np.where(self.grid.cell_of < 0, n_cells, self.grid.cell_of)
        # The per-volunteer arrays below are kept in *grid order* (by cell, then position): a
        # cell's volunteers are then one contiguous run, so "in a reachable cell" is an
        # ``np.repeat`` of the per-cell answer, and the gathers of the eligible few are local.
        # ``order[i]`` is the position (in ``items``) of the i-th volunteer in grid order; the
        # methods below take and return positions in ``items`` as before.
        self.order = np.argsort(cell_of, kind="stable")
        self._cell_sizes = np.bincount(cell_of, minlength=n_cells + 1)
        order = self.order
        self.skill_cols = np.take(self.skill_cols, order, axis=1)  # rows stay contiguous
        self.category_cols = np.take(self.category_cols, order, axis=1)
        self.language_cols = np.take(self.language_cols, order, axis=1)
        self.cause_cols = np.take(self.cause_cols, order, axis=1)
        self.slot_cols = np.take(self.slot_cols, order, axis=1)
        self.n_causes = self.n_causes[order]
        self.slots = self.slots[order]
        self.adult = self.adult[order]
        self.lat, self.lon = self.lat[order], self.lon[order]
        self.located = self.located[order]
        self.max_km = self.max_km[order]

    def __len__(self) -> int:
        return len(self.items)

    def evaluate(
        self, opportunity: Opportunity, *, weights: Weights, now: datetime | None
    ) -> Evaluation:
        """Eligible volunteers for ``opportunity``: column tests, then grid, then distance."""
        found = self.reach(opportunity)
        if found is None:
            return Evaluation(np.zeros(0, dtype=np.int64), np.zeros(0), {})
        at, km = found
        values = self._values(opportunity, at, km, weights, now)
        rows = self.order[at]
        by_row = np.argsort(rows)
        return Evaluation(
            rows=rows[by_row], km=km[by_row], values={c: x[by_row] for c, x in values.items()}
        )

    def eligible(self, opportunity: Opportunity) -> IntArray:
        """Positions (in ``items``, ascending) of the volunteers who may take ``opportunity``:
        the same rules as :meth:`evaluate` and
        :func:`~matching.batch_scores.opportunity_scores`, without scoring anyone."""
        found = self.reach(opportunity)
        if found is None:
            return np.zeros(0, dtype=np.int64)
        return np.sort(self.order[found[0]])

    def reach(
        self, opportunity: Opportunity, at: IntArray | None = None
    ) -> tuple[IntArray, FloatArray] | None:
        """Grid-order positions of the eligible volunteers and their distances (NaN when
        remote); ``None`` when nobody can be eligible: the rules of every query from an
        opportunity, in one place (:mod:`matching.batch_scores` scores what this finds). With
        ``at`` (grid-order positions), only those volunteers are tested."""
        n = len(self) if at is None else at.shape[0]
        if opportunity.capacity < 1 or n == 0:
            return None

        def column(cols: BoolArray, i: int) -> BoolArray:
            row: BoolArray = cols[i]
            return row if at is None else row[at]

        ok: BoolArray | None = None
        for skill in opportunity.required_skills:
            col = self.skill_vocab.get(skill)
            if col is None:
                return None
            ok = column(self.skill_cols, col) if ok is None else ok & column(self.skill_cols, col)
        if opportunity.slots:
            fits: BoolArray | None = None
            for i in range(len(SLOTS)):
                if opportunity.slots >> i & 1:
                    slot = column(self.slot_cols, i)
                    fits = slot if fits is None else fits | slot
            if fits is not None:
                ok = fits if ok is None else ok & fits
        if opportunity.languages:
            speaks: BoolArray | None = None
            for lang in opportunity.languages:
                col = self.language_vocab.get(lang)
                if col is not None:
                    spoken = column(self.language_cols, col)
                    speaks = spoken if speaks is None else speaks | spoken
            if speaks is None:
                return None
            ok = speaks if ok is None else ok & speaks
        if opportunity.adults_only:
            adult = self.adult if at is None else self.adult[at]
            ok = adult if ok is None else ok & adult
        if opportunity.lat is None or opportunity.lon is None:
            if at is None:
                rows = np.arange(n, dtype=np.int64) if ok is None else np.flatnonzero(ok)
            else:
                rows = at if ok is None else at[ok]
            return rows, np.full(rows.shape[0], np.nan)
        olat, olon = np.radians(opportunity.lat), np.radians(opportunity.lon)
        if at is None:
            reach = np.repeat(np.append(self.grid.reachable(olat, olon), False), self._cell_sizes)
            rows = np.flatnonzero(reach if ok is None else ok & reach)
        else:
            located = self.located[at]
            rows = at[located if ok is None else ok & located]
        km = haversine_rad(self.lat[rows], self.lon[rows], olat, olon)
        near = km <= self.max_km[rows]
        return rows[near], km[near]

    def _values(
        self,
        opportunity: Opportunity,
        rows: IntArray,
        km: FloatArray,
        weights: Weights,
        now: datetime | None,
    ) -> dict[str, FloatArray]:
        k = rows.shape[0]
        matched = np.zeros(k, dtype=np.int64)
        related = np.zeros(k, dtype=np.int64)
        for skill in opportunity.optional_skills:
            col = self.skill_vocab.get(skill)
            held = self.skill_cols[col, rows] if col is not None else np.zeros(k, dtype=np.bool_)
            matched += held
            cat = self.category_vocab.get(self.skill_category.get(skill, ""), None)
            if cat is not None:
                related += self.category_cols[cat, rows] & ~held
        speaks = np.zeros(k, dtype=np.int64)
        for lang in opportunity.languages:
            if lang in self.language_vocab:
                speaks += self.language_cols[self.language_vocab[lang], rows]
        shared = np.zeros(k, dtype=np.int64)
        for cause in opportunity.causes:
            if cause in self.cause_vocab:
                shared += self.cause_cols[self.cause_vocab[cause], rows]
        n_req = np.int64(len(opportunity.required_skills))
        one = np.ones(1, dtype=np.int64)
        urgency = urgency_value(
            np.array(
                [np.nan if opportunity.starts_at is None else opportunity.starts_at.timestamp()]
            ),
            one * opportunity.filled,
            one * opportunity.capacity,
            now,
            weights,
        )
        remote = np.full(k, opportunity.remote)
        return {
            "skills": skills_value(
                n_req,
                matched,
                related,
                n_req + np.int64(len(opportunity.optional_skills)),
                weights,
            ),
            "distance": distance_value(km, remote, weights),
            "availability": ratio_value(
                popcount(self.slots[rows] & opportunity.slots),
                np.int64(opportunity.slots.bit_count()),
            ),
            "causes": causes_value(
                shared, self.n_causes[rows], np.int64(len(opportunity.causes)), weights
            ),
            "language": ratio_value(speaks, np.int64(len(opportunity.languages))),
            "urgency": np.broadcast_to(urgency, (k,)).copy(),
        }
