"""The lock pins, with hashes, every package the requirements name, at the version they name."""

from __future__ import annotations

import re
from pathlib import Path

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


def test_every_requirement_is_locked_at_its_version_with_hashes() -> None:
    wanted = _pins((ROOT / "requirements.txt").read_text())
    wanted |= _pins((ROOT / "requirements-dev.txt").read_text())
    lock = (ROOT / "requirements-dev.lock").read_text()
    locked = _pins(lock)
    assert {name: locked.get(name) for name in wanted} == wanted, "run `make lock`"
    entries = re.split(r"\n(?=[A-Za-z])", lock.split("\n", 2)[2])
    assert all("--hash=sha256:" in entry for entry in entries if PIN.match(entry))
