"""Structured logs and metrics (Powertools). Personal data never goes in either.

Metrics go out in CloudWatch's embedded metric format: JSON lines in the function's log, which
CloudWatch turns into metrics without an API call. `metrics.flush()` ends each invocation.
Powertools loads on first use, not when the app is imported.
"""

from __future__ import annotations

import logging
import os
import sys
import warnings
from collections.abc import Callable
from enum import StrEnum
from functools import cache, wraps
from typing import TYPE_CHECKING, Any, TypeVar, cast

if TYPE_CHECKING:
    from aws_lambda_powertools import Logger, Metrics

Handler = TypeVar("Handler", bound=Callable[..., Any])
SERVICE = "edv-platform"
NAMESPACE = "EdvPlatform"


class Metric(StrEnum):
    """Every metric the service writes; the alarms and the dashboard (infrastructure/) use these."""

    READS_SERVED = "ReadsServed"  # dimension face: portal | api
    MANDATES_REQUESTED = "MandatesRequested"
    MANDATES_REJECTED = "MandatesRejected"
    MANDATES_GRANTED = "MandatesGranted"
    MANDATES_ENDED = "MandatesEnded"
    MANDATES_EXPIRED = "MandatesExpired"
    MANDATES_TRUNCATED = "MandatesTruncated"
    MANDATES_RENEWAL_REQUESTED = "MandatesRenewalRequested"
    MANDATES_EXPIRING = "MandatesExpiring"
    PURGE_DUTIES_DUE = "PurgeDutiesDue"
    CONSENTS_DECLINED = "ConsentsDeclined"
    INGEST_ROWS_ACCEPTED = "IngestRowsAccepted"
    INGEST_ROWS_REJECTED = "IngestRowsRejected"
    JOB_RUNS = "JobRuns"  # dimension job
    JOB_FAILURES = "JobFailures"  # dimension job
    JOB_DURATION = "JobDuration"  # dimension job
    WEBHOOKS_DELIVERED = "WebhooksDelivered"
    WEBHOOK_ATTEMPTS_FAILED = "WebhookAttemptsFailed"
    WEBHOOKS_DEAD_LETTERED = "WebhooksDeadLettered"
    WEBHOOK_HINTS_DROPPED = "WebhookHintsDropped"


class _StandardOutput(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever `sys.stdout` is when a line is logged (Lambda's, or a test's capture),
    not to the one there was when the logger was made."""

    @property
    def stream(self) -> Any:
        return sys.stdout

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


@cache
def _logger() -> Logger:
    from aws_lambda_powertools import Logger

    return Logger(service=SERVICE, logger_handler=_StandardOutput())


@cache
def _metrics() -> Metrics:
    from aws_lambda_powertools import Metrics

    return Metrics(namespace=NAMESPACE, service=SERVICE)


class _LoggerProxy:
    """Stands for the Powertools Logger; made on the first log line."""

    def __getattr__(self, name: str) -> Any:
        return getattr(_logger(), name)


class _Metrics:
    """The service's own metrics (names are what the alarms and the dashboard use)."""

    def add(self, name: Metric, value: float = 1, **dimensions: str) -> None:
        from aws_lambda_powertools.metrics import MetricUnit

        if value:
            self._put(name, MetricUnit.Count, value, dimensions)

    def milliseconds(self, name: Metric, value: float, **dimensions: str) -> None:
        from aws_lambda_powertools.metrics import MetricUnit

        self._put(name, MetricUnit.Milliseconds, value, dimensions)

    def _put(self, name: str, unit: Any, value: float, dimensions: dict[str, str]) -> None:
        if os.environ.get("POWERTOOLS_METRICS_DISABLED", "").lower() == "true":
            return  # as Powertools' own switch, which its single_metric does not heed
        if not dimensions:
            _metrics().add_metric(name=name, unit=unit, value=value)
            return
        from aws_lambda_powertools.metrics import single_metric

        # Its own EMF line, as one metric cannot have two dimension sets in a batch; with the
        # service dimension too, so every metric is keyed alike (the alarms rely on it).
        service = {"service": SERVICE}
        with single_metric(
            name=name, unit=unit, value=value, namespace=NAMESPACE, default_dimensions=service
        ) as metric:
            for key, dimension in dimensions.items():
                metric.add_dimension(name=key, value=dimension)

    def handler(self, function: Handler) -> Handler:
        """A Lambda handler whose invocations each end with what they counted (one EMF line),
        whether they return or raise: Powertools' own `log_metrics`, made on the first call, as
        the rest of Powertools is."""

        @wraps(function)
        def handle(event: Any, context: Any) -> Any:
            with warnings.catch_warnings():
                # An invocation that counted nothing (a job with nothing due) is normal.
                warnings.filterwarnings("ignore", "No application metrics to publish", UserWarning)
                return _metrics().log_metrics(function)(event, context)

        return cast(Handler, handle)

    def flush(self) -> None:
        """Write what was counted (one EMF line); nothing when nothing was counted."""
        if _metrics().metric_set:
            _metrics().flush_metrics(raise_on_empty_metrics=False)


logger: Logger = _LoggerProxy()  # type: ignore[assignment]
metrics = _Metrics()
