"""Scheduled jobs: called by the thin handlers in functions/ and by `POST /v1/ops/jobs/{job}/run`.
Each takes `as_of`, is idempotent, and reports what it did."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ..domain.errors import DomainError
from ..observability import Metric, logger, metrics

if TYPE_CHECKING:
    from ..store.job_runs import JobRun


@dataclass(frozen=True)
class JobReport:
    job: str
    as_of: datetime
    duration_ms: float
    counts: dict[str, int] = field(default_factory=dict)


def _mandate_expiry(as_of: datetime) -> dict[str, int]:
    from ..services import mandates

    expired = mandates.expire_due(as_of)
    return {"expired": expired, "expiring_announced": mandates.announce_expiring(as_of)}


def _market_scenarios(as_of: datetime) -> dict[str, int]:
    from ..services import market

    events, truncated = market.apply_due(as_of)
    return {"events_applied": events, "mandates_truncated": truncated}


def _publish_pages(as_of: datetime) -> dict[str, int]:
    from ..services import onboarding

    return {"published": onboarding.publish_pending_pages()}


def _webhook_dispatch(as_of: datetime) -> dict[str, int]:
    from ..services import webhooks

    return {"queued": webhooks.dispatch_all(as_of)}


@dataclass(frozen=True)
class Job:
    """A scheduled job: its name (the operators' console, the metrics, `POST …/jobs/{job}/run`),
    its work, and when EventBridge Scheduler runs it. Its Lambda handler and the name of its
    schedule in the stack follow from its name."""

    name: str
    work: Callable[[datetime], dict[str, int]]
    schedule: str  # an EventBridge Scheduler cron, in Brussels time

    @property
    def handler(self) -> str:
        """The handler's name in functions/jobs.py."""
        return self.name.replace("-", "_")

    @property
    def construct(self) -> str:
        return "".join(part.capitalize() for part in self.name.split("-"))


MANDATE_EXPIRY = "mandate-expiry"
JOBS = {
    job.name: job
    for job in (
        Job(MANDATE_EXPIRY, _mandate_expiry, "cron(0 1 * * ? *)"),
        Job("market-scenarios", _market_scenarios, "cron(5 * * * ? *)"),
        Job("publish-pages", _publish_pages, "cron(0/15 * * * ? *)"),
        Job("webhook-dispatch", _webhook_dispatch, "cron(* * * * ? *)"),
    )
}


def run(job: str, as_of: datetime) -> JobReport:
    known = JOBS.get(job)
    if known is None:
        raise DomainError("not_found", f"There is no job {job!r}; jobs: {', '.join(JOBS)}.")
    work = known.work
    started_at = datetime.now(UTC)
    started = time.perf_counter()
    try:
        counts = work(as_of)
    except Exception as error:
        metrics.add(Metric.JOB_FAILURES, job=job)
        _remember(job, started_at, as_of, started, {}, type(error).__name__)
        raise
    report = JobReport(job, as_of, _remember(job, started_at, as_of, started, counts, None), counts)
    metrics.add(Metric.JOB_RUNS, job=job)
    metrics.milliseconds(Metric.JOB_DURATION, report.duration_ms, job=job)
    logger.info("job run", extra={"job": job, "as_of": as_of.isoformat(), **_fields(report)})
    return report


def run_by_operator(actor: str, job: str, as_of: datetime | None, now: datetime) -> JobReport:
    """An operator's "run now": as of now or earlier (never ahead of the clock: expiring every
    mandate early cannot be undone), and in the audit trail."""
    from ..domain.audit import AuditAction, check_job_as_of
    from ..services import audit

    when = as_of or now
    check_job_as_of(when, now)
    report = run(job, when)
    audit.record(actor, AuditAction.JOB_RUN, job, now, as_of=when.isoformat(), counts=report.counts)
    return report


def latest_runs(job: str | None, limit: int) -> list[JobRun]:
    """The last `limit` runs of one job, or of each, newest first: scheduled and by hand alike."""
    from ..store import job_runs

    if job is not None and job not in JOBS:
        raise DomainError("not_found", f"There is no job {job!r}; jobs: {', '.join(JOBS)}.")
    runs = [run for name in ([job] if job else JOBS) for run in job_runs.latest(name, limit)]
    return sorted(runs, key=lambda run: run.started_at, reverse=True)


def _remember(
    job: str,
    started_at: datetime,
    as_of: datetime,
    started: float,
    counts: dict[str, int],
    error: str | None,
) -> float:
    """Write the run down for the operators' console; a failure to do so must not fail the job."""
    from ..store import job_runs

    duration_ms = round((time.perf_counter() - started) * 1000, 1)
    try:
        job_runs.append(job, started_at, as_of, duration_ms, counts, error)
    except Exception:
        logger.exception("job run not recorded", extra={"job": job})
    return duration_ms


def _fields(report: JobReport) -> dict[str, Any]:
    return {"duration_ms": report.duration_ms, **report.counts}
