"""The portal's history CSV rows (the layout of render/history_csv.py), built column by column in
Arrow for the export job: a year of quarter-hours on two channels is 70,000 rows and one EDV's
export a thousand of those, too many for a Python loop per row. Each register's rows are whole
lines joined element-wise, so the lines of one interval join into one string and the text of the
array's buffer is the file. The same bytes as history_csv.write (tests hold them equal); only the
export function imports this, the one with pyarrow in its bundle."""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from ..domain.readings import Quality
from ..domain.volumes import ChannelSeries
from .belgian_csv import BOM, LINE_END, text_cell
from .history_csv import ACTIVE, LAYOUTS, UNIT_KWH, UNIT_M3, Export, Layout, header


def head(energy: str, lang: str = "nl") -> bytes:
    """The first line of the file: the byte-order mark and the header."""
    return (BOM + header(energy, lang) + LINE_END).encode("utf-8")


def rows(export: Export, arrays: dict[str, SeriesArrays] | None = None) -> memoryview:
    """Every row of the export, without the header: one per interval and register, in the order
    history_csv.write gives them, as a view of Arrow's memory. `arrays`: each channel's values
    already in Arrow (the export job makes them once for its Parquet part too)."""
    first = next(iter(export.channels.values()), None)
    if first is None or len(first) == 0:
        return memoryview(b"")
    layout = LAYOUTS[export.lang]
    intervals, day_tariff = _period(first, layout.date_format[2], export.fine)
    meter = ";".join(
        (f'="{export.ean}"', text_cell(export.meter_number), layout.meter_types[export.meter_type])
    )
    # Four pieces a row, each with its own separators: the interval, the meter and register, the
    # volume (null where missing, written empty) and the unit, status and line end. The rows of
    # one interval (its registers and channels) join in the same pass: one string per interval.
    pieces = [
        piece
        for channel, series in export.channels.items()
        for register in _registers(
            series,
            (arrays or {}).get(channel) or series_arrays(series),
            f"{meter};{layout.directions[channel]}",
            export,
            layout,
            day_tariff,
        )
        for piece in (intervals, *register)
    ]
    return _text(pc.binary_join_element_wise(*pieces, "", null_handling="replace"))


@dataclass(frozen=True)
class SeriesArrays:
    """A channel's values and qualities in Arrow, made once from the series."""

    values: Any  # integer thousandths
    qualities: Any  # Quality
    missing: Any  # bool


def series_arrays(series: ChannelSeries) -> SeriesArrays:
    qualities = integers(series.qualities)
    missing = pc.equal(qualities, int(Quality.MISSING))
    return SeriesArrays(integers(series.values), qualities, missing)


PACKED = {"i": pa.int32(), "B": pa.uint8()}


def integers(numbers: Sequence[int]) -> Any:
    """An Arrow integer array: a fine series' packed values as their bytes (a copy of 140 kB for
    a year of quarter-hours, where reading 35,000 Python ints takes milliseconds), a list
    as int64."""
    if isinstance(numbers, array):
        buffer = pa.py_buffer(numbers.tobytes())
        return pa.Array.from_buffers(PACKED[numbers.typecode], len(numbers), [None, buffer])
    return pa.array(numbers, pa.int64())


def _registers(
    series: ChannelSeries,
    arrays: SeriesArrays,
    register: str,
    export: Export,
    layout: Layout,
    day_tariff: Any,
) -> list[tuple[Any, Any, Any]]:
    """Each register's rows as (meter and register, volume, unit and status and line end), the
    pieces after the interval; each piece of text ends, or begins, with its separator."""
    statuses = _statuses(export.meter_type == "digital", layout)

    def volume(values: Any) -> Any:
        return _volume(values, arrays.missing)

    def suffix(unit: str, extra: tuple[str, ...] = ()) -> Any:
        words = [";".join(("", unit, status, *extra, LINE_END)) for status in statuses]
        return pc.take(pa.array(words, pa.string()), arrays.qualities)

    if export.energy == "gas" and series.kwh_values is not None:
        final = pa.array(series.factor_final or [False] * len(series), pa.bool_()).cast(pa.int8())
        # The kWh row's status and calorific state: one word for each quality and state.
        words = [
            ";".join(("", UNIT_KWH, status, calorific, LINE_END))
            for status in statuses
            for calorific in layout.calorific
        ]
        index = pc.add(pc.multiply(arrays.qualities, 2), final)
        kwh_suffix = pc.take(pa.array(words, pa.string()), index)
        kwh_values = integers(series.kwh_values)
        m3 = (f"{register};", volume(arrays.values), suffix(UNIT_M3, ("",)))
        kwh = (f"{register};", volume(kwh_values), kwh_suffix)
        return [m3, kwh] if layout.m3_first else [kwh, m3]
    if export.meter_type != "digital":
        return [(f"{register} {ACTIVE[export.lang]};", volume(arrays.values), suffix(UNIT_KWH))]
    day, night = (f"{register} {layout.tariffs[part]};" for part in ("day", "night"))
    if export.fine:
        prefix = pc.if_else(day_tariff, day, night)
        return [(prefix, volume(arrays.values), suffix(UNIT_KWH))]
    assert series.day_parts is not None and series.night_parts is not None
    day_values, night_values = (integers(parts) for parts in (series.day_parts, series.night_parts))
    return [
        (day, volume(day_values), suffix(UNIT_KWH)),
        (night, volume(night_values), suffix(UNIT_KWH)),
    ]


def period_key(series: ChannelSeries, *more: object) -> tuple[object, ...]:
    """What tells one period's intervals from another's: series are contiguous, so their first
    and last bounds and their count (and the caller's resolution) say which they are."""
    return (series.starts[0], series.starts[-1], series.ends[-1], len(series), *more)


_PERIODS: dict[tuple[object, ...], tuple[Any, Any]] = {}


def _period(series: ChannelSeries, separator: str, fine: bool) -> tuple[Any, Any]:
    """The interval cells (from and until, date and time) and which are day tariff: the same for
    every EAN of an export of one period, so made once (a year of quarter-hours: 35,000)."""
    key = period_key(series, separator, fine)
    if key not in _PERIODS:
        if len(_PERIODS) >= 8:
            _PERIODS.clear()
        starts = pa.array(series.starts, pa.string())
        ends = pa.array(series.ends, pa.string())
        intervals = pc.binary_join_element_wise(
            _local_date(starts, separator),
            _local_time(starts),
            _local_date(ends, separator),
            _local_time(ends),
            "",  # and the separator after the last
            ";",
        )
        _PERIODS[key] = intervals, _day_tariff(starts) if fine else None
    return _PERIODS[key]


def _local_date(instants: Any, separator: str) -> Any:
    """`2025-03-30T02:00:00+02:00` → `30-03-2025`: our timestamps are local already."""
    day, month, year = (
        pc.utf8_slice_codeunits(instants, a, b) for a, b in ((8, 10), (5, 7), (0, 4))
    )
    return pc.binary_join_element_wise(day, month, year, separator)


def _local_time(instants: Any) -> Any:
    return pc.utf8_slice_codeunits(instants, 11, 19)


def _day_tariff(starts: Any) -> Any:
    """Weekdays from 07:00 to 22:00 local time (history_csv._is_day_tariff, by column)."""
    days = pc.strptime(pc.utf8_slice_codeunits(starts, 0, 10), "%Y-%m-%d", "s")
    hours = pc.cast(pc.utf8_slice_codeunits(starts, 11, 13), pa.int8())
    weekday = pc.less(pc.day_of_week(days), 5)
    return pc.and_(weekday, pc.and_(pc.greater_equal(hours, 7), pc.less(hours, 22)))


def _statuses(digital: bool, layout: Layout) -> list[str]:
    """The status word of each Quality, in its order (missing, estimated, validated)."""
    names = {
        Quality.MISSING: layout.missing,
        Quality.ESTIMATED: layout.estimated,
        Quality.VALIDATED: layout.read if digital else layout.validated,
    }
    return [names[quality] for quality in sorted(Quality)]


def _volume(thousandths: Any, missing: Any) -> Any:
    """`1234` → `1,234`, `-5` → `-0,005`, null where missing (history_csv._volume, by column).
    Volumes from 0 to 65.535 kWh (almost every quarter-hour and hour) are looked up."""
    low, high = pc.min_max(thousandths).values()
    common = _common_volumes()
    if low.as_py() >= 0 and high.as_py() < len(common):
        text = pc.take(common, thousandths)
    else:
        text = _volume_text(thousandths)
    return pc.if_else(missing, None, text)


@lru_cache(maxsize=1)
def _common_volumes() -> Any:
    return _volume_text(pa.array(range(1 << 16), pa.int32()))


def _volume_text(thousandths: Any) -> Any:
    """The digits, at least four, with a comma before the last three, and the sign."""
    size = pc.abs(thousandths.cast(pa.int64()))  # in 64 bits: int32's lowest has no opposite
    digits = pc.utf8_lpad(pc.cast(size, pa.string()), 4, "0")
    text = pc.utf8_replace_slice(digits, -3, -3, ",")
    if pc.any(pc.less(thousandths, 0)).as_py():
        text = pc.binary_join_element_wise(pc.if_else(pc.less(thousandths, 0), "-", ""), text, "")
    return text


def _text(lines: Any) -> memoryview:
    """The text of a string array whose elements are whole lines: its data buffer, up to the
    end of its last element, in place (a year of quarter-hours is 8 MB, not copied again)."""
    offsets = memoryview(lines.buffers()[1]).cast("i")
    start, end = offsets[lines.offset], offsets[lines.offset + len(lines)]
    return memoryview(lines.buffers()[2])[start:end]
