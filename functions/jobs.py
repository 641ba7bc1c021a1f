"""Thin Lambda handlers for the scheduled jobs (EventBridge Scheduler). `as_of` is the schedule's
time, so a retried invocation of the same tick does the same, idempotent, work."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from chalicelib.config import check_deployed
from chalicelib.jobs import run
from chalicelib.observability import metrics

check_deployed()  # missing configuration fails the cold start, not each event


def _as_of(event: dict[str, Any]) -> datetime:
    stamp = event.get("as_of") or event.get("time")
    if isinstance(stamp, str):
        return datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return datetime.now(UTC)


def _run(job: str, event: dict[str, Any]) -> dict[str, Any]:
    try:
        report = run(job, _as_of(event))
    finally:
        metrics.flush()
    return {"job": report.job, "as_of": report.as_of.isoformat(), **report.counts}


def mandate_expiry(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return _run("mandate-expiry", event)


def market_scenarios(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return _run("market-scenarios", event)


def publish_pages(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return _run("publish-pages", event)


def webhook_dispatch(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return _run("webhook-dispatch", event)
