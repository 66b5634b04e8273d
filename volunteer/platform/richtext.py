"""Descriptions: plain text with a tiny, safe formatting, rendered to HTML only on output.

Associations write descriptions in a textarea. What they type is stored as plain text and
never as HTML, so there is nothing to inject: markup (``<b>``, ``<script>``, event handlers) is
refused with a field message on input (:func:`markup_problem`) and, should any reach the database
another way, escaped on output. The formatting people need in a need's description is small:

- a blank line starts a new paragraph, a single line break stays a line break;
- lines starting with ``- `` or ``* `` form a bulleted list;
- ``**words**`` are bold.

:func:`render` builds the HTML from escaped text and passes it through nh3 with an allow-list of
exactly the tags it produces, a second fence in case the renderer itself ever has a bug.
"""

import re

import nh3
from markupsafe import Markup, escape

ALLOWED_TAGS = {"p", "br", "ul", "li", "strong"}
# Something that a browser would read as a tag, comment or entity-encoded tag start.
_MARKUP = re.compile(r"<\s*[a-zA-Z!/?]|&(lt|gt|#0*60|#x0*3c);", re.IGNORECASE)
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_BULLET = re.compile(r"^\s*[-*•]\s+")
# Control characters other than tab and line breaks are never meaningful in a description.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def markup_problem(text: str) -> bool:
    """True when the text contains HTML or script-like markup (refused with a field message)."""
    return bool(_MARKUP.search(text or ""))


def clean_text(text: str) -> str:
    """Normalise line endings, drop control characters and trailing space; keep the wording."""
    text = _CONTROL.sub("", (text or "").replace("\r\n", "\n").replace("\r", "\n"))
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


def _inline(line: str) -> str:
    return _BOLD.sub(r"<strong>\1</strong>", str(escape(line)))


def render(text: str) -> Markup:
    """The description as safe HTML (paragraphs, line breaks, lists, bold)."""
    blocks = re.split(r"\n\s*\n", clean_text(text))
    html: list[str] = []
    for block in blocks:
        lines = [line for line in block.split("\n") if line.strip()]
        if not lines:
            continue
        if all(_BULLET.match(line) for line in lines):
            items = "".join(f"<li>{_inline(_BULLET.sub('', line))}</li>" for line in lines)
            html.append(f"<ul>{items}</ul>")
        else:
            html.append("<p>" + "<br>".join(_inline(line) for line in lines) + "</p>")
    cleaned = nh3.clean("".join(html), tags=ALLOWED_TAGS, attributes={}, link_rel=None)
    return Markup(cleaned)  # noqa: S704 - escaped above and sanitised by nh3 with an allow-list
