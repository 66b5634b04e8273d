"""Daily aggregates behind the coordinators' match statistics.

Why aggregates: at city scale two years hold about a million sign-ups and hour entries; the
dashboard must answer for any period in a fraction of a second, so it reads these small tables
(one row per day and *cut*) instead of the rows themselves.

A *cut* is one way of slicing the city: ``district`` (the need's statistical district, key 0 for
needs without one), ``slot`` (the shift's weekday × part of day, key = the slot's bit number),
``skill`` and ``cause`` (the need's, key = the id). Every cut of a day adds up to the same city
(``district`` does exactly; a need with two skills counts once under each skill).

- :class:`FunnelDay` counts what is not a row anywhere: a need shown in a volunteer's
  recommendations and a need page opened by a logged-in volunteer. Written live, one upsert per
  request, and only as counts per day, district, skill and cause: never who saw what.
- :class:`MatchDay` is rebuilt from the rows by the statistics rule (recent days) and by the
  demo-data command (all days); it never holds anything a row does not already say.
- No weekly tables: the page keeps the days in memory as running totals
  (``services/coordination/match_columns.py``), so any period is two rows of those totals.
- :class:`AggregateStamp` changes with every rebuild, so a process that keeps the aggregates in
  memory (``services/coordination/match_columns.py``) knows when to read them again.
- :class:`ActiveDay` lists who was active (attended a shift or had hours confirmed) per day and
  district, so distinct "active" and "returning" volunteers of any period are a union of small
  arrays instead of a scan of a million sign-ups.
"""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, LargeBinary
from sqlmodel import Field, SQLModel

from volunteer.models.base import at_field

CUTS = ("district", "slot", "skill", "cause")


class MatchCounts(SQLModel):
    """The counts a MatchDay row holds per cut: the aggregates and the page sum these."""

    profiles: int = 0  # volunteer profiles completed (volunteer's district and skills)
    applied: int = 0  # sign-ups made that day
    accepted: int = 0  # sign-ups accepted that day
    attended: int = 0  # by the shift's day
    no_show: int = 0
    places: int = 0  # places on shifts of that day (not cancelled)
    filled: int = 0  # of them taken (applied, accepted, attended or no-show; at most capacity)
    hour_entries: int = 0  # confirmed, by the day worked
    minutes: int = 0


class FunnelCounts(SQLModel):
    """The counts a FunnelDay row holds per cut: needs shown in recommendations, need pages
    opened."""

    recommended: int = 0
    opened: int = 0


MATCH_MEASURES = tuple(MatchCounts.model_fields)
FUNNEL_MEASURES = tuple(FunnelCounts.model_fields)


class FunnelDay(FunnelCounts, table=True):
    # A covering index for the dashboard's sums of a period (per cut and key, and per day of
    # one cut): read from the index alone, without visiting the table's rows.
    __table_args__ = (Index("ix_funnelday_cut_day", "cut", "day", "key", *FUNNEL_MEASURES),)

    day: date = Field(primary_key=True)
    cut: str = Field(primary_key=True, max_length=10)
    key: int = Field(primary_key=True)


class MatchDay(MatchCounts, table=True):
    # A covering index, as for FunnelDay: the days a refresh rewrote are read again from it.
    __table_args__ = (Index("ix_matchday_cut_day", "cut", "day", "key", *MATCH_MEASURES),)

    day: date = Field(primary_key=True)
    cut: str = Field(primary_key=True, max_length=10)
    key: int = Field(primary_key=True)


class ActiveDay(SQLModel, table=True):
    day: date = Field(primary_key=True)
    district_number: int = Field(primary_key=True)  # where they were active; 0 = no district
    user_ids: bytes = Field(sa_column=Column(LargeBinary, nullable=False))  # sorted uint32 LE


class AggregateStamp(SQLModel, table=True):
    """One row, rewritten by every change to the aggregates the dashboard keeps in memory (a
    refresh, a deleted account taken out of :class:`ActiveDay`). ``token`` is random, not a
    counter: two databases (or one emptied and filled again) never share a stamp, so a process
    can never take another database's arrays for current."""

    id: int = Field(default=1, primary_key=True)
    token: str = Field(max_length=32)
    # What changed since the stamp before: the days from ``since`` on (a refresh), or anything
    # (``None``: a deleted account taken out of every day). A process that holds ``previous``
    # reads only those days again.
    previous: str | None = Field(default=None, max_length=32)
    since: date | None = None


class OpenDataSnapshot(SQLModel, table=True):
    """The public open-data export as the scheduler last computed it
    (``services/coordination/open_data.py``).

    The export reads two years of shifts, sign-ups and hours (seconds at city scale); computed
    per request, any client could make the service do that work again and again. So a scheduled
    rule stores it here, and the public page, CSV and JSON serve this copy with its date.
    ``rows`` holds only the suppressed counts that are published anyway.
    """

    id: int | None = Field(default=None, primary_key=True)
    computed_at: datetime = at_field(nullable=False, index=True)
    seconds: float = 0.0
    rows: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
