"""The audit trail: every action by which the operator's staff (or an EDV, after approval)
changes what others rely on, with who, when and what. Append-only, as the access log is."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from .errors import DomainError, FieldError

# How far ahead of the clock an operator may run a job: the skew between two machines' clocks,
# not a way to expire mandates or apply scenarios before their time (irreversible both).
JOB_CLOCK_SKEW = timedelta(minutes=5)


class AuditAction(StrEnum):
    APPLICATION_APPROVED = "application_approved"
    APPLICATION_REJECTED = "application_rejected"
    MARKET_EVENT_REPORTED = "market_event_reported"
    ACCESS_POINT_REGISTERED = "access_point_registered"
    TARIFFS_CHANGED = "tariffs_changed"
    JOB_RUN = "job_run"
    RETURN_URL_ROOTS_CHANGED = "return_url_roots_changed"


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor: str  # the person's sub (the identity provider's subject)
    action: AuditAction
    subject: str  # what it acted on: an enterprise number, an EAN, a job, the tariff table
    details: dict[str, Any] = field(default_factory=dict)


def check_job_as_of(as_of: datetime, now: datetime) -> None:
    """A job runs as of now or an earlier moment, never ahead of the clock (beyond its skew)."""
    if as_of > now + JOB_CLOCK_SKEW:
        detail = "A job runs as of now or earlier, never ahead of the clock."
        raise DomainError("validation_error", detail, errors=[FieldError("as_of", detail)])
