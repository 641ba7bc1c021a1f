"""Ingest (R10): batches posted by operators and files dropped in the ingest bucket, through one
parser. Good rows are stored, bad rows reported; re-ingesting the same data changes nothing."""

from __future__ import annotations

import random
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime

from ..domain.access_points import AccessPoint
from ..domain.ingest import BatchError, ParsedBatch, RawBatch, RowError, check_header
from ..domain.ingest_json import collector_paused, decode_json
from ..domain.ingest_parse import parse
from ..domain.ingest_report import BatchOutcome, IngestReport
from ..domain.readings import DaySeries, merge, month_of
from ..domain.vocabulary import Energy
from ..observability import Metric, metrics
from ..render import history_csv
from ..store import access_points as access_points_store
from ..store import ingest_reports as ingest_reports_store
from ..store import leases as leases_store
from ..store import readings as readings_store
from . import webhooks

LEASE_SECONDS = 120
LEASE_WAIT_SECONDS = 60
RESOLUTIONS = {
    Energy.ELECTRICITY: ("quarter_hour", "day"),
    Energy.GAS: ("hour", "day"),
}


def decode(data: bytes) -> tuple[list[RawBatch], list[tuple[int, str, str]]]:
    """JSON batches or the history CSV, told apart by their first character."""
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if head in (b"{", b"["):
        return decode_json(data), []
    try:
        batches, row_errors = history_csv.read(data)
    except history_csv.CsvError as error:
        raise BatchError(str(error)) from error
    except (ValueError, OverflowError) as error:
        raise BatchError(f"The file cannot be read: {error}") from error
    return batches, [(e.row, e.field, e.message) for e in row_errors]


def ingest(data: bytes, source: str, report_id: str, now: datetime) -> IngestReport:
    report = IngestReport(report_id, source, now)
    try:
        batches, loose_rows = decode(data)
    except BatchError as error:
        report.file_error = str(error)
    else:
        if loose_rows:
            report.batches.append(
                BatchOutcome("", "", "", rows=len(loose_rows), accepted=0, rejected=len(loose_rows))
            )
            report.add_errors([RowError(*row) for row in loose_rows], "")
        for index, raw in enumerate(batches):
            prefix = f"batches[{index}]." if len(batches) > 1 else ""
            report.batches.append(_ingest_batch(raw, report, prefix, now))
    ingest_reports_store.save(report)
    metrics.add(Metric.INGEST_ROWS_ACCEPTED, report.accepted)
    metrics.add(Metric.INGEST_ROWS_REJECTED, report.rejected + (1 if report.file_error else 0))
    return report


def _ingest_batch(raw: RawBatch, report: IngestReport, prefix: str, now: datetime) -> BatchOutcome:
    outcome = BatchOutcome(
        raw.ean, raw.channel, raw.resolution, rows=len(raw.starts), accepted=0, rejected=0
    )
    try:
        check_header(raw)
        point = _check_against_registry(raw)
        with collector_paused():
            try:
                parsed = parse(raw, point.day_hour)
            except (ValueError, OverflowError) as error:
                # Whatever a file holds, it gets a report (and is not retried for ever).
                raise BatchError(f"The batch cannot be read: {error}") from error
        if raw.unit == "kWh" and point.energy is Energy.GAS:
            _kwh_to_m3(parsed)
        outcome.days_written, outcome.months_written = _store(parsed, now)
        if outcome.days_written or outcome.months_written:
            days = [*parsed.days, *parsed.daily]
            webhooks.data_available(
                raw.ean, raw.channel, min(days), max(days), report.report_id, now
            )
    except BatchError as error:  # the batch as a whole: nothing of it is stored
        outcome.error = str(error)
        outcome.rejected = outcome.rows
        return outcome
    outcome.accepted = parsed.accepted
    outcome.rejected = parsed.rows - parsed.accepted
    report.add_errors(parsed.errors, prefix)
    return outcome


def _check_against_registry(raw: RawBatch) -> AccessPoint:
    point = access_points_store.get(raw.ean)
    if point is None:
        raise BatchError(f"EAN {raw.ean} is not a registered access point")
    if raw.channel not in {channel.value for channel in point.channels}:
        raise BatchError(f"EAN {raw.ean} carries no {raw.channel} (R6)")
    if raw.resolution not in RESOLUTIONS[point.energy]:
        allowed = " or ".join(RESOLUTIONS[point.energy])
        raise BatchError(f"{point.energy.value} comes as {allowed}, not {raw.resolution}")
    if point.energy is Energy.ELECTRICITY and raw.unit != "kWh":
        raise BatchError("electricity comes in kWh")
    return point


def _kwh_to_m3(parsed: ParsedBatch) -> None:
    """Gas is kept in m³ as measured; kWh input is converted with the batch's factor."""
    factor = parsed.gas_factor or 0.0
    if not factor:
        raise BatchError("gas in kWh needs its conversion_factor (kWh per m³)")
    for series, _ in parsed.days.values():
        for index, value in enumerate(series.values):
            series.values[index] = round(value / factor)
    for day, (value, quality) in list(parsed.daily.items()):
        parsed.daily[day] = (round(value / factor), quality)


@contextmanager
def _series_lease(ean: str, channel: str) -> Iterator[None]:
    """One ingest at a time writes a meter's series: overlapping files wait their turn, so no
    reading is lost between a read and a write. A crashed holder's lease expires."""
    name, owner = f"ingest:{ean}#{channel}", uuid.uuid4().hex
    deadline = time.monotonic() + LEASE_WAIT_SECONDS
    while not leases_store.acquire(name, owner, datetime.now(UTC), LEASE_SECONDS):
        if time.monotonic() > deadline:
            raise BatchError("another ingest is writing this meter's data; try again later")
        time.sleep(random.uniform(0.02, 0.25))  # noqa: S311 - jitter, not a secret
    try:
        yield
    finally:
        leases_store.release(name, owner)


def _store(parsed: ParsedBatch, now: datetime) -> tuple[int, int]:
    """Merge into the stored days, then bring their months up to date."""
    ean, channel = parsed.ean, parsed.channel
    with _series_lease(ean, channel):
        merged: dict[date, DaySeries] = {}
        changed: list[DaySeries] = []
        if parsed.days:
            stored = readings_store.read_days(ean, channel, parsed.days, parsed.day_hour)
            for day, (incoming, given) in sorted(parsed.days.items()):
                series = stored.get(day) or DaySeries.empty(day, incoming.minutes, parsed.day_hour)
                if merge(series, incoming, given):
                    changed.append(series)
                merged[day] = series
            # Unchanged days are not written: their insert time stays what it was.
            readings_store.write_days(ean, channel, changed, now)
        # Every month the batch touches is brought up to date from the merged days, changed or
        # not: if an earlier attempt stored the days and then failed, its retry mends the month.
        months: dict[date, list[date]] = defaultdict(list)
        for day in sorted({*merged, *parsed.daily}):
            months[month_of(day)].append(day)
        months_written = 0
        for month, days in sorted(months.items()):
            if _update_month(ean, channel, month, days, merged, parsed, now):
                months_written += 1
    return len(changed), months_written


def _update_month(
    ean: str,
    channel: str,
    month: date,
    days: list[date],
    merged: dict[date, DaySeries],
    parsed: ParsedBatch,
    now: datetime,
) -> bool:
    series = readings_store.read_month(ean, channel, month)
    before = series.pack(), series.gas_factor
    for day in days:
        if day in merged:
            series.set_derived(merged[day])
        if day in parsed.daily:
            value, quality = parsed.daily[day]
            series.merge_direct(day, value, quality)
    if parsed.gas_factor is not None:
        series.gas_factor = parsed.gas_factor
    if (series.pack(), series.gas_factor) == before:
        return False
    readings_store.write_month(ean, channel, series, now)
    return True
