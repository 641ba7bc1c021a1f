"""Ingest reports: one per batch posted or file dropped, found by id or by day."""

from __future__ import annotations

from pynamodb.attributes import (
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.exceptions import DoesNotExist
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from ..config import table_name
from ..domain.brussels import brussels_date
from ..domain.ingest import RowError
from ..domain.ingest_report import BatchOutcome, IngestReport
from .base import Key, TableMeta, register, take_page


class ReportsByDay(GlobalSecondaryIndex["IngestReportItem"]):
    class Meta:
        index_name = "by_day"
        projection = AllProjection()

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
    )


def get(report_id: str) -> IngestReport | None:
    try:
        return _report(IngestReportItem.get(report_id))
    except DoesNotExist:
        return None


def page_of_day(day: str, limit: int, start: Key | None) -> tuple[list[IngestReport], Key | None]:
    query = IngestReportItem.by_day.query(
        day, scan_index_forward=False, last_evaluated_key=start, page_size=limit + 1
    )
    items, resume = take_page(query, limit)
    return [_report(item) for item in items], resume
