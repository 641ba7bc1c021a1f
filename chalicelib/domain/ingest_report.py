"""What an ingest did with a batch or file: nothing is lost without a trace."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from .ingest import MAX_ERRORS_LISTED, RowError

# A report is one DynamoDB item (at most 400 KB), whatever the file: it lists up to this many
# batches and row errors, and up to LISTED_BYTES of each as stored (JSON, non-ASCII escaped), each
# message cut to MESSAGE_CHARS, and counts the rest. Its totals are exact.
MAX_BATCHES_LISTED = 500
LISTED_BYTES = 150_000
MESSAGE_CHARS = 300


def stored_size(entry: object) -> int:
    return len(json.dumps(vars(entry)))


def _cut(message: str) -> str:
    return message if len(message) <= MESSAGE_CHARS else message[: MESSAGE_CHARS - 1] + "…"


@dataclass
class Unlisted:
    """What the batches beyond those listed held."""

    batches: int = 0
    rows: int = 0
    accepted: int = 0
    rejected: int = 0


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
    unlisted: Unlisted = field(default_factory=Unlisted)  # batches beyond MAX_BATCHES_LISTED
    _batch_bytes: int = field(default=0, repr=False, compare=False)
    _error_bytes: int = field(default=0, repr=False, compare=False)

    @property
    def rows(self) -> int:
        return sum(batch.rows for batch in self.batches) + self.unlisted.rows

    @property
    def accepted(self) -> int:
        return sum(batch.accepted for batch in self.batches) + self.unlisted.accepted

    @property
    def rejected(self) -> int:
        return sum(batch.rejected for batch in self.batches) + self.unlisted.rejected

    @property
    def batch_count(self) -> int:
        return len(self.batches) + self.unlisted.batches

    @property
    def status(self) -> str:
        if self.file_error or (self.rows and not self.accepted) or not self.batch_count:
            return "failed"
        return "partial" if self.rejected else "ok"

    def add_batch(self, outcome: BatchOutcome) -> None:
        if outcome.error:
            outcome.error = _cut(outcome.error)
        size = stored_size(outcome)
        if len(self.batches) < MAX_BATCHES_LISTED and self._batch_bytes + size <= LISTED_BYTES:
            self._batch_bytes += size
            self.batches.append(outcome)
            return
        self.unlisted.batches += 1
        self.unlisted.rows += outcome.rows
        self.unlisted.accepted += outcome.accepted
        self.unlisted.rejected += outcome.rejected

    def add_errors(self, errors: list[RowError], prefix: str) -> None:
        for error in errors:
            listed = RowError(error.row, _cut(f"{prefix}{error.field}"), _cut(error.message))
            size = stored_size(listed) if len(self.errors) < MAX_ERRORS_LISTED else LISTED_BYTES
            if self._error_bytes + size <= LISTED_BYTES:
                self._error_bytes += size
                self.errors.append(listed)
            else:
                self.errors_not_listed += 1
