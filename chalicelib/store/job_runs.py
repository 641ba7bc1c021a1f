"""Each run of a scheduled job, as the operators' console lists them (newest first per job)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from pynamodb.attributes import (
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.models import Model

from ..config import table_name
from .base import TableMeta, register


@register
class JobRunItem(Model):
    class Meta(TableMeta):
        table_name = table_name("job_runs")

    job = UnicodeAttribute(hash_key=True)
    run = UnicodeAttribute(range_key=True)  # "{started ISO UTC}#{uuid}": newest last
    started_at = UTCDateTimeAttribute()
    as_of = UTCDateTimeAttribute()
    duration_ms = NumberAttribute()
    outcome = UnicodeAttribute()  # ok | failed
    counts = JSONAttribute()
    error = UnicodeAttribute(null=True)  # the exception's class on a failed run, not its text


def append(
    job: str,
    started_at: datetime,
    as_of: datetime,
    duration_ms: float,
    counts: dict[str, int],
    error: str | None,
) -> None:
    JobRunItem(
        job,
        f"{started_at.isoformat()}#{uuid.uuid4().hex[:8]}",
        started_at=started_at,
        as_of=as_of,
        duration_ms=duration_ms,
        outcome="failed" if error else "ok",
        counts=counts,
        error=error,
    ).save()


@dataclass(frozen=True)
class JobRun:
    job: str
    started_at: datetime
    as_of: datetime
    duration_ms: float
    failed: bool
    counts: dict[str, int]
    error: str | None


def latest(job: str, limit: int) -> list[JobRun]:
    """The job's last `limit` runs, newest first."""
    return [
        JobRun(
            job=item.job,
            started_at=item.started_at,
            as_of=item.as_of,
            duration_ms=float(item.duration_ms),
            failed=item.outcome == "failed",
            counts={name: int(count) for name, count in (item.counts or {}).items()},
            error=item.error,
        )
        for item in JobRunItem.query(job, scan_index_forward=False, limit=limit)
    ]
