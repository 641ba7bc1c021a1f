"""History exports: an EDV asks for the history of some or all of its mandates in one job, and
gets one Parquet file, one gzip CSV in the portal's layout and a manifest. Pure: no I/O.

A request is identified by what it asks (its fingerprint): asked again while its job is queued or
running, it is the same job. A job lists its EANs when it is asked (its plan) and counts those
done (each one's part and what it served are files of the job), so a job interrupted halfway
continues where it stopped and writes the same files. The plan is kept apart from the job and
written once per run: the job is saved after every EAN, and DynamoDB charges a write by the
item's size (MAX_EANS EANs of 18 digits are about 100 kB; the job without them about 1 kB).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum

from .errors import DomainError
from .vocabulary import MeterChannel, Resolution

MAX_RUNNING_PER_EDV = 2  # jobs queued or running at once, per EDV
MAX_ATTEMPTS = 3  # Lambda's first try and its two retries; then the job has failed
# The files of a finished run are kept this long (the exports bucket's lifecycle rule expires
# them after a day: infrastructure/data.py); asking the same export again writes them anew.
FILES_KEPT = timedelta(days=1)
STALLED_AFTER = timedelta(minutes=20)  # no progress for longer than a run may last (15 min)
MAX_EANS = 5000  # per job: beyond this, ask for a set of mandates
CHANNELS = tuple(channel.value for channel in MeterChannel)
RESOLUTIONS = (Resolution.QUARTER_HOUR, Resolution.HOUR, Resolution.DAY)


class ExportStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    READY = "ready"
    FAILED = "failed"


@dataclass(frozen=True)
class ExportRequest:
    edv: str
    # None: every mandate that gives access now. A job read back keeps named EANs in its plan
    # alone: its request's `eans` is then () (named; the plan says which).
    eans: tuple[str, ...] | None
    resolution: Resolution | None  # None: the finest each mandate allows
    channels: tuple[str, ...]  # a subset of CHANNELS
    first: date | None  # None: from the start of what each mandate allows
    end: date | None  # exclusive; None: up to today

    def fingerprint(self) -> str:
        canonical = json.dumps(
            {
                "edv": self.edv,
                "eans": sorted(self.eans) if self.eans is not None else None,
                "resolution": self.resolution.value if self.resolution else None,
                "channels": sorted(self.channels),
                "first": self.first.isoformat() if self.first else None,
                "end": self.end.isoformat() if self.end else None,
            },
            sort_keys=True,
        )
        return "exp_" + hashlib.sha256(canonical.encode()).hexdigest()[:24]


def check_request(request: ExportRequest) -> None:
    if request.resolution is not None and request.resolution not in RESOLUTIONS:
        raise DomainError("invalid_granularity", "Export quarter-hours, hours or days.")
    if not request.channels or set(request.channels) - set(CHANNELS):
        raise DomainError("validation_error", "Channels are offtake and/or injection.")
    if request.first and request.end and request.end <= request.first:
        raise DomainError("invalid_period", "The range must end after it starts: [from, to).")
    if request.eans is not None and len(request.eans) > MAX_EANS:
        raise DomainError("too_many_results", f"At most {MAX_EANS:,} EANs per export.")


@dataclass(frozen=True)
class Served:
    """What the job served of one EAN, for the manifest."""

    ean: str
    mandate_id: str | None
    resolution: str | None
    first: str | None  # the range actually served, [first, end)
    end: str | None
    rows: int
    skipped: str | None = None  # why nothing was served (a problem code)


@dataclass(frozen=True)
class ExportJob:
    id: str
    request: ExportRequest
    status: ExportStatus
    eans: int  # how many EANs its plan lists (the plan: the EANs, in the order of the files)
    created_at: datetime
    updated_at: datetime
    requested_by: str  # a person's sub, or "client:<id>"
    done: int = 0  # the plan's first `done` EANs are written
    files: dict[str, dict[str, str | int]] = field(
        default_factory=dict
    )  # name → key, bytes, sha256
    error: str | None = None
    finished_at: datetime | None = None
    run: int = 1  # how many times this request was exported (each run writes its files anew)
    attempts: int = 0  # runs of the function on this run of the job
    version: int = 0

    @property
    def is_open(self) -> bool:
        return self.status in (ExportStatus.QUEUED, ExportStatus.RUNNING)

    def stalled(self, now: datetime) -> bool:
        """Open, but nothing happened for longer than a run may last: its function gave up."""
        return self.is_open and now - self.updated_at > STALLED_AFTER

    def files_until(self) -> datetime | None:
        """Until when its files can be downloaded (None: none yet)."""
        return self.finished_at + FILES_KEPT if self.files and self.finished_at else None

    def next_ean(self, plan: Sequence[str]) -> str | None:
        return plan[self.done] if self.done < len(plan) else None


def new_job(request: ExportRequest, plan: list[str], by: str, now: datetime) -> ExportJob:
    if len(plan) > MAX_EANS:
        raise DomainError(
            "too_many_results",
            f"{len(plan):,} EANs: at most {MAX_EANS:,} per export; name a set of them.",
        )
    return ExportJob(request.fingerprint(), request, ExportStatus.QUEUED, len(plan), now, now, by)


def again(
    previous: ExportJob, request: ExportRequest, plan: list[str], by: str, now: datetime
) -> ExportJob:
    """The same request (asked again: the same fingerprint) after its last run finished: a new
    run, with the plan of today."""
    fresh = new_job(request, plan, by, now)
    return replace(fresh, run=previous.run + 1, version=previous.version)


def started(job: ExportJob, now: datetime) -> ExportJob:
    return replace(job, status=ExportStatus.RUNNING, attempts=job.attempts + 1, updated_at=now)


def restarted(job: ExportJob, now: datetime) -> ExportJob:
    """A stalled job, asked for again: its function starts anew where the job stands."""
    return replace(job, attempts=0, updated_at=now)


def advanced(job: ExportJob, plan: Sequence[str], ean: str, now: datetime) -> ExportJob:
    """One more EAN written; only the one next in the plan (a second runner finds it done)."""
    if job.next_ean(plan) != ean:
        raise DomainError("conflict", "The export moved on meanwhile.")
    return replace(job, status=ExportStatus.RUNNING, done=job.done + 1, updated_at=now)


def finished(job: ExportJob, files: dict[str, dict[str, str | int]], now: datetime) -> ExportJob:
    return replace(
        job, status=ExportStatus.READY, files=files, updated_at=now, finished_at=now, error=None
    )


def failed(job: ExportJob, error: str, now: datetime) -> ExportJob:
    return replace(job, status=ExportStatus.FAILED, error=error, updated_at=now, finished_at=now)
