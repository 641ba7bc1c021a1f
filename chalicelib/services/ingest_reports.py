"""Ingest as the API sees it: an operator's batch handed to the ingest function, which holds the
one parser (numpy is in its bundle, not the API's: infrastructure/bundles.py), and the reports
ingest wrote."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import TYPE_CHECKING

from .. import invoke
from ..aws import s3
from ..config import settings
from ..domain.errors import DomainError, FieldError, retry_shortly
from ..domain.identifiers import is_shaped
from ..domain.ingest_report import IngestReport
from ..store import ingest_reports as ingest_reports_store

if TYPE_CHECKING:
    from ..store.base import Key

# Where a posted batch waits for the ingest function: the exports bucket, whose objects expire
# after a day; the function removes it once read.
UPLOAD_PREFIX = "ingest-uploads/"


def report_id_for(source: str, fingerprint: str) -> str:
    """The same file (same object version) gets the same report: a retried delivery overwrites
    its own report instead of adding another."""
    return hashlib.sha256(f"{source}|{fingerprint}".encode()).hexdigest()[:32]


def submit(body: bytes, request_id: str, now: datetime) -> IngestReport:
    """Ingest a posted batch, as the ingest function does a dropped file, and its report. Through
    S3: a 6 MB body is more than Lambda passes in an event once it is encoded. When no row could
    be stored, `validation_error` with the report's errors (and its id)."""
    report_id = report_id_for("api", request_id)
    key = f"{UPLOAD_PREFIX}{report_id}"
    s3().put_object(Bucket=settings().exports_bucket, Key=key, Body=body)
    event = {"upload": {"key": key, "report_id": report_id, "received_at": now.isoformat()}}
    if invoke.call("ingest", event).get("unavailable"):
        raise DomainError(
            "service_unavailable", "Ingest is busy; please try again.", headers=retry_shortly()
        )
    submitted = report(report_id)
    if submitted.status == "failed":
        raise DomainError(
            "validation_error",
            submitted.file_error
            or next((b.error for b in submitted.batches if b.error), None)
            or "No reading could be stored.",
            errors=[FieldError(f"row {e.row}: {e.field}", e.message) for e in submitted.errors],
            extra={"report_id": submitted.report_id},
        )
    return submitted


def report(report_id: str) -> IngestReport:
    found = ingest_reports_store.get(report_id) if is_shaped("ingest_report", report_id) else None
    if found is None:
        raise DomainError("not_found", "There is no such ingest report.")
    return found


def reports_of_day(
    day: str, limit: int, start: Key | None
) -> tuple[list[IngestReport], Key | None]:
    return ingest_reports_store.page_of_day(day, limit, start)
