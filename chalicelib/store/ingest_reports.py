"""Ingest reports: one per batch posted or file dropped, found by id or by day."""

from __future__ import annotations

import json

from pynamodb.attributes import (
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.exceptions import DoesNotExist
from pynamodb.indexes import GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from ..config import table_name
from ..domain.brussels import brussels_date
from ..domain.ingest import RowError
from ..domain.ingest_report import BatchOutcome, IngestReport, Unlisted
from .base import Key, TableMeta, register, take_page


class ReportsByDay(GlobalSecondaryIndex["IngestReportItem"]):
    """Keys only: a report can be hundreds of KB, and a copy of each in the index would double
    what saving it costs; a day's list reads the reports by key."""

    class Meta:
        index_name = "by_day"
        projection = KeysOnlyProjection()

    day = UnicodeAttribute(hash_key=True)
    received_at = UTCDateTimeAttribute(range_key=True)


@register
class IngestReportItem(Model):
    class Meta(TableMeta):
        table_name = table_name("ingest_reports")

    report_id = UnicodeAttribute(hash_key=True)
    source = UnicodeAttribute()
    received_at = UTCDateTimeAttribute()
    day = UnicodeAttribute()
    status = UnicodeAttribute()
    rows = NumberAttribute()
    accepted = NumberAttribute()
    rejected = NumberAttribute()
    batches = JSONAttribute()
    errors = JSONAttribute()
    errors_not_listed = NumberAttribute()
    unlisted = JSONAttribute(null=True)  # totals of the batches not listed
    file_error = UnicodeAttribute(null=True)
    by_day = ReportsByDay()


def save(report: IngestReport) -> None:
    IngestReportItem(
        report.report_id,
        source=report.source,
        received_at=report.received_at,
        day=brussels_date(report.received_at).isoformat(),
        status=report.status,
        rows=report.rows,
        accepted=report.accepted,
        rejected=report.rejected,
        batches=[vars(batch) for batch in report.batches],
        errors=[vars(error) for error in report.errors],
        errors_not_listed=report.errors_not_listed,
        unlisted=vars(report.unlisted) if report.unlisted.batches else None,
        file_error=report.file_error,
    ).save()


def _report(item: IngestReportItem) -> IngestReport:
    return IngestReport(
        report_id=item.report_id,
        source=item.source,
        received_at=item.received_at,
        batches=[BatchOutcome(**batch) for batch in item.batches],
        errors=[RowError(**error) for error in item.errors],
        errors_not_listed=int(item.errors_not_listed),
        file_error=item.file_error,
        unlisted=Unlisted(**item.unlisted) if item.unlisted else Unlisted(),
    )


def get(report_id: str) -> IngestReport | None:
    try:
        return _report(IngestReportItem.get(report_id))
    except DoesNotExist:
        return None


def page_of_day(day: str, limit: int, start: Key | None) -> tuple[list[IngestReport], Key | None]:
    """Newest first, read by key from the index's keys; a page stops early at PAGE_BYTES of
    reports, so it always fits in one answer (a report may be hundreds of KB)."""
    query = IngestReportItem.by_day.query(
        day, scan_index_forward=False, last_evaluated_key=start, page_size=limit + 1
    )
    keys, resume = take_page(query, limit)
    found = {
        item.report_id: item for item in IngestReportItem.batch_get([k.report_id for k in keys])
    }
    page: list[IngestReport] = []
    size = 0
    for key in keys:
        item = found.get(key.report_id)
        if item is None:
            continue  # the index runs a moment ahead of a deletion; there are none, but still
        size += len(json.dumps(item.batches)) + len(json.dumps(item.errors))
        if page and size > PAGE_BYTES:
            return page, _index_key(page[-1])
        page.append(_report(item))
    return page, resume


PAGE_BYTES = 3_000_000


def _index_key(report: IngestReport) -> Key:
    """Where the day's list resumes after this report (the index's key and the table's)."""
    return {
        "report_id": {"S": report.report_id},
        "day": {"S": brussels_date(report.received_at).isoformat()},
        "received_at": {"S": IngestReportItem.received_at.serialize(report.received_at)},
    }
