"""One way to commit from a view: ``volunteer.web.helpers.commit_work`` (and ``commit_or_report``
on top of it). A bare ``commit()`` elsewhere in ``volunteer/web`` would be a second unit-of-work
rule, the kind that drifted before (some views invalidated the engine before committing, some
after, some never)."""

import ast
from pathlib import Path

import volunteer.web

WEB = Path(volunteer.web.__file__).parent
HELPERS = WEB / "helpers.py"


def _commits(path: Path) -> list[tuple[int, str]]:
    """``(line, enclosing function)`` of every ``<anything>.commit(...)`` call in the module."""
    found: list[tuple[int, str]] = []

    def visit(node: ast.AST, function: str) -> None:
        for child in ast.iter_child_nodes(node):
            name = child.name if isinstance(child, ast.FunctionDef) else function
            if (
                isinstance(child, ast.Call)
                and isinstance(child.func, ast.Attribute)
                and child.func.attr == "commit"
            ):
                found.append((child.lineno, function))
            visit(child, name)

    visit(ast.parse(path.read_text("utf-8")), "<module>")
    return found


def test_views_commit_only_through_the_helper() -> None:
    bare = [
        f"{path.relative_to(WEB)}:{line} in {function}"
        for path in sorted(WEB.rglob("*.py"))
        for line, function in _commits(path)
        if (path, function) != (HELPERS, "commit_work")
    ]
    assert bare == [], "commit through volunteer.web.helpers.commit_work: " + ", ".join(bare)


def test_the_check_sees_a_bare_commit(tmp_path: Path) -> None:
    module = tmp_path / "view.py"
    module.write_text("def save():\n    db = get_session()\n    db.commit()\n", "utf-8")
    assert _commits(module) == [(3, "save")]
    assert [function for _, function in _commits(HELPERS)] == ["commit_work"]
