"""What a reader sees, checked for locale leaks: the one checker behind the page crawl, the
notice mails and the calendar entries.

A leak is text that shows the machine instead of the reader's language: an ISO date or a time
with seconds, a decimal point in German (``0.4 km``) or a decimal comma in English, a weekday or
month of the other language, a sentence the catalogue translates but the page shows untranslated,
a raw code (``verein``, ``verify_email``, ``pending``) and a plural slip (``1 Personen``,
``Termin(e)``, ``in 0 Stunden``).

Visible text is parsed with an HTML parser: ``<script>`` and ``<style>`` are skipped, and of the
attributes only those a person perceives (``alt``, ``title``, ``aria-label``, a button's value)
count. Each text node is checked on its own, so an exact catalogue match means the whole node.
"""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

from babel.messages.pofile import read_po

from volunteer.models import (
    GuardianState,
    HourState,
    MemberRole,
    NoticeStatus,
    OpportunityStatus,
    OrganisationKind,
    ProposalStatus,
    SignupState,
)
from volunteer.services.notices.kinds import KINDS

TRANSLATIONS = Path(__file__).resolve().parents[1] / "volunteer" / "translations"
# <code> holds identifiers shown as such (the open-data dictionary documents its field names).
SKIPPED_ELEMENTS = {"script", "style", "template", "code"}
VISIBLE_ATTRIBUTES = {"alt", "title", "aria-label"}


class _Visible(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.nodes: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED_ELEMENTS:
            self._skip += 1
        values = dict(attrs)
        for name in VISIBLE_ATTRIBUTES:
            if values.get(name):
                self.nodes.append(str(values[name]))
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            self.nodes.append(str(values["value"]))

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED_ELEMENTS and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.nodes.append(data)


def visible_text(html: str) -> list[str]:
    """The page's text nodes and perceivable attributes, whitespace collapsed."""
    parser = _Visible()
    parser.feed(html)
    parser.close()
    return [" ".join(node.split()) for node in parser.nodes]


# --- the catalogue -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Catalogue:
    """German translations of every area: what each language must not show untranslated."""

    english: frozenset[str]  # msgids whose German differs: must not stand alone on a German page
    german: frozenset[str]  # their German: must not stand alone on an English page
    english_patterns: re.Pattern[str] | None
    german_patterns: re.Pattern[str] | None
    msgids: frozenset[str]  # every English text: "confirmed" is a word there, not a code


def _pattern(texts: Iterable[str]) -> re.Pattern[str] | None:
    parts = []
    for text in texts:
        pieces = re.split(r"%\(\w+\)[sd]|%[sd]", " ".join(text.split()))
        if len(pieces) < 2 or sum(len(p.strip()) for p in pieces) < 12:
            continue  # "%(n)s km": too little fixed text to say which language a node is in
        parts.append(".+?".join(re.escape(p) for p in pieces))
    return re.compile("^(?:" + "|".join(parts) + ")$") if parts else None


@cache
def catalogue() -> Catalogue:
    english: set[str] = set()
    german: set[str] = set()
    msgids: set[str] = set()
    for po in sorted(TRANSLATIONS.glob("*/de/LC_MESSAGES/messages.po")):
        with po.open("rb") as handle:
            for message in read_po(handle):
                if not message.id or not message.string:
                    continue
                ids = message.id if isinstance(message.id, tuple) else (message.id,)
                strings = message.string if isinstance(message.string, tuple) else (message.string,)
                msgids.update(" ".join(i.split()) for i in ids)
                for msgid, msgstr in zip(ids, strings, strict=False):
                    if msgid.strip() != msgstr.strip() and len(msgid.split()) >= 2:
                        english.add(" ".join(msgid.split()))
                        german.add(" ".join(msgstr.split()))
    same = english & german  # a phrase both languages share ("E-Mail" style) is no leak
    english -= same
    german -= same
    return Catalogue(
        frozenset(e for e in english if "%" not in e),
        frozenset(g for g in german if "%" not in g),
        _pattern(e for e in english if "%" in e),
        _pattern(g for g in german if "%" in g),
        frozenset(msgids),
    )


# --- codes ---------------------------------------------------------------------------------------
CODES = frozenset(
    str(value)
    for enum in (
        SignupState,
        HourState,
        OpportunityStatus,
        OrganisationKind,
        MemberRole,
        NoticeStatus,
        GuardianState,
        ProposalStatus,
    )
    for value in enum
) | frozenset(KINDS)


# --- patterns ------------------------------------------------------------------------------------
ISO_DATE = re.compile(r"(?<![\w-])\d{4}-\d{2}-\d{2}(?![\w-])")
SECONDS = re.compile(r"(?<![\d:])\d{1,2}:\d{2}:\d{2}(?![\d:])")
# Version numbers ("WCAG 2.1", a licence's "Version 2.0") are names, not decimals.
DECIMAL_POINT = re.compile(r"(?<!WCAG )(?<!Version )(?<![\d.,])\d+\.\d{1,2}(?![\d.,])")
DECIMAL_COMMA = re.compile(r"(?<![\d.,])\d+,\d{1,2}(?![\d.,])")
GERMAN_NUMERIC_DATE = re.compile(r"(?<![\d.])\d{1,2}\.\d{1,2}\.\d{2,4}(?![\d.])")
ENGLISH_NUMERIC_DATE = re.compile(r"(?<![\d/])\d{1,2}/\d{1,2}/\d{2,4}(?![\d/])")
SNAKE_CODE = re.compile(r"(?<![\w./@-])[a-z]+_[a-z_]+(?![\w./@-])")
PARENTHESISED_PLURAL = re.compile(r"\w\((?:e|n|en|er|s|es|nen)\)")

_EN_DAYS = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|Mon|Tue|Wed|Thu|Fri|Sat|Sun"
_EN_MONTHS = "January|February|March|May|June|July|October|December|Mar|Oct|Dec"
_DE_DAYS = "Montag|Dienstag|Mittwoch|Donnerstag|Freitag|Samstag|Sonntag"
_DE_MONTHS = "Januar|Februar|März|Mai|Juni|Juli|Oktober|Dezember|Mär|Okt|Dez"
ENGLISH_DATE = re.compile(
    rf"\b(?:{_EN_DAYS}),?\s+\d|\b(?:{_EN_MONTHS})\.?\s+\d|\d{{1,2}}\s+(?:{_EN_MONTHS})\b"
)
GERMAN_DATE = re.compile(
    rf"\b(?:{_DE_DAYS}),\s+\d|\b(?:Mo|Di|Mi|Do|Fr|Sa|So)\.,?\s+\d"
    rf"|\d{{1,2}}\.\s+(?:{_DE_MONTHS})\b"
)
_DE_PLURALS = (
    "Personen|Termine|Stunden|Plätze|Tage|Wochen|Minuten|Monate|Engagements|Bewerbungen|"
    "Einsätze|Vereine|Mitglieder|Freiwillige|Angebote|Anmeldungen|Nachrichten|Einträge|Jahre"
)
_EN_PLURALS = (
    "people|persons|dates|hours|places|days|weeks|minutes|months|shifts|needs|applications|"
    "members|volunteers|opportunities|sign-ups|messages|entries|years|associations"
)
GERMAN_PLURAL_SLIP = re.compile(
    rf"(?<![\d.,])1\s+(?:\w+\s+)?(?:{_DE_PLURALS})\b|\bin 0 (?:Stunden|Minuten|Tagen)\b"
)
ENGLISH_PLURAL_SLIP = re.compile(
    rf"(?<![\d.,])1\s+(?:\w+\s+)?(?:{_EN_PLURALS})\b|\bin 0 (?:hours|minutes|days)\b"
)
# Words of English prose that German does not share: two of them in one node is an English
# sentence (the catalogue check catches translated msgids; this catches unmarked strings).
ENGLISH_WORDS = frozenset(
    [
        "the",
        "and",
        "you",
        "your",
        "with",
        "please",
        "this",
        "that",
        "is",
        "are",
        "of",
        "have",
        "has",
        "from",
        "which",
        "there",
        "their",
    ]
)


# Links and addresses are machine text the reader copies, not words: a token in a link may
# look like "Il0.1h" without being a number.
MACHINE_TEXT = re.compile(r"(?:https?://|mailto:)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def leaks(nodes: Iterable[str], locale: str) -> Iterator[str]:
    """Every leak in ``nodes`` (visible text) for a reader in ``locale`` ("de" or "en")."""
    cat = catalogue()
    german = locale == "de"
    for raw in nodes:
        node = MACHINE_TEXT.sub("", raw).strip() if "@" in raw or "://" in raw else raw
        if not node:
            continue
        found = []
        if ISO_DATE.search(node):
            found.append("ISO date")
        if SECONDS.search(node):
            found.append("time with seconds")
        if german and DECIMAL_POINT.search(node):
            found.append("decimal point")
        if not german and DECIMAL_COMMA.search(node):
            found.append("decimal comma")
        if german and (ENGLISH_DATE.search(node) or ENGLISH_NUMERIC_DATE.search(node)):
            found.append("English weekday/month")
        if not german and (GERMAN_DATE.search(node) or GERMAN_NUMERIC_DATE.search(node)):
            found.append("German weekday/month")
        if (GERMAN_PLURAL_SLIP if german else ENGLISH_PLURAL_SLIP).search(node):
            found.append("plural slip")
        if PARENTHESISED_PLURAL.search(node):
            found.append("plural in brackets")
        if (node in CODES and (german or node not in cat.msgids)) or SNAKE_CODE.search(node):
            found.append("raw code")
        if german:
            words = set(re.findall(r"[a-z]+", node))
            pattern = cat.english_patterns
            if node in cat.english or (pattern and pattern.match(node)):
                found.append("untranslated")
            elif len(words & ENGLISH_WORDS) >= 2:
                found.append("English prose")
        else:
            pattern = cat.german_patterns
            if node in cat.german or (pattern and pattern.match(node)):
                found.append("German on an English page")
        for what in found:
            yield f"{what}: {node[:160]!r}"


def page_leaks(html: str, locale: str) -> list[str]:
    return list(leaks(visible_text(html), locale))


def text_leaks(text: str, locale: str) -> list[str]:
    """Plain text (mail bodies, subjects, calendar fields): each line is a node."""
    return list(leaks((" ".join(line.split()) for line in text.splitlines()), locale))
