"""boto3 clients, made once per process. boto3 is imported on first use: most requests never
touch S3, and Lambda cold starts should not pay for it."""

from __future__ import annotations

from functools import cache
from typing import Any

from .config import settings


@cache
def s3() -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        region_name=settings().region,
        config=Config(signature_version="s3v4", retries={"mode": "standard"}),
    )


# AWS answers that mean "not now" rather than "never": the caller may simply try again.
TRANSIENT_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "Throttling",
        "ThrottlingError",  # a transaction's cancellation reason
        "TooManyRequestsException",  # Lambda's, invoking the rendering or ingest function
        "RequestLimitExceeded",
        "TransactionConflict",
        "TransactionInProgressException",
        "InternalServerError",
        "InternalError",
        "ServiceUnavailable",
        "SlowDown",
        "RequestTimeout",
    }
)
TRANSIENT_TRANSPORT = frozenset(
    {
        "EndpointConnectionError",
        "ConnectTimeoutError",
        "ReadTimeoutError",
        "ConnectionClosedError",
    }
)


def _codes(error: BaseException) -> set[str]:
    codes = set()
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        codes.add(str(response.get("Error", {}).get("Code", "")))
    cause_code = getattr(error, "cause_response_code", None)  # PynamoDB wraps botocore's
    if cause_code:
        codes.add(str(cause_code))
    for reason in getattr(error, "cancellation_reasons", None) or ():
        if reason is not None:
            codes.add(str(getattr(reason, "code", "")))
    return codes


def is_transient(error: BaseException) -> bool:
    """A throttle, a conflict or an outage of an AWS service, here or anywhere in the cause
    chain: worth a 503 with Retry-After (or a Lambda retry), not a 500."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if type(current).__name__ in TRANSIENT_TRANSPORT or _codes(current) & TRANSIENT_CODES:
            return True
        current = current.__cause__ or current.__context__
    return False
