"""The lock files pin every dependency pyproject.toml declares, each with hashes.

``make`` and the Dockerfile install *only* from the locks (``--require-hashes``), so a
dependency added to pyproject.toml without renewing them (``make lock``) would be missing at
run time: this test says so first.
"""

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+) \\$", re.M)


def _pins(lock: str) -> dict[str, str]:
    text = (ROOT / "requirements" / lock).read_text()
    return {canonicalize_name(name): version for name, version in _PIN.findall(text)}


def _names(requirements: list[str]) -> set[str]:
    return {canonicalize_name(Requirement(r).name) for r in requirements}


@pytest.mark.parametrize(
    ("lock", "declared"),
    [
        ("run.lock", _names(PYPROJECT["project"]["dependencies"])),
        (
            "dev.lock",
            _names(PYPROJECT["project"]["dependencies"])
            | _names(PYPROJECT["project"]["optional-dependencies"]["dev"]),
        ),
        ("build.lock", _names(PYPROJECT["build-system"]["requires"])),
    ],
)
def test_every_declared_dependency_is_pinned_in_the_lock(lock: str, declared: set[str]) -> None:
    missing = declared - set(_pins(lock))
    assert not missing, f"requirements/{lock} lacks {sorted(missing)}: run `make lock`"


def test_every_pin_carries_a_hash_and_the_locks_agree() -> None:
    for lock in ("run.lock", "dev.lock", "build.lock"):
        text = (ROOT / "requirements" / lock).read_text()
        blocks = re.split(r"\n(?=[A-Za-z0-9])", text)
        for block in blocks:
            if _PIN.match(block):
                assert "--hash=sha256:" in block, f"{lock}: {block.splitlines()[0]} has no hash"
        assert "--extra-index-url" not in text and "--find-links" not in text
    run, dev, build = _pins("run.lock"), _pins("dev.lock"), _pins("build.lock")
    for name, version in run.items() | build.items():
        assert dev.get(name, version) == version, f"{name}: the locks pin different versions"
