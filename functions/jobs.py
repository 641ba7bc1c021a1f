"""Thin Lambda handlers for the scheduled jobs (EventBridge Scheduler). `as_of` is the schedule's
time, so a retried invocation of the same tick does the same, idempotent, work."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from chalicelib.config import check_deployed
from chalicelib.jobs import JOBS, run
from chalicelib.observability import metrics

check_deployed()  # missing configuration fails the cold start, not each event


def _as_of(event: dict[str, Any]) -> datetime:
    stamp = event.get("as_of") or event.get("time")
    if isinstance(stamp, str):
        return datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return datetime.now(UTC)


def _run(job: str, event: dict[str, Any]) -> dict[str, Any]:
    report = run(job, _as_of(event))
    return {"job": report.job, "as_of": report.as_of.isoformat(), **report.counts}


def _handler(job: str) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    def handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return _run(job, event)

    handle.__name__ = JOBS[job].handler
    return metrics.handler(handle)


# A handler per job of the registry (chalicelib.jobs.JOBS), named as Job.handler says; written
# out, as Lambda and the asset check read them (tests/unit/test_jobs.py holds them to the registry).
mandate_expiry = _handler("mandate-expiry")
market_scenarios = _handler("market-scenarios")
publish_pages = _handler("publish-pages")
webhook_dispatch = _handler("webhook-dispatch")
