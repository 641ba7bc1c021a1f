"""The refusals the domain can produce, each with a stable machine-readable code.

The API maps a code to its HTTP status in one table (chalicelib/serving/problems.py); the domain
only says what went wrong.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

RETRY_AFTER_SECONDS = 2  # what a 503 tells its caller to wait before trying again


@dataclass(frozen=True)
class FieldError:
    """One invalid field of a request: where it is (a JSON pointer-ish path) and why."""

    field: str
    message: str


def retry_shortly() -> dict[str, str]:
    """The headers of a refusal that is only "not now" (a throttled dependency)."""
    return {"Retry-After": str(RETRY_AFTER_SECONDS)}


class DomainError(Exception):
    """A refusal a user can act on. `code` is stable; `detail` is for people."""

    def __init__(
        self,
        code: str,
        detail: str,
        *,
        errors: list[FieldError] | None = None,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.errors = errors or []
        self.extra = extra or {}  # further members of the problem body
        self.headers = headers or {}  # e.g. Retry-After


@dataclass
class Problems:
    """Collects field errors so a request reports all of them at once."""

    errors: list[FieldError] = field(default_factory=list)

    def add(self, field_name: str, message: str) -> None:
        self.errors.append(FieldError(field_name, message))

    def raise_if_any(self, code: str = "validation_error", detail: str = "Invalid request") -> None:
        if self.errors:
            raise DomainError(code, detail, errors=list(self.errors))
