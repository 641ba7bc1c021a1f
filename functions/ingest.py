"""Thin Lambda handler: a file landed in the ingest bucket (S3 → EventBridge → here)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote_plus

from chalicelib.aws import s3
from chalicelib.config import check_deployed
from chalicelib.observability import logger, metrics
from chalicelib.services import ingest

check_deployed()  # missing configuration fails the cold start, not each event


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    detail = event["detail"]
    bucket = detail["bucket"]["name"]
    key = detail["object"]["key"]
    fingerprint = detail["object"].get("version-id") or detail["object"].get("etag") or ""
    try:
        body = s3().get_object(Bucket=bucket, Key=key)["Body"].read()
    except s3().exceptions.NoSuchKey:
        key = unquote_plus(key)  # some S3 notifications carry the key URL-encoded
        body = s3().get_object(Bucket=bucket, Key=key)["Body"].read()
    source = f"s3://{bucket}/{key}"
    received = event.get("time")
    now = datetime.fromisoformat(received.replace("Z", "+00:00")) if received else datetime.now(UTC)
    # A redelivery of the same object version gets the same report id: nothing doubles.
    report = ingest.ingest(body, source, ingest.report_id_for(source, fingerprint), now)
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
    metrics.flush()
    return {
        "report_id": report.report_id,
        "status": report.status,
        "accepted": report.accepted,
        "rejected": report.rejected,
    }
