"""Structured logs and metrics (Powertools). Personal data never goes in either.

Metrics go out in CloudWatch's embedded metric format: JSON lines in the function's log, which
CloudWatch turns into metrics without an API call. `metrics.flush()` ends each invocation.
Powertools loads on first use, not when the app is imported.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aws_lambda_powertools import Logger, Metrics

SERVICE = "edv-platform"
NAMESPACE = "EdvPlatform"


@cache
def _logger() -> Logger:
    from aws_lambda_powertools import Logger

    return Logger(service=SERVICE)


@cache
def _metrics() -> Metrics:
    from aws_lambda_powertools import Metrics

    return Metrics(namespace=NAMESPACE, service=SERVICE)


class _LoggerProxy:
    """Stands for the Powertools Logger; made on the first log line."""

    def __getattr__(self, name: str) -> Any:
        return getattr(_logger(), name)


class _Metrics:
    def add(self, name: str, value: float = 1) -> None:
        from aws_lambda_powertools.metrics import MetricUnit

        if value:
            _metrics().add_metric(name=name, unit=MetricUnit.Count, value=value)

    def milliseconds(self, name: str, value: float) -> None:
        from aws_lambda_powertools.metrics import MetricUnit

        _metrics().add_metric(name=name, unit=MetricUnit.Milliseconds, value=value)

    def flush(self) -> None:
        _metrics().flush_metrics(raise_on_empty_metrics=False)


logger: Logger = _LoggerProxy()  # type: ignore[assignment]
metrics = _Metrics()
