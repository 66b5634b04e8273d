"""Languages: German by default, English switchable.

The choice is remembered per user (``User.locale``); visitors get it from a cookie, else from
Accept-Language. Message ids are English; ``translations/de`` holds the German catalogue, which a
test keeps complete.
"""

import functools
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal, ParamSpec

from babel.dates import get_date_format, get_datetime_format, get_time_format
from flask import Flask, current_app, request
from flask_babel import (
    format_date,
    format_datetime,
    format_decimal,
    format_number,
    format_percent,
    format_time,
    get_locale,
    get_timezone,
)
from flask_login import current_user

from volunteer.platform.clock import BERLIN
from volunteer.platform.extensions import babel

LANG_COOKIE = "mitwirken_lang"

P = ParamSpec("P")
# Formatted dates and times kept per process (a few MB at most); emptied when full.
FORMATTED_MEMO_SIZE = 50_000


def per_reader(formatter: Callable[P, str]) -> Callable[P, str]:
    """Keep what ``formatter`` returned by the reader's language and time zone and its
    arguments. Babel formats a shift's time in about a hundred microseconds, and a volunteer's
    list of engagements shows a hundred of them on every visit; the text depends on nothing
    but the key (no person), so any reader with the same language may be given it."""
    memo: dict[tuple[Any, ...], str] = {}

    @functools.wraps(formatter)
    def formatted(*args: P.args, **kwargs: P.kwargs) -> str:
        key = (get_locale(), get_timezone(), args, tuple(sorted(kwargs.items())))
        found = memo.get(key)
        if found is None:
            found = formatter(*args, **kwargs)
            if len(memo) >= FORMATTED_MEMO_SIZE:
                memo.clear()
            memo[key] = found
        return found

    return formatted


def select_locale() -> str:
    supported: list[str] = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.locale in supported:
        return str(current_user.locale)
    cookie = request.cookies.get(LANG_COOKIE)
    if cookie in supported:
        return cookie
    return request.accept_languages.best_match(supported) or supported[0]


def translation_directories(root: Path) -> list[Path]:
    """One catalogue directory per area (core, volunteers, organisations, notices, ...).

    Flask-Babel merges catalogues of the same domain from several directories, so each part of
    the app keeps its own German catalogue and parallel work never edits the same file.
    """
    return sorted(p for p in (root / "translations").iterdir() if (p / "de").is_dir())


@per_reader
def time_range(start: datetime, end: datetime, style: str = "full") -> str:
    """A shift's time in the reader's language, Berlin time: "Mittwoch, 2. Dezember 2026,
    16:00–18:00", with ``style="medium"`` "02.12.2026, 16:00–18:00", with
    ``style="short_day"`` "Mi., 2. Dez., 16:00–18:00", with ``style="medium_day"``
    "Mi., 02.12.2026, 16:00–18:00". Pages and notices both use it."""
    if style == "medium_day":
        # "Sa., 05.12.2026" / "Sat, Dec 5, 2026": a row in an association's list of dates.
        day = f"{format_date(start, 'EEE')}, {format_date(start, 'medium')}"
    elif style == "short_day":
        # "Sa., 5. Dez." / "Sat 5 Dec": compact rows in a list grouped by month.
        pattern = "EEE, d. MMM" if str(get_locale() or "de").startswith("de") else "EEE d MMM"
        day = format_date(start, pattern)
    else:
        day = format_date(start, style)
    if start.astimezone(BERLIN).date() == end.astimezone(BERLIN).date():
        return f"{day}, {format_time(start, 'short')}–{format_time(end, 'short')}"
    return f"{day}, {format_time(start, 'short')} – {format_datetime(end, 'short')}"


Style = Literal["full", "long", "medium", "short"]
STYLES: tuple[Style, ...] = ("full", "long", "medium", "short")


def plural_num(value: float) -> int:
    """The count ``ngettext`` chooses the plural form by, for a number that may have decimals.

    gettext's plural formulas take whole numbers only. In German and English every number with
    decimals takes the plural ("1,5 Stunden", "1.5 hours"), as does every whole number but 1;
    so a fraction counts as 2 and a whole number as itself.
    """
    return int(value) if float(value).is_integer() else 2


def hours_text(minutes: int) -> str:
    """Minutes as hours the reader writes them, to two decimals at most: "2,5" / "2.5"."""
    return str(format_decimal(round(minutes / 60, 2)))


@per_reader
def format_moment(value: datetime, style: str = "medium") -> str:
    """A UTC timestamp as a reader says it, Berlin time, to the minute: "Donnerstag, 3. Dezember
    2026, 13:00" / "Thursday, December 3, 2026, 1:00 PM" (``full``), "03.12.2026, 13:00" /
    "Dec 3, 2026, 1:00 PM" (``medium``).

    CLDR's datetime styles pair the date with a time of the same width, and from ``medium`` up
    that time has seconds and from ``long`` up a zone name ("13:00:00 MEZ"): nobody arranges to
    meet at a second, and every time on this site is Berlin time. So the date takes the style,
    the time is always ``short``, joined by the language's own pattern for that style.
    """
    if style not in STYLES:
        raise ValueError(f"unknown style {style!r}: use one of {STYLES}")
    locale = get_locale() or "de"
    pattern = (
        str(get_datetime_format(style, locale))
        .replace("{1}", get_date_format(style, locale).pattern)
        .replace("{0}", get_time_format("short", locale).pattern)
    )
    return format_datetime(value, pattern)


def init_app(app: Flask) -> None:
    app.config.setdefault(
        "BABEL_TRANSLATION_DIRECTORIES",
        ";".join(str(p) for p in translation_directories(Path(app.root_path))),
    )
    babel.init_app(app, locale_selector=select_locale)

    app.jinja_env.filters["format_decimal"] = format_decimal
    app.jinja_env.filters["format_number"] = format_number
    app.jinja_env.filters["format_percent"] = format_percent

    app.jinja_env.filters["time_range"] = time_range
    app.jinja_env.globals["plural_num"] = plural_num
    app.jinja_env.filters["hours_text"] = hours_text

    @app.template_filter("clock_range")
    @per_reader
    def _clock_range(start: datetime, end: datetime) -> str:
        """Just the times, Berlin time: "16:00–18:00" / "4:00 PM–6:00 PM"."""
        return f"{format_time(start, 'short')}–{format_time(end, 'short')}"

    @app.template_filter("local_date")
    @per_reader
    def _local_date(value: date, fmt: str = "medium") -> str:
        """A calendar day in the reader's language (CLDR pattern or style: "MMM" -> "Dez."/"Dec",
        "EEE" -> "Mi."/"Wed"); a UTC timestamp counts as its Berlin day."""
        if isinstance(value, datetime):
            value = value.astimezone(BERLIN)
        return format_date(value, fmt)

    @app.template_filter("local_dt")
    def _local_dt(value: datetime | None, style: str = "medium") -> str:
        """A UTC timestamp shown in Europe/Berlin in the reader's language, to the minute."""
        if value is None:
            return ""
        return format_moment(value, style)
