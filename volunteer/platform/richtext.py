"""Descriptions: plain text with a tiny, safe formatting, rendered to HTML only on output.

Associations write descriptions in a textarea. What they type is stored as plain text and
never as HTML, so there is nothing to inject: markup (``<b>``, ``<script>``, event handlers) is
refused with a field message on input (:func:`markup_problem`) and, should any reach the database
another way, escaped on output. The formatting people need in a need's description is small:

- a blank line starts a new paragraph, a single line break stays a line break;
- lines starting with ``- `` or ``* `` form a bulleted list, lines starting with ``1.`` a
  numbered one;
- ``**words**`` are bold, ``*words*`` or ``_words_`` italic;
- ``[text](https://...)`` is a link, and so is a bare ``https://...`` address. Only ``http``,
  ``https`` and ``mailto`` addresses become links (``javascript:`` and the like stay text), and
  every link gets ``rel="nofollow noopener"``: a description is written by an association, not
  by us, so search engines should not count it as our recommendation.

:func:`render` builds the HTML from escaped text and passes it through nh3 with an allow-list of
exactly the tags, attributes and URL schemes it produces, a second fence in case the renderer
itself ever has a bug.
"""

import re

import nh3
from markupsafe import Markup, escape

ALLOWED_TAGS = {"p", "br", "ul", "ol", "li", "strong", "em", "a"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow noopener"
# Something that a browser would read as a tag, comment or entity-encoded tag start.
_MARKUP = re.compile(r"<\s*[a-zA-Z!/?]|&(lt|gt|#0*60|#x0*3c);", re.IGNORECASE)
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
# *words* or _words_, not inside a word (snake_case_names and 3*4*5 stay as they are).
_ITALIC = re.compile(
    r"(?<![\w*])\*(?=[^\s*])([^*]+?)(?<=\S)\*(?![\w*])"
    r"|(?<!\w)_(?=\S)([^_]+?)(?<=\S)_(?!\w)"
)
_BULLET = re.compile(r"^\s*[-*•]\s+")
_NUMBERED = re.compile(r"^\s*\d{1,3}[.)]\s+")
# [label](address) with an allowed scheme, or a bare web address (trailing punctuation is the
# sentence's, not the address's). Anything else in brackets stays text.
_LINK = re.compile(
    r"\[([^\]\n]+)\]\(((?:https?://|mailto:)[^\s()]+)\)"
    r"|(https?://[^\s<>()\[\]]*[^\s<>()\[\].,;:!?'\"])",
    re.IGNORECASE,
)
# Control characters other than tab and line breaks are never meaningful in a description.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def markup_problem(text: str) -> bool:
    """True when the text contains HTML or script-like markup (refused with a field message)."""
    return bool(_MARKUP.search(text or ""))


def clean_text(text: str) -> str:
    """Normalise line endings, drop control characters and trailing space; keep the wording."""
    text = _CONTROL.sub("", (text or "").replace("\r\n", "\n").replace("\r", "\n"))
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


def _emphasis(text: str) -> str:
    html = _BOLD.sub(r"<strong>\1</strong>", str(escape(text)))
    return _ITALIC.sub(lambda m: f"<em>{m[1] or m[2]}</em>", html)


def _inline(line: str) -> str:
    """One line: links first (so ``_`` or ``*`` inside an address is never emphasis), then
    bold and italics in the text around them and in the link labels."""
    out: list[str] = []
    pos = 0
    for match in _LINK.finditer(line):
        label, address = (match[1], match[2]) if match[1] else (match[3], match[3])
        out.append(_emphasis(line[pos : match.start()]))
        out.append(f'<a href="{escape(address)}">{_emphasis(label)}</a>')
        pos = match.end()
    out.append(_emphasis(line[pos:]))
    return "".join(out)


def render(text: str) -> Markup:
    """The description as safe HTML (paragraphs, line breaks, lists, bold, italics, links)."""
    blocks = re.split(r"\n\s*\n", clean_text(text))
    html: list[str] = []
    for block in blocks:
        lines = [line for line in block.split("\n") if line.strip()]
        if not lines:
            continue
        if all(_BULLET.match(line) for line in lines):
            items = "".join(f"<li>{_inline(_BULLET.sub('', line))}</li>" for line in lines)
            html.append(f"<ul>{items}</ul>")
        elif all(_NUMBERED.match(line) for line in lines):
            items = "".join(f"<li>{_inline(_NUMBERED.sub('', line))}</li>" for line in lines)
            html.append(f"<ol>{items}</ol>")
        else:
            html.append("<p>" + "<br>".join(_inline(line) for line in lines) + "</p>")
    cleaned = nh3.clean(
        "".join(html),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
    )
    return Markup(cleaned)  # noqa: S704 - escaped above and sanitised by nh3 with an allow-list
