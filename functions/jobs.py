"""Thin Lambda handlers for the scheduled jobs (EventBridge Scheduler). `as_of` is the schedule's
time, so a retried invocation of the same tick does the same, idempotent, work."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from chalicelib.jobs import run
from chalicelib.observability import metrics


def _as_of(event: dict[str, Any]) -> datetime:
    stamp = event.get("as_of") or event.get("time")
    if isinstance(stamp, str):
        return datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return datetime.now(UTC)


def mandate_expiry(event: dict[str, Any], context: Any) -> dict[str, Any]:
    try:
        report = run("mandate-expiry", _as_of(event))
    finally:
        metrics.flush()
    return {"job": report.job, "as_of": report.as_of.isoformat(), **report.counts}


def market_scenarios(event: dict[str, Any], context: Any) -> dict[str, Any]:
    try:
        report = run("market-scenarios", _as_of(event))
    finally:
        metrics.flush()
    return {"job": report.job, "as_of": report.as_of.isoformat(), **report.counts}


def publish_pages(event: dict[str, Any], context: Any) -> dict[str, Any]:
    try:
        report = run("publish-pages", _as_of(event))
    finally:
        metrics.flush()
    return {"job": report.job, "as_of": report.as_of.isoformat(), **report.counts}
