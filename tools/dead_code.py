"""Fail on package functions, methods, properties and classes that nothing in the packages uses.

    .venv/bin/python tools/dead_code.py

Runs vulture over ``matching``, ``volunteer`` and ``notifications`` (not ``tests``: a function
only the tests call is dead code the tests keep alive). Names a Jinja template uses count as used
(vulture reads Python only). Framework hooks and deliberate test doubles are listed, each with its
reason, in ``tools/dead_code_whitelist.txt``; anything else unused fails ``make test``, so delete
it or make the live path call it.
"""

import re
import sys
from pathlib import Path

from vulture import Vulture

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["matching", "volunteer", "notifications"]
KINDS = {"function", "method", "property", "class"}
# Registered by decorator: the framework calls them.
DECORATORS = ["@bp.*", "@app.*", "@*.route", "@*.command", "@*.group", "@click.*", "@*.cli.*"]


def whitelist() -> set[str]:
    """``path:name`` entries (a ``#`` starts the reason)."""
    lines = (ROOT / "tools" / "dead_code_whitelist.txt").read_text("utf-8").splitlines()
    return {line.split("#", 1)[0].strip() for line in lines if line.split("#", 1)[0].strip()}


def template_names() -> set[str]:
    text = "\n".join(p.read_text("utf-8") for p in (ROOT / "templates").rglob("*.*"))
    return set(re.findall(r"\w+", text))


def unused() -> list[str]:
    vulture = Vulture(ignore_decorators=DECORATORS)
    vulture.scavenge([str(ROOT / p) for p in PACKAGES])
    in_templates = template_names()
    allowed = whitelist()
    found = []
    for item in vulture.get_unused_code(min_confidence=60):
        if item.typ not in KINDS or item.name in in_templates:
            continue
        path = Path(item.filename).resolve().relative_to(ROOT).as_posix()
        if f"{path}:{item.name}" in allowed:
            continue
        found.append(f"{path}:{item.first_lineno}: unused {item.typ} {item.name!r}")
    return found


def main() -> int:
    found = unused()
    for line in found:
        print(line)
    if found:
        print(
            f"{len(found)} unused in the packages: delete them, call them from the live path, or "
            "list a framework hook in tools/dead_code_whitelist.txt with its reason",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
