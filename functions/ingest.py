"""Thin Lambda handler for ingest, through one parser:
- a file landed in the ingest bucket (S3 → EventBridge → here);
- a batch an operator posted to the API, staged by it in the exports bucket and handed over by a
  synchronous invocation (`{"upload": …}`, chalicelib/services/ingest_reports.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote_plus

from chalicelib.aws import is_transient, s3
from chalicelib.config import check_deployed, settings
from chalicelib.domain.ingest import MAX_FILE_BYTES, TOO_LARGE
from chalicelib.observability import logger, metrics
from chalicelib.services import ingest
from chalicelib.services.ingest_reports import UPLOAD_PREFIX, report_id_for

check_deployed()  # missing configuration fails the cold start, not each event


@metrics.handler
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return _upload(event["upload"]) if "upload" in event else _file(event["detail"], event)


def _file(detail: dict[str, Any], event: dict[str, Any]) -> dict[str, Any]:
    bucket = detail["bucket"]["name"]
    key = detail["object"]["key"]
    fingerprint = detail["object"].get("version-id") or detail["object"].get("etag") or ""
    try:
        found = s3().get_object(Bucket=bucket, Key=key)
    except s3().exceptions.NoSuchKey:
        key = unquote_plus(key)  # some S3 notifications carry the key URL-encoded
        found = s3().get_object(Bucket=bucket, Key=key)
    source = f"s3://{bucket}/{key}"
    received = event.get("time")
    now = datetime.fromisoformat(received.replace("Z", "+00:00")) if received else datetime.now(UTC)
    # A redelivery of the same object version gets the same report id: nothing doubles.
    report_id = report_id_for(source, fingerprint)
    if found["ContentLength"] > MAX_FILE_BYTES:  # refused before it is read into memory
        report = ingest.refuse_file(source, report_id, TOO_LARGE, now)
    else:
        report = ingest.ingest(found["Body"].read(), source, report_id, now)
    logger.info(
        "file ingested",
        extra={
            "report_id": report.report_id,
            "status": report.status,
            "rows": report.rows,
            "accepted": report.accepted,
            "rejected": report.rejected,
        },
    )
    return {
        "report_id": report.report_id,
        "status": report.status,
        "accepted": report.accepted,
        "rejected": report.rejected,
    }


def _upload(upload: dict[str, str]) -> dict[str, Any]:
    """The API waits for this answer; a throttle or outage says so (the API answers 503), where
    an unhandled error would look like our fault."""
    key = upload["key"]
    if not key.startswith(UPLOAD_PREFIX):
        raise ValueError(f"not an ingest upload: {key!r}")
    bucket = settings().exports_bucket
    try:
        body = s3().get_object(Bucket=bucket, Key=key)["Body"].read()
        now = datetime.fromisoformat(upload["received_at"])
        report = ingest.ingest(body, "api", upload["report_id"], now)
        s3().delete_object(Bucket=bucket, Key=key)
    except Exception as error:
        if not is_transient(error):
            raise
        logger.warning(
            "ingest unavailable", extra={"report_id": upload["report_id"]}, exc_info=True
        )
        return {"unavailable": True}
    return {"report_id": report.report_id, "status": report.status}
