"""The locks pin, with hashes, every package the requirements name, at the version they name: the
development lock (everything the tests run with) and each Lambda bundle's, which must agree with
it, so the suite tests the versions that ship."""

from __future__ import annotations

import re
from pathlib import Path

from infrastructure.bundles import BUNDLES, REQUIREMENTS

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9_.\[\]-]+)==([^\s;\\]+)")


def _pins(text: str) -> dict[str, str]:
    pins = {}
    for line in text.splitlines():
        match = PIN.match(line.strip())
        if match:
            name = re.sub(r"\[.*\]", "", match.group(1)).lower().replace("_", "-")
            pins[name] = match.group(2)
    return pins


def _requirements(path: Path) -> dict[str, str]:
    """A requirements file's pins, with those of the files it includes (`-r`)."""
    pins = _pins(path.read_text())
    for line in path.read_text().splitlines():
        if line.startswith("-r "):
            pins |= _requirements(path.parent / line[3:].strip())
    return pins


def _assert_hashed(lock: str) -> None:
    entries = re.split(r"\n(?=[A-Za-z])", lock.split("\n", 2)[2])
    assert all("--hash=sha256:" in entry for entry in entries if PIN.match(entry))


def test_every_requirement_is_locked_at_its_version_with_hashes() -> None:
    wanted = _requirements(ROOT / "requirements-dev.txt")
    lock = (ROOT / "requirements-dev.lock").read_text()
    locked = _pins(lock)
    assert {name: locked.get(name) for name in wanted} == wanted, "run `make lock`"
    _assert_hashed(lock)


def test_each_bundle_is_locked_at_the_versions_the_tests_run_with() -> None:
    tested = _pins((ROOT / "requirements-dev.lock").read_text())
    included = {
        line[3:].strip()
        for line in (ROOT / "requirements-dev.txt").read_text().splitlines()
        if line.startswith("-r ")
    }
    assert {f"requirements/{name}.txt" for name in BUNDLES} <= included
    for bundle in BUNDLES.values():
        wanted = _requirements(bundle.requirements)
        lock = bundle.lock.read_text()
        locked = _pins(lock)
        assert {name: locked.get(name) for name in wanted} == wanted, f"{bundle.name}: make lock"
        assert {name: tested.get(name) for name in locked} == locked, f"{bundle.name}: make lock"
        assert "--python-platform x86_64-manylinux_2_28" in lock.split("\n", 2)[1]
        _assert_hashed(lock)
    assert {path.stem for path in REQUIREMENTS.glob("*.lock")} == set(BUNDLES)
