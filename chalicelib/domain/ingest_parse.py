"""The one parser of both doors of ingest (the ops API and files in the ingest bucket): batches in,
the day series to store and a report of every row refused out. Pure: no I/O.

Rows are checked one by one; a bad row is reported with its number and never stored. The common
case (contiguous slots in our own timestamp format) is checked in bulk with numpy, which is what
makes the parser fast; anything else takes the careful path, row by row. Only the ingest function
imports this module (numpy is in its bundle, not the API's: infrastructure/bundles.py).
"""

from __future__ import annotations

from array import array
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np

from .brussels import (
    BRUSSELS,
    day_start_utc,
    is_supported,
    slot_bounds_iso,
    slot_count,
    slot_of,
)
from .ingest import (
    MAX_THOUSANDTHS,
    OUTSIDE_YEARS,
    STATUS_CODES,
    ParsedBatch,
    RawBatch,
    RowError,
    check_header,
)
from .readings import DaySeries, Quality


def parse(raw: RawBatch, day_hour: int = 0) -> ParsedBatch:
    """Check every row of a batch and pack the good ones into day series (gas days when
    `day_hour` is 6)."""
    check_header(raw)
    batch = ParsedBatch(
        raw.ean,
        raw.channel,
        raw.resolution,
        raw.unit,
        raw.conversion_factor,
        day_hour,
        rows=len(raw.starts),
    )
    thousandths, qualities = _values(raw, batch.errors)
    if batch.minutes is None:
        _pack_daily(raw, thousandths, qualities, batch)
    else:
        _pack_fine(raw, thousandths, qualities, batch, batch.minutes)
    return batch


def _values(raw: RawBatch, errors: list[RowError]) -> tuple[Any, Any]:
    """Thousandths (int32) and quality (uint8) per row, as numpy arrays; a refused row gets
    quality 255 and is not stored."""
    try:  # every status known: one C-level pass
        codes = bytes(map(STATUS_CODES.__getitem__, raw.statuses))  # type: ignore[arg-type]
        quality = np.frombuffer(codes, np.uint8)
        quality = quality.copy()
    except KeyError:
        slow = [STATUS_CODES.get(status, 255) for status in raw.statuses]  # type: ignore[arg-type]
        quality = np.array(slow, dtype=np.uint8)
    floats = np.array(raw.values, dtype=np.float64)  # None becomes NaN
    scaled = np.rint(floats * 1000)
    has_value = ~np.isnan(floats)
    bad = (
        (quality == 255)
        | (has_value & ((scaled < 0) | (scaled > MAX_THOUSANDTHS) | ~np.isfinite(floats)))
        | (~has_value & (quality != Quality.MISSING))
        | (has_value & (quality == Quality.MISSING))
    )
    for index in np.flatnonzero(bad).tolist():
        errors.append(RowError(raw.row(index), *_value_problem(raw, index)))
    quality[bad] = 255
    thousandths = np.where(has_value & ~bad, scaled, 0).astype("<i4")
    return thousandths, quality


def _value_problem(raw: RawBatch, index: int) -> tuple[str, str]:
    status, value = raw.statuses[index], raw.values[index]
    if status not in ("validated", "estimated", "missing"):
        return "status", "status must be validated, estimated or missing"
    if value is None:
        return "value", "a value is required unless the status is missing"
    if status == "missing":
        return "value", "a missing reading has no value (null)"
    return "value", "the value must be a finite number of at least 0 (and at most 2,147,483)"


def _pack_fine(
    raw: RawBatch,
    thousandths: Any,
    qualities: Any,
    batch: ParsedBatch,
    minutes: int,
) -> None:
    hour = batch.day_hour
    segments = _contiguous_segments(raw.starts, minutes, hour)
    if segments is None:
        _pack_row_by_row(raw, thousandths, qualities, batch, minutes)
        return
    refused = qualities == 255
    values = np.where(refused, 0, thousandths).astype("<i4")
    given_all = np.where(refused, 0, 1).astype(np.uint8)
    kept = np.where(refused, 0, qualities).astype(np.uint8)
    offset = 0
    for day, first, count in segments:
        end = offset + count
        if first == 0 and count == slot_count(day, minutes, hour):  # a whole day: no copying
            day_values = array("i")
            day_values.frombytes(values[offset:end].tobytes())
            day_qualities = bytearray(kept[offset:end].tobytes())
            series = DaySeries(day, minutes, day_values, day_qualities, day_hour=hour)
            given = bytearray(given_all[offset:end].tobytes())
        else:
            series = DaySeries.empty(day, minutes, hour)
            given = bytearray(len(series.qualities))
            series.values[first : first + count] = array("i", values[offset:end].tobytes())
            series.qualities[first : first + count] = kept[offset:end].tobytes()
            given[first : first + count] = given_all[offset:end].tobytes()
        batch.days[day] = (series, given)
        offset = end
    batch.accepted += len(raw.starts) - int(refused.sum())


def _pack_row_by_row(
    raw: RawBatch,
    thousandths: Any,
    qualities: Any,
    batch: ParsedBatch,
    minutes: int,
) -> None:
    values, kept = thousandths.tolist(), qualities.tolist()
    seen: set[tuple[date, int]] = set()
    hour = batch.day_hour
    for index, text in enumerate(raw.starts):
        position = _position(text, minutes, hour, raw.row(index), batch.errors)
        if position is None or kept[index] == 255:
            continue
        if position in seen:
            batch.errors.append(RowError(raw.row(index), "start", "this slot occurs twice"))
            continue
        seen.add(position)
        day, slot = position
        if day not in batch.days:
            given = bytearray(slot_count(day, minutes, hour))
            batch.days[day] = (DaySeries.empty(day, minutes, hour), given)
        series, given = batch.days[day]
        series.values[slot] = values[index]
        series.qualities[slot] = kept[index]
        given[slot] = 1
        batch.accepted += 1


def _contiguous_segments(
    starts: list[str], minutes: int, day_hour: int
) -> list[tuple[date, int, int]] | None:
    """The fast path: rows that are consecutive slots written as we write them, checked with one
    comparison of the whole list. (day, first slot, count) per day, or None."""
    if not starts:
        return []
    try:
        first = datetime.fromisoformat(starts[0])
        if first.tzinfo is None or not is_supported(first):
            return None  # the row-by-row path says what is wrong with it
        day, slot = slot_of(first, minutes, day_hour)
    except ValueError:
        return None
    expected: list[str] = []
    segments: list[tuple[date, int, int]] = []
    while len(expected) < len(starts):
        bounds = slot_bounds_iso(day, minutes, day_hour)
        take = min(len(bounds) - 1 - slot, len(starts) - len(expected))
        expected.extend(bounds[slot : slot + take])
        segments.append((day, slot, take))
        day, slot = day + timedelta(days=1), 0
    return segments if expected == starts else None


def _instant(text: str, number: int, errors: list[RowError], unreadable: str) -> datetime | None:
    """A row's start as an instant with its offset, in the supported years; else its error."""
    try:
        instant = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        errors.append(RowError(number, "start", unreadable))
        return None
    if instant.tzinfo is None:
        errors.append(RowError(number, "start", "start must carry its UTC offset"))
        return None
    if not is_supported(instant):
        errors.append(RowError(number, "start", OUTSIDE_YEARS))
        return None
    return instant


def _position(
    text: str, minutes: int, day_hour: int, number: int, errors: list[RowError]
) -> tuple[date, int] | None:
    instant = _instant(text, number, errors, "start must be an ISO 8601 timestamp")
    if instant is None:
        return None
    try:
        return slot_of(instant, minutes, day_hour)
    except ValueError:
        errors.append(RowError(number, "start", f"start is not on the {minutes}-minute grid"))
        return None


def _pack_daily(
    raw: RawBatch,
    thousandths: Any,
    qualities: Any,
    batch: ParsedBatch,
) -> None:
    values, kept = thousandths.tolist(), qualities.tolist()
    for index, text in enumerate(raw.starts):
        quality = kept[index]
        if quality == 255:
            continue
        day = _day_of(text, batch.day_hour, raw.row(index), batch.errors)
        if day is None:
            continue
        if day in batch.daily:
            batch.errors.append(RowError(raw.row(index), "start", "this day occurs twice"))
            continue
        batch.daily[day] = (values[index], Quality(quality))
        batch.accepted += 1


def _day_of(text: str, day_hour: int, number: int, errors: list[RowError]) -> date | None:
    """A daily reading starts when its day begins, Brussels time (or is given as a plain date).
    A gas day begins at 06:00; a gas reading stamped at the midnight of its date is taken as that
    gas day, as exports that write only the date mean it."""
    unreadable = "start must be a date or an ISO 8601 timestamp"
    if len(text) == 10:
        try:
            given = date.fromisoformat(text)
        except ValueError:
            errors.append(RowError(number, "start", unreadable))
            return None
        if is_supported(given):
            return given
        errors.append(RowError(number, "start", OUTSIDE_YEARS))
        return None
    instant = _instant(text, number, errors, unreadable)
    if instant is None:
        return None
    day = instant.astimezone(BRUSSELS).date()
    if instant == day_start_utc(day, day_hour) or instant == day_start_utc(day):
        return day
    begins = "06:00 (a gas day)" if day_hour else "midnight"
    errors.append(RowError(number, "start", f"a daily reading starts at {begins}, Brussels"))
    return None
