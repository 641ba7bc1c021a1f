"""What an ingest did with a batch or file: nothing is lost without a trace."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .ingest import MAX_ERRORS_LISTED, RowError


@dataclass
class BatchOutcome:
    ean: str
    channel: str
    resolution: str
    rows: int
    accepted: int
    rejected: int
    days_written: int = 0
    months_written: int = 0
    error: str | None = None  # the batch as a whole was refused


@dataclass
class IngestReport:
    report_id: str
    source: str  # "api" or "s3://bucket/key"
    received_at: datetime
    batches: list[BatchOutcome] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)  # listed up to MAX_ERRORS_LISTED
    errors_not_listed: int = 0
    file_error: str | None = None  # the file could not be read at all

    @property
    def rows(self) -> int:
        return sum(batch.rows for batch in self.batches)

    @property
    def accepted(self) -> int:
        return sum(batch.accepted for batch in self.batches)

    @property
    def rejected(self) -> int:
        return sum(batch.rejected for batch in self.batches)

    @property
    def status(self) -> str:
        if self.file_error or (self.rows and not self.accepted) or not self.batches:
            return "failed"
        return "partial" if self.rejected else "ok"

    def add_errors(self, errors: list[RowError], prefix: str) -> None:
        for error in errors:
            if len(self.errors) < MAX_ERRORS_LISTED:
                self.errors.append(RowError(error.row, f"{prefix}{error.field}", error.message))
            else:
                self.errors_not_listed += 1
