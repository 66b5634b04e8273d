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
        found = self._eligible(opportunity)
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
        the same rules as :meth:`evaluate` and :meth:`scores`, without scoring anyone."""
        found = self._eligible(opportunity)
        if found is None:
            return np.zeros(0, dtype=np.int64)
        return np.sort(self.order[found[0]])

    def _eligible(
        self, opportunity: Opportunity, at: IntArray | None = None
    ) -> tuple[IntArray, FloatArray] | None:
        """Grid-order positions of the eligible volunteers and their distances (NaN when
        remote); ``None`` when nobody can be eligible. With ``at`` (grid-order positions, e.g.
        the survivors of :mod:`matching.prefilter`), only those volunteers are tested."""
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

    def scores(
        self,
        opportunity: Opportunity,
        *,
        weights: Weights,
        urgency: float,
        ordered: bool = True,
        at: IntArray | None = None,
    ) -> tuple[IntArray, FloatArray]:
        """Eligible rows and their scores only: what candidate generation needs, faster.

        Bit for bit the score :func:`~matching.scoring.combine` gives for :meth:`evaluate`'s
        values (same functions, same dtypes, same order of additions); components that are
        the same for every volunteer of this opportunity are computed once, as scalars.
        ``urgency`` is the opportunity's urgency value (see :func:`opportunity_urgency`).
        Rows are positions in ``items``, ascending unless ``ordered`` is false. ``at``
        restricts the query to those grid-order positions (see :meth:`_eligible`).
        """
        found = self._eligible(opportunity, at)
        if found is None:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
        rows, km = found
        k = rows.shape[0]
        n_req = np.int64(len(opportunity.required_skills))
        wanted = n_req + np.int64(len(opportunity.optional_skills))
        skills: FloatArray | np.float64
        if opportunity.optional_skills:
            matched = np.zeros(k, dtype=np.int64)
            related = np.zeros(k, dtype=np.int64)
            for skill in opportunity.optional_skills:
                col = self.skill_vocab.get(skill)
                if col is not None:
                    held = self.skill_cols[col][rows]
                    matched += held
                else:
                    held = np.zeros(k, dtype=np.bool_)
                cat = self.category_vocab.get(self.skill_category.get(skill, ""), None)
                if cat is not None:
                    related += self.category_cols[cat][rows] & ~held
            skills = skills_value(n_req, matched, related, wanted, weights)
        else:
            skills = skills_value(n_req, np.int64(0), np.int64(0), wanted, weights)[()]
        distance: FloatArray | float
        if opportunity.remote:
            distance = weights.remote_credit
        else:
            distance = np.power(0.5, np.divide(km, weights.distance_half_life_km))
        n_slots = np.int64(opportunity.slots.bit_count())
        availability: FloatArray | np.float64
        if n_slots:
            availability = ratio_value(popcount(self.slots[rows] & opportunity.slots), n_slots)
        else:
            availability = np.float64(1.0)
        causes: FloatArray | float
        if opportunity.causes:
            shared = np.zeros(k, dtype=np.int64)
            for cause in opportunity.causes:
                if cause in self.cause_vocab:
                    shared += self.cause_cols[self.cause_vocab[cause]][rows]
            causes = causes_value(
                shared, self.n_causes[rows], np.int64(len(opportunity.causes)), weights
            )
        else:
            causes = weights.cause_unknown
        language: FloatArray | np.float64
        if len(opportunity.languages) > 1:
            speaks = np.zeros(k, dtype=np.int64)
            for lang in opportunity.languages:
                if lang in self.language_vocab:
                    speaks += self.language_cols[self.language_vocab[lang]][rows]
            language = ratio_value(speaks, np.int64(len(opportunity.languages)))
        else:
            # Nothing named, or one language every eligible volunteer speaks: the value is 1.
            language = np.float64(1.0)
        score = np.multiply(skills, weights.share("skills"))
        score = score + np.multiply(distance, weights.share("distance"))
        score = score + np.multiply(availability, weights.share("availability"))
        score = score + np.multiply(causes, weights.share("causes"))
        score = score + np.multiply(language, weights.share("language"))
        score = score + np.multiply(urgency, weights.share("urgency"))
        out: FloatArray = (
            score
            if isinstance(score, np.ndarray) and score.shape == (k,)
            else np.full(k, score, dtype=np.float64)
        )
        rows = self.order[rows]
        if ordered:
            by_row = np.argsort(rows)
            rows, out = rows[by_row], out[by_row]
        return rows, out

    def pair_scores(
        self,
        opportunities: Sequence[Opportunity],
        at: IntArray,
        opp: IntArray,
        *,
        weights: Weights,
        urgency: FloatArray,
    ) -> tuple[IntArray, FloatArray]:
        """Exact scores of given pairs, all opportunities at once: bit for bit what
        :meth:`scores` gives each of them (the same functions on the same values, element by
        element; ``cos`` of an opportunity's latitude is taken per opportunity, as there).

        For the pre-filter's survivors (:mod:`matching.prefilter`), which pass every rule but
        the distance: that one is decided here, exactly. ``at`` are grid-order positions,
        ``opp`` positions in ``opportunities``, ``urgency`` per opportunity. Returns the
        positions (into ``at``/``opp``) of the pairs within reach and their scores.
        """
        m = len(opportunities)
        olat = np.full(m, np.nan)
        olon = np.full(m, np.nan)
        cos_olat = np.full(m, np.nan)
        for q, o in enumerate(opportunities):
            if o.lat is not None and o.lon is not None:
                olat[q], olon[q] = np.radians(o.lat), np.radians(o.lon)
                cos_olat[q] = np.cos(olat[q])
        n_req = np.array([len(o.required_skills) for o in opportunities], dtype=np.int64)
        wanted = n_req + np.array([len(o.optional_skills) for o in opportunities], dtype=np.int64)
        o_slots = np.array([o.slots for o in opportunities], dtype=np.int64)
        n_slots = popcount(o_slots)
        n_causes = np.array([len(o.causes) for o in opportunities], dtype=np.int64)
        n_langs = np.array([len(o.languages) for o in opportunities], dtype=np.int64)
        optional = _Lists(
            [o.optional_skills for o in opportunities],
            self.skill_vocab,
            self.category_vocab,
            self.skill_category,
        )
        causes = _Lists([o.causes for o in opportunities], self.cause_vocab)
        languages = _Lists([o.languages for o in opportunities], self.language_vocab)
        keep: list[IntArray] = []
        out: list[FloatArray] = []
        for lo in range(0, at.shape[0], _PAIR_CHUNK):
            a, j = at[lo : lo + _PAIR_CHUNK], opp[lo : lo + _PAIR_CHUNK]
            remote = np.isnan(olat[j])
            km = np.full(a.shape[0], np.nan)
            located = np.flatnonzero(~remote)
            km[located] = haversine_rad(
                self.lat[a[located]],
                self.lon[a[located]],
                olat[j[located]],
                olon[j[located]],
                cos_lat2=cos_olat[j[located]],
            )
            near = remote | (km <= self.max_km[a])
            a, j, km, remote = a[near], j[near], km[near], remote[near]
            matched, related = optional.held(self.skill_cols, a, j, self.category_cols)
            skills = skills_value(n_req[j], matched, related, wanted[j], weights)
            distance = np.where(
                remote,
                weights.remote_credit,
                np.power(0.5, np.divide(np.nan_to_num(km), weights.distance_half_life_km)),
            )
            availability = ratio_value(popcount(self.slots[a] & o_slots[j]), n_slots[j])
            shared, _ = causes.held(self.cause_cols, a, j)
            cause = causes_value(shared, self.n_causes[a], n_causes[j], weights)
            speaks, _ = languages.held(self.language_cols, a, j)
            language = np.where(n_langs[j] > 1, ratio_value(speaks, n_langs[j]), 1.0)
            score = np.multiply(skills, weights.share("skills"))
            score = score + np.multiply(distance, weights.share("distance"))
            score = score + np.multiply(availability, weights.share("availability"))
            score = score + np.multiply(cause, weights.share("causes"))
            score = score + np.multiply(language, weights.share("language"))
            score = score + np.multiply(urgency[j], weights.share("urgency"))
            keep.append(lo + np.flatnonzero(near))
            out.append(score)
        if not keep:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
        return np.concatenate(keep), np.concatenate(out)

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


#: Pairs scored at once by :meth:`VolunteerIndex.pair_scores` (bounds its temporary arrays).
_PAIR_CHUNK = 1 << 21


class _Lists:
    """Each opportunity's named items (optional skills, causes, languages) as compressed rows
    of column numbers in the volunteers' vocabulary (-1: nobody has it), with the category
    column of each item when categories count (optional skills: "related")."""

    def __init__(
        self,
        sets: Sequence[frozenset[str]],
        vocab: Mapping[str, int],
        category_vocab: Mapping[str, int] | None = None,
        category_of: Mapping[str, str] | None = None,
    ) -> None:
        names = [sorted(x) for x in sets]
        self.ptr = np.zeros(len(names) + 1, dtype=np.int64)
        np.cumsum([len(x) for x in names], out=self.ptr[1:])
        flat = [n for x in names for n in x]
        self.col = np.array([vocab.get(n, -1) for n in flat], dtype=np.int64)
        cats = category_vocab or {}
        of = category_of or {}
        self.cat = np.array([cats.get(of.get(n, ""), -1) for n in flat], dtype=np.int64)

    def held(
        self, cols: BoolArray, at: IntArray, opp: IntArray, category_cols: BoolArray | None = None
    ) -> tuple[IntArray, IntArray]:
        """Per pair: how many of the opportunity's items the volunteer has, and (with
        ``category_cols``) how many of the others share a category with one held."""
        counts = self.ptr[opp + 1] - self.ptr[opp]
        pair = np.repeat(np.arange(at.shape[0]), counts)
        first = np.cumsum(counts) - counts
        item = np.repeat(self.ptr[opp] - first, counts) + np.arange(pair.shape[0])
        col, who = self.col[item], at[pair]
        has = np.zeros(pair.shape[0], dtype=np.bool_)
        known = col >= 0
        has[known] = cols[col[known], who[known]]
        held = np.bincount(pair[has], minlength=at.shape[0]).astype(np.int64)
        if category_cols is None:
            return held, np.zeros(at.shape[0], dtype=np.int64)
        cat = self.cat[item]
        near = ~has & (cat >= 0)
        near[near] = category_cols[cat[near], who[near]]
        return held, np.bincount(pair[near], minlength=at.shape[0]).astype(np.int64)
