"""The match statistics page: a period from a GET form, its figures against the previous period,
charts with their tables, and one CSV per table.

Thin: the figures and their rules are in ``services/coordination/match_statistics.py``; this
module parses the period, formats numbers through Babel and picks what each chart shows.
"""

from collections.abc import Callable
from datetime import date
from typing import Any

from babel.dates import get_day_names
from flask import render_template, request
from flask_babel import (
    format_date,
    format_decimal,
    format_number,
    format_percent,
    get_locale,
    ngettext,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from matching.model import DAYS, PARTS
from volunteer.platform.clock import now
from volunteer.platform.db import get_session
from volunteer.platform.i18n import per_reader
from volunteer.platform.inputs import parse_date
from volunteer.services.coordination import disclosure, match_statistics
from volunteer.services.coordination.match_statistics import Figures, Labelled, Period, Report
from volunteer.services.errors import ServiceError
from volunteer.services.permissions import coordinator_required
from volunteer.web.charts.figures import bars, heatmap, lines
from volunteer.web.charts.map import bands, choropleth, step_of
from volunteer.web.coordination import bp
from volunteer.web.coordination.downloads import csv_response
from volunteer.web.wording.messages import error_message
from volunteer.web.wording.reasons import PART_LABELS, slot_label

FUNNEL_LABELS = {
    "profiles": _l("Profiles completed"),
    "recommended": _l("Needs recommended"),
    "opened": _l("Need pages opened"),
    "applied": _l("Sign-ups"),
    "accepted": _l("Accepted"),
    "attended": _l("Attended"),
    "hour_entries": _l("Hours confirmed (entries)"),
}
#: The tables a CSV can be downloaded for (``?teil=``).
PARTS_OF_REPORT = ("stadtbezirke", "bezirke", "faehigkeiten", "anliegen", "zeiten", "wochen")


def _period() -> Period:
    """The period of the request, strictly parsed; both dates missing means the default."""
    start, end = request.args.get("von", ""), request.args.get("bis", "")
    if not start and not end:
        return match_statistics.default_period(now=now())
    return match_statistics.period_of(parse_date(start), parse_date(end), now=now())


# The tables repeat the same few numbers hundreds of times per page (up to 175 rows of ten
# cells); per_reader keeps Babel's text per language instead of formatting each cell again.
@per_reader
def _pct(value: float | None) -> str:
    return "–" if value is None else format_percent(value, "#,##0 %")


@per_reader
def _hours(value: float | None) -> str:
    return "–" if value is None else format_decimal(round(value, 1), "#,##0.#")


@per_reader
def _change(now_value: float | None, before: float | None) -> str:
    """The change against the previous period in words a table can hold: +12 %, −3 %, or new."""
    if now_value is None or before is None:
        return "–"
    if before == 0:
        return "–" if now_value == 0 else _("new")
    return str(format_percent((now_value - before) / before, "+#,##0 %;−#,##0 %"))


def _headline(current: Figures, previous: Figures) -> list[tuple[str, str, str, str]]:
    """(figure, this period, previous period, change) for the summary table."""
    rows: list[tuple[str, float | None, float | None, Callable[[float | None], str]]] = [
        (str(FUNNEL_LABELS[k]), getattr(current, k), getattr(previous, k), _count)
        for k in match_statistics.FUNNEL
    ]
    rows += [
        (_("Confirmed hours"), current.hours, previous.hours, _hours),
        (_("Fill rate of shifts"), current.fill_rate, previous.fill_rate, _pct),
        (_("No-show rate"), current.no_show_rate, previous.no_show_rate, _pct),
        (
            _("Median hours from publishing to the first accepted volunteer"),
            current.median_wait_hours,
            previous.median_wait_hours,
            _hours,
        ),
        (_("Active volunteers"), current.active, previous.active, _count),
        (_("Returning volunteers"), current.returning, previous.returning, _count),
    ]
    return [(name, show(a), show(b), _change(a, b)) for name, a, b, show in rows]


@per_reader
def _count(value: float | None) -> str:
    return "–" if value is None else format_number(int(value))


#: The tables that count distinct people (active, returning): only where people are counted.
PEOPLE_PARTS = ("stadtbezirke", "bezirke")


def _cells(
    rows: list[tuple[str, Figures]], *, people: bool
) -> list[tuple[str, list[tuple[str, str]]]]:
    """Each row's (column label, text) cells, formatted here rather than cell by cell in the
    template: up to 175 rows of ten cells, and each distinct value is formatted once per page
    (the language is looked up per call of a ``per_reader`` formatter, so not per cell)."""
    columns: list[tuple[str, str, Callable[[float | None], str]]] = [
        (_("Sign-ups"), "applied", _count),
        (_("Accepted"), "accepted", _count),
        (_("Attended"), "attended", _count),
        (_("Fill rate"), "fill_rate", _pct),
        (_("No-show rate"), "no_show_rate", _pct),
        (_("Confirmed hours"), "hours", _hours),
        (_("Median hours to first acceptance"), "median_wait_hours", _hours),
    ]
    if people:
        columns += [
            (_("Active volunteers"), "active", _count),
            (_("Returning"), "returning", _count),
        ]
    memo: dict[tuple[Callable[[float | None], str], float | None], str] = {}

    def text(show: Callable[[float | None], str], value: float | None) -> str:
        found = memo.get((show, value))
        if found is None:
            found = memo[(show, value)] = show(value)
        return found

    return [
        (name, [(label, text(show, getattr(f, attr))) for label, attr, show in columns])
        for name, f in rows
    ]


def _label(row: Labelled) -> str:
    return row.label_en if str(get_locale()) == "en" else row.label_de


def _table(report: Report, part: str) -> list[tuple[str, Figures]]:
    if part == "stadtbezirke":
        return [(_label(r), r.figures) for r in report.boroughs]
    if part == "bezirke":
        return [(_label(r), r.figures) for r in report.districts]
    if part == "faehigkeiten":
        return [(_label(r), r.figures) for r in report.skills]
    if part == "anliegen":
        return [(_label(r), r.figures) for r in report.causes]
    if part == "zeiten":
        return [(slot_label(slot), f) for slot, f in report.slots.items()]
    return [(_short_date(monday), f) for monday, f in report.weeks]


@per_reader
def _short_date(day: date) -> str:
    """A week's Monday, as the weekly table and the trend chart label it (up to 105 weeks)."""
    return str(format_date(day, "short"))


def _charts(report: Report) -> dict[str, Markup]:
    city = report.city
    funnel = bars(
        [(str(FUNNEL_LABELS[k]), float(getattr(city, k))) for k in match_statistics.FUNNEL],
        title=_("Funnel from profile to confirmed hours"),
        desc=_("Each step of the period as a bar; the summary table holds the same numbers."),
        show=lambda v: format_number(int(v)),
    )
    weeks = [_short_date(monday) for monday, _f in report.weeks]
    trend = lines(
        weeks,
        [
            (_("Sign-ups"), [float(f.applied) for _m, f in report.weeks]),
            (_("Accepted"), [float(f.accepted) for _m, f in report.weeks]),
            (_("Attended"), [float(f.attended) for _m, f in report.weeks]),
        ],
        title=_("Sign-ups, acceptances and attendance per week"),
        desc=_(
            "One line per figure over the weeks of the period; the table below lists each week."
        ),
        show=lambda v: format_number(int(v)),
    )
    day_names = get_day_names("abbreviated", locale=get_locale())
    grid = heatmap(
        [day_names[i] for i in range(len(DAYS))],
        [str(PART_LABELS[p]) for p in PARTS],
        [
            [
                None
                if (f := report.slots[f"{day}-{part}"]).fill_rate is None
                else 100 * (f.fill_rate or 0.0)
                for part in PARTS
            ]
            for day in DAYS
        ],
        title=_("Fill rate by weekday and time of day"),
        desc=_(
            "Percent of places taken on the shifts of each weekday and time of day; a dash "
            "means no shifts."
        ),
        show=lambda v: format_decimal(round(v), "#,##0") + " %",
    )
    active = {r.key: float(r.figures.active or 0) for r in report.districts}
    district_map = choropleth(
        {int(k): v for k, v in active.items()},
        title=_("Active volunteers by district"),
        label=lambda name, v: ngettext(
            "%(district)s: %(num)s active volunteer",
            "%(district)s: %(num)s active volunteers",
            int(v),
            district=name,
        ),
        show=lambda v: format_number(int(v)),
    )
    return {"funnel": funnel, "trend": trend, "heatmap": grid, "map": district_map}


@bp.get("/statistik")
@coordinator_required
def statistics_view() -> Any:
    error = ""
    try:
        period = _period()
    except ServiceError as problem:
        error = error_message(problem)
        period = match_statistics.default_period(now=now())
    current, previous = match_statistics.compare(get_session(), period)
    maximum = max((float(r.figures.active or 0) for r in current.districts), default=0.0)
    return (
        render_template(
            "coordination/statistics.html",
            error=error,
            period=period,
            period_text=_period_text(period),
            previous_text=_period_text(previous.period),
            values={
                "von": request.args.get("von", period.start.isoformat()),
                "bis": request.args.get("bis", period.end.isoformat()),
            },
            headline=_headline(current.city, previous.city),
            report=current,
            tables={
                part: _cells(_table(current, part), people=part in PEOPLE_PARTS)
                for part in PARTS_OF_REPORT
            },
            charts=_charts(current),
            legend=bands(maximum),
            step_of=lambda v: step_of(float(v or 0), maximum),
            funnel_labels=FUNNEL_LABELS,
        ),
        400 if error else 200,
    )


CSV_HEADER = (
    "name",
    "profiles_completed",
    "needs_recommended",
    "need_pages_opened",
    "signups",
    "accepted",
    "attended",
    "no_shows",
    "places",
    "places_taken",
    "fill_rate",
    "no_show_rate",
    "confirmed_hour_entries",
    "confirmed_hours",
    "median_hours_to_first_acceptance",
    "active_volunteers",
    "returning_volunteers",
)


@bp.get("/statistik.csv")
@coordinator_required
def statistics_csv() -> Any:
    try:
        period = _period()
    except ServiceError as problem:
        return error_message(problem), 400, {"Content-Type": "text/plain; charset=utf-8"}
    part = request.args.get("teil", "bezirke")
    if part not in PARTS_OF_REPORT:
        return _("Unknown table."), 400, {"Content-Type": "text/plain; charset=utf-8"}
    rows = _table(match_statistics.report(get_session(), period), part)
    # Counts of people leave the service only under the disclosure rule, column by column; a
    # rate computed from a hidden count is hidden with it.
    people = {
        name: disclosure.protect([int(getattr(f, name) or 0) for _n, f in rows])
        for name in (
            "profiles",
            "applied",
            "accepted",
            "attended",
            "no_show",
            "filled",
            "hour_entries",
            "active",
            "returning",
        )
    }
    hidden = disclosure.SUPPRESSED

    def rate(value: float | None, *parts: int | str) -> float | str:
        if value is None:
            return ""
        return hidden if hidden in parts else round(value, 3)

    out = []
    for i, (name, f) in enumerate(rows):
        p = {k: v[i] for k, v in people.items()}
        out.append(
            (
                name,
                p["profiles"],
                f.recommended,
                f.opened,
                p["applied"],
                p["accepted"],
                p["attended"],
                p["no_show"],
                f.places,
                p["filled"],
                rate(f.fill_rate, p["filled"]),
                rate(f.no_show_rate, p["no_show"], p["attended"]),
                p["hour_entries"],
                round(f.hours, 1),
                "" if f.median_wait_hours is None else round(f.median_wait_hours, 1),
                p["active"] if f.active is not None else "",
                p["returning"] if f.returning is not None else "",
            )
        )
    filename = f"mitwirken-statistik-{part}-{period.start.isoformat()}-{period.end.isoformat()}.csv"
    return csv_response(filename, CSV_HEADER, out)


def _period_text(period: Period) -> str:
    return f"{format_date(period.start, 'medium')} – {format_date(period.end, 'medium')}"
