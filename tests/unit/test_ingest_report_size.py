"""An ingest report is one DynamoDB item, so it must stay under 400 KB whatever the file holds:
the worst report the rules allow (every listed batch refused with the longest message, every
listed row error as long as it may be) is measured as the store writes it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib.domain.ingest import MAX_ERRORS_LISTED, RowError
from chalicelib.domain.ingest_report import (
    MAX_BATCHES_LISTED,
    MESSAGE_CHARS,
    BatchOutcome,
    IngestReport,
)
from chalicelib.limits import DYNAMODB_ITEM_BYTES
from chalicelib.store.ingest_reports import IngestReportItem, save
from tests.support.counting import item_bytes


def test_the_largest_report_fits_in_one_item() -> None:
    report = IngestReport("r" * 32, "s3://" + "b" * 63 + "/" + "k" * 1024, datetime.now(UTC))
    long = "é" * 10_000  # two bytes each in UTF-8, cut to MESSAGE_CHARS
    for _ in range(MAX_BATCHES_LISTED + 1_000):
        outcome = BatchOutcome("5" * 18, "injection", "quarter_hour", 10**9, 0, 10**9, error=long)
        report.add_batch(outcome)
    report.add_errors(
        [RowError(10**9, long, long) for _ in range(MAX_ERRORS_LISTED + 10)], "x" * 40
    )
    assert 0 < len(report.batches) <= MAX_BATCHES_LISTED
    assert len(report.batches) + report.unlisted.batches == MAX_BATCHES_LISTED + 1_000
    assert report.errors and len(report.errors) + report.errors_not_listed == MAX_ERRORS_LISTED + 10
    assert all(len(b.error or "") <= MESSAGE_CHARS for b in report.batches)
    assert report.rows == (MAX_BATCHES_LISTED + 1_000) * 10**9
    written: list[IngestReportItem] = []
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(IngestReportItem, "save", lambda item, *a, **k: written.append(item))
        save(report)
    (item,) = written
    serialised = item.serialize()
    assert item_bytes(serialised) < DYNAMODB_ITEM_BYTES
