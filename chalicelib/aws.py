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


# S3 takes an object in parts of at least 5 MiB (but the last); 8 MiB keeps a job's memory flat.
PART_BYTES = 8 * 1024 * 1024


class Upload:
    """A file opened for writing on S3: what is written goes up in parts as it comes, so a file
    larger than the function's memory can be written (a thousand EANs' history is gigabytes).
    Counts its bytes and their SHA-256 on the way. A file under one part is one PutObject. As a
    context manager: completed on a clean exit, aborted on an error (the bucket's lifecycle
    rule removes the parts a killed function leaves)."""

    def __init__(self, bucket: str, key: str) -> None:
        import hashlib

        self.bucket, self.key = bucket, key
        self.size = 0
        self.sha256 = hashlib.sha256()
        self._buffer = bytearray()
        self._upload_id: str | None = None
        self._parts: list[dict[str, Any]] = []
        self.closed = False

    def write(self, data: bytes | bytearray | memoryview) -> int:
        self._buffer += data
        self.size += len(data)
        self.sha256.update(data)
        if len(self._buffer) >= PART_BYTES:
            self._send_part()
        return len(data)

    def tell(self) -> int:
        return self.size

    def flush(self) -> None:
        """Parts go up when they are full: a flush (pyarrow calls it) waits for that."""

    def _send_part(self) -> None:
        if self._upload_id is None:
            started = s3().create_multipart_upload(Bucket=self.bucket, Key=self.key)
            self._upload_id = started["UploadId"]
        number = len(self._parts) + 1
        sent = s3().upload_part(
            Bucket=self.bucket,
            Key=self.key,
            UploadId=self._upload_id,
            PartNumber=number,
            Body=bytes(self._buffer),
        )
        self._parts.append({"PartNumber": number, "ETag": sent["ETag"]})
        self._buffer.clear()

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        if self._upload_id is None:
            s3().put_object(Bucket=self.bucket, Key=self.key, Body=bytes(self._buffer))
            return
        if self._buffer:
            self._send_part()
        s3().complete_multipart_upload(
            Bucket=self.bucket,
            Key=self.key,
            UploadId=self._upload_id,
            MultipartUpload={"Parts": self._parts},
        )

    def abort(self) -> None:
        self.closed = True
        if self._upload_id is not None:
            s3().abort_multipart_upload(Bucket=self.bucket, Key=self.key, UploadId=self._upload_id)

    def __enter__(self) -> Upload:
        return self

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        if error is None:
            self.close()
        else:
            self.abort()
