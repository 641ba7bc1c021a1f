"""Ingest (R10): batches posted by operators and files dropped in the ingest bucket, through one
parser. Good rows are stored, bad rows reported; re-ingesting the same data changes nothing."""

from __future__ import annotations

import random
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime

from ..domain.access_points import AccessPoint
from ..domain.ingest import (
    MAX_FILE_BYTES,
    TOO_LARGE,
    BatchError,
    ParsedBatch,
    RawBatch,
    RowError,
    check_header,
)
from ..domain.ingest_json import collector_paused, decode_json
from ..domain.ingest_parse import parse
from ..domain.ingest_report import BatchOutcome, IngestReport
from ..domain.readings import DaySeries, merge, month_of
from ..domain.vocabulary import Energy
from ..observability import Metric, metrics
from ..render import history_csv
from ..store import access_points as access_points_store
from ..store import ingest_reports as ingest_reports_store
from ..store import readings as readings_store
from ..store.readings import Stored
from . import webhooks

WORKERS = 8  # batches of a file at once
ATTEMPTS = 50  # conditional writes lost to overlapping ingests of the same series, then give up
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


def refuse_file(source: str, report_id: str, reason: str, now: datetime) -> IngestReport:
    """A file not read at all (too large): its report says why."""
    report = IngestReport(report_id, source, now, file_error=reason)
    ingest_reports_store.save(report)
    metrics.add(Metric.INGEST_ROWS_REJECTED, 1)
    return report


def ingest(data: bytes, source: str, report_id: str, now: datetime) -> IngestReport:
    report = IngestReport(report_id, source, now)
    try:
        if len(data) > MAX_FILE_BYTES:
            raise BatchError(TOO_LARGE)
        batches, loose_rows = decode(data)
    except BatchError as error:
        report.file_error = str(error)
    else:
        if loose_rows:
            report.add_batch(
                BatchOutcome("", "", "", rows=len(loose_rows), accepted=0, rejected=len(loose_rows))
            )
            report.add_errors([RowError(*row) for row in loose_rows], "")
        points = _Registry()
        stored = _in_parallel(lambda raw: _ingest_batch(raw, points, now), batches)
        written: dict[str, dict[str, tuple[date, date]]] = defaultdict(dict)
        for index, (outcome, errors, days) in enumerate(stored):
            report.add_batch(outcome)
            report.add_errors(errors, f"batches[{index}]." if len(batches) > 1 else "")
            if days:
                written[outcome.ean][outcome.channel] = days
        # One look-up of who may hear of an EAN's new data, for all its channels.
        _in_parallel(
            lambda item: webhooks.data_available(item[0], item[1], report_id, now),
            list(written.items()),
        )
    ingest_reports_store.save(report)
    metrics.add(Metric.INGEST_ROWS_ACCEPTED, report.accepted)
    metrics.add(Metric.INGEST_ROWS_REJECTED, report.rejected + (1 if report.file_error else 0))
    return report


def _in_parallel[Item, Result](work: Callable[[Item], Result], items: list[Item]) -> list[Result]:
    """In order, and several at once: ingest waits on DynamoDB far more than it computes, and
    Lambda bills the wait. A batch's series is its own (and races are settled by conditional
    writes), so batches do not wait for one another."""
    if len(items) <= 1:
        return [work(item) for item in items]
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return list(pool.map(work, items))


class _Registry:
    """The access points of one file, each read once (a meter's channels come as batches)."""

    def __init__(self) -> None:
        self._found: dict[str, AccessPoint | None] = {}

    def get(self, ean: str) -> AccessPoint | None:
        if ean not in self._found:
            self._found[ean] = access_points_store.get(ean)
        return self._found[ean]


def _ingest_batch(
    raw: RawBatch, points: _Registry, now: datetime
) -> tuple[BatchOutcome, list[RowError], tuple[date, date] | None]:
    """A batch's outcome, its row errors, and the days it wrote (None: nothing)."""
    outcome = BatchOutcome(
        raw.ean, raw.channel, raw.resolution, rows=len(raw.starts), accepted=0, rejected=0
    )
    try:
        check_header(raw)
        point = _check_against_registry(raw, points.get(raw.ean))
        with collector_paused():
            try:
                parsed = parse(raw, point.day_hour)
            except (ValueError, OverflowError) as error:
                # Whatever a file holds, it gets a report (and is not retried for ever).
                raise BatchError(f"The batch cannot be read: {error}") from error
        if raw.unit == "kWh" and point.energy is Energy.GAS:
            _kwh_to_m3(parsed)
        outcome.days_written, outcome.months_written = _store(parsed, now)
    except BatchError as error:  # the batch as a whole: nothing of it is stored
        outcome.error = str(error)
        outcome.rejected = outcome.rows
        return outcome, [], None
    outcome.accepted = parsed.accepted
    outcome.rejected = parsed.rows - parsed.accepted
    days = [*parsed.days, *parsed.daily]
    wrote = outcome.days_written or outcome.months_written
    return outcome, parsed.errors, (min(days), max(days)) if wrote else None


def _check_against_registry(raw: RawBatch, point: AccessPoint | None) -> AccessPoint:
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


def _store(parsed: ParsedBatch, now: datetime) -> tuple[int, int]:
    """Merge into the stored days, then bring their months up to date. Every write is conditional
    on the item being as read: when an overlapping ingest of the series came first, everything is
    read and merged again, so nothing is lost and nothing is locked (decision 0012)."""
    written: set[date] = set()
    for _ in range(ATTEMPTS):
        months_written = _try_store(parsed, written, now)
        if months_written is not None:
            return len(written), months_written
        time.sleep(random.uniform(0.01, 0.1))  # noqa: S311 - jitter, not a secret
    raise BatchError("other ingests kept writing this meter's data; try again later")


def _try_store(parsed: ParsedBatch, written: set[date], now: datetime) -> int | None:
    """One attempt: the months are read before the days, so a month replaced last was derived
    from days at least as new as any written before it. None if a write lost a race."""
    ean, channel = parsed.ean, parsed.channel
    by_month: dict[date, list[date]] = defaultdict(list)
    for day in sorted({*parsed.days, *parsed.daily}):
        by_month[month_of(day)].append(day)
    months = readings_store.read_months(ean, channel, list(by_month))
    stored = readings_store.read_days(ean, channel, parsed.days, parsed.day_hour)
    merged: dict[date, DaySeries] = {}
    for day, (incoming, given) in sorted(parsed.days.items()):
        found = stored.get(day)
        series = found.series if found else DaySeries.empty(day, incoming.minutes, parsed.day_hour)
        merged[day] = series
        if merge(series, incoming, given):  # unchanged days keep their insert time
            if not readings_store.write_day(
                ean, channel, Stored(series, found.version if found else None), now
            ):
                return None
            written.add(day)
    # Every month the batch touches is brought up to date, changed or not: if an earlier attempt
    # stored the days and then failed, its retry mends the month.
    months_written = 0
    for month, days in by_month.items():
        update = months[month]
        totals = update.series
        before = totals.pack(), totals.gas_factor
        for day in days:
            if day in merged:
                totals.set_derived(merged[day])
        derived = totals.pack()
        for day in days:
            if day in parsed.daily:
                totals.merge_direct(day, *parsed.daily[day])
        if parsed.gas_factor is not None:
            totals.gas_factor = parsed.gas_factor
        after = totals.pack(), totals.gas_factor
        if after == before:
            continue
        changed_itself = after != (derived, before[1])  # a daily reading or the gas factor
        if not readings_store.write_month(ean, channel, update, changed_itself, now):
            return None
        months_written += 1
    return months_written
