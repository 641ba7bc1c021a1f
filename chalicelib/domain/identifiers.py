"""Identifiers of the Belgian energy market (EAN codes, enterprise numbers), and the shapes of
those the platform hands out."""

from __future__ import annotations

import re

from .errors import DomainError

EAN_LENGTH = 18
ENTERPRISE_NUMBER_LENGTH = 10


def gs1_check_digit(data_digits: str) -> int:
    """GS1 mod-10 check digit: weights 3,1,3,… from the rightmost data digit leftwards."""
    total = 0
    for position, char in enumerate(reversed(data_digits)):
        total += int(char) * (3 if position % 2 == 0 else 1)
    return (10 - total % 10) % 10


def is_valid_ean(value: str) -> bool:
    return (
        len(value) == EAN_LENGTH
        and value.isascii()
        and value.isdigit()
        and gs1_check_digit(value[:-1]) == int(value[-1])
    )


def parse_ean(value: object) -> str:
    """An 18-digit GS1 code with a correct check digit, or `invalid_ean`."""
    if not isinstance(value, str) or not is_valid_ean(value):
        raise DomainError(
            "invalid_ean", "An EAN is 18 digits and its last digit is the GS1 mod-10 check digit."
        )
    return value


def enterprise_number_check(first_eight: str) -> int:
    return 97 - int(first_eight) % 97


def is_valid_enterprise_number(value: str) -> bool:
    return (
        len(value) == ENTERPRISE_NUMBER_LENGTH
        and value.isascii()
        and value.isdigit()
        and enterprise_number_check(value[:8]) == int(value[8:])
    )


def parse_enterprise_number(value: object) -> str:
    """A KBO/BCE enterprise number: 10 digits, the last two `97 - (first eight mod 97)`."""
    if not isinstance(value, str) or not is_valid_enterprise_number(value):
        raise DomainError(
            "invalid_enterprise_number",
            "An enterprise number is 10 digits; the last two are 97 minus the first eight mod 97.",
        )
    return value


# The shapes of the identifiers we hand out. Anything else names nothing, so it is refused (not
# found) before it reaches a key: no lookup for a made-up id, and no odd key (`#`, `..`, 2 kB).
SHAPES = {
    "mandate": re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"),
    "export": re.compile(r"exp_[0-9a-f]{24}"),
    "api_client": re.compile(r"edv-[0-9a-f]{24}"),
    "webhook_endpoint": re.compile(r"whe_[0-9a-f]{24}"),
    "ingest_report": re.compile(r"[0-9a-f]{32}"),
    "consent_session": re.compile(r"[0-9a-f]{64}"),
    "purge_duty": re.compile(r"[0-9]{14}-[0-9]{8}-[0-9a-f]{12}"),
}


def is_shaped(kind: str, value: str) -> bool:
    """Whether `value` could be an identifier of this kind we handed out."""
    return SHAPES[kind].fullmatch(value) is not None
