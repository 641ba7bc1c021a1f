"""The privacy scan: the names and addresses the suite hands to the system are remembered here,
and no log output of the suite may contain any of them (tests/conftest.py scans every test's
captured output and fails the test on a find; tests/e2e/conftest.py the local stack's log)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

PERSONAL_FIELDS = ("name", "address", "contact_name")
MIN_LENGTH = 5  # shorter strings ("Test") would match too much that is not personal


@dataclass(frozen=True)
class Finding:
    where: str
    what: str


PERSONAL: set[str] = set()
FINDINGS: list[Finding] = []


def remember(*values: object) -> None:
    for value in values:
        if isinstance(value, str) and len(value.strip()) >= MIN_LENGTH:
            PERSONAL.add(value.strip())


def remember_fields(document: Any) -> None:
    """Every personal field of a JSON body or a form, at any depth."""
    if isinstance(document, dict):
        for key, value in document.items():
            if key in PERSONAL_FIELDS:
                remember(value)
            remember_fields(value)
    elif isinstance(document, list):
        for item in document:
            remember_fields(item)


def remember_body(payload: bytes) -> None:
    try:
        remember_fields(json.loads(payload))
    except ValueError:
        from urllib.parse import parse_qs

        form = parse_qs(payload.decode(errors="replace"))
        remember_fields({key: values[0] for key, values in form.items()})


def found_in(text: str) -> list[str]:
    return sorted(value for value in PERSONAL if value in text)


def scan(where: str, text: str) -> list[Finding]:
    """Record and return what `text` holds of the personal data remembered so far."""
    found = []
    for value in found_in(text):
        finding = Finding(where, value)
        if finding not in FINDINGS:
            FINDINGS.append(finding)
            found.append(finding)
    return found
