"""Writing a benchmark's figures into the README, between its two markers.

One home for every benchmark's ``--write-readme``: the text between the markers is replaced and
everything else is kept, so the README's prose around a table stays as written.
"""

from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def write_section(text: str, markers: tuple[str, str], path: Path = README) -> None:
    """Put ``text`` between ``markers`` (start, end) in ``path``; fails clearly without them."""
    start, end = markers
    content = path.read_text(encoding="utf-8")
    if start not in content or end not in content:
        raise SystemExit(f"Error: {path} lacks the {start} / {end} markers")
    head, rest = content.split(start, 1)
    _old, tail = rest.split(end, 1)
    path.write_text(f"{head}{start}\n{text}{end}{tail}", encoding="utf-8")
