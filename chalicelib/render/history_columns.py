"""The portal's history CSV rows (the layout of render/history_csv.py), built column by column in
Arrow for the export job: a year of quarter-hours on two channels is 70,000 rows and one EDV's
export a thousand of those, too many for a Python loop per row. Each register's rows are whole
lines joined element-wise, so the lines of one interval join into one string and the text of the
array's buffer is the file. The same bytes as history_csv.write (tests hold them equal); only the
export function imports this, the one with pyarrow in its bundle."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from ..domain.readings import Quality
from ..domain.volumes import ChannelSeries
from .csv_cells import text_cell
from .history_csv import ACTIVE, BOM, LAYOUTS, UNIT_KWH, UNIT_M3, Export, Layout, header

LINE_END = "\r\n"


def head(energy: str, lang: str = "nl") -> bytes:
    """The first line of the file: the byte-order mark and the header."""
    return (BOM + header(energy, lang) + LINE_END).encode("utf-8")


def rows(export: Export) -> bytes:
    """Every row of the export, without the header: one per interval and register, in the order
    history_csv.write gives them."""
    first = next(iter(export.channels.values()), None)
    if first is None or len(first) == 0:
        return b""
    layout = LAYOUTS[export.lang]
    intervals, day_tariff = _period(first, layout.date_format[2], export.fine)
    meter = (
        f'="{export.ean}"',
        text_cell(export.meter_number),
        layout.meter_types[export.meter_type],
    )
    lines = [
        pc.binary_join_element_wise(intervals, *meter, *cells, LINE_END, ";")
        for channel, series in export.channels.items()
        for cells in _registers(series, channel, export, layout, day_tariff)
    ]
    joined = lines[0] if len(lines) == 1 else pc.binary_join_element_wise(*lines, "")
    return _text(joined)


def _registers(
    series: ChannelSeries,
    channel: str,
    export: Export,
    layout: Layout,
    day_tariff: Any,
) -> list[list[Any]]:
    """The cells after the meter type of each register's rows: register, volume, unit, status
    (and for gas the calorific value's state)."""
    direction = layout.directions[channel]
    status = _status(series.qualities, export.meter_type == "digital", layout)
    missing = pc.equal(pa.array(series.qualities, pa.int8()), int(Quality.MISSING))

    def volume(values: list[int]) -> Any:
        return _volume(values, missing)

    if export.energy == "gas" and series.kwh_values is not None:
        final = pa.array(series.factor_final or [False] * len(series), pa.bool_())
        calorific = pc.if_else(final, layout.calorific[1], layout.calorific[0])
        m3 = [direction, volume(series.values), UNIT_M3, status, ""]
        kwh = [direction, volume(series.kwh_values), UNIT_KWH, status, calorific]
        return [m3, kwh] if layout.m3_first else [kwh, m3]
    if export.meter_type != "digital":
        return [[f"{direction} {ACTIVE[export.lang]}", volume(series.values), UNIT_KWH, status]]
    day, night = (f"{direction} {layout.tariffs[part]}" for part in ("day", "night"))
    if export.fine:
        register = pc.if_else(day_tariff, day, night)
        return [[register, volume(series.values), UNIT_KWH, status]]
    assert series.day_parts is not None and series.night_parts is not None
    return [
        [day, volume(series.day_parts), UNIT_KWH, status],
        [night, volume(series.night_parts), UNIT_KWH, status],
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


def _status(qualities: list[int], digital: bool, layout: Layout) -> Any:
    names = {
        Quality.MISSING: layout.missing,
        Quality.ESTIMATED: layout.estimated,
        Quality.VALIDATED: layout.read if digital else layout.validated,
    }
    words = pa.array([names[quality] for quality in sorted(Quality)], pa.string())
    return pc.take(words, pa.array(qualities, pa.int8()))


def _volume(thousandths: list[int], missing: Any) -> Any:
    """`1234` → `1,234`, `-5` → `-0,005`, empty where missing (history_csv._volume, by column)."""
    values = pa.array(thousandths, pa.int64())
    size = pc.abs(values)
    whole = pc.divide(size, 1000)
    fraction = pc.subtract(size, pc.multiply(whole, 1000))
    sign = pc.if_else(pc.less(values, 0), "-", "")
    text = pc.binary_join_element_wise(
        sign,
        pc.cast(whole, pa.string()),
        ",",
        pc.utf8_lpad(pc.cast(fraction, pa.string()), 3, "0"),
        "",
    )
    return pc.if_else(missing, "", text)


def _text(lines: Any) -> bytes:
    """The bytes of a string array whose elements are whole lines: its data buffer, up to the
    end of its last element."""
    offsets = memoryview(lines.buffers()[1]).cast("i")
    start, end = offsets[lines.offset], offsets[lines.offset + len(lines)]
    return bytes(lines.buffers()[2][start:end].to_pybytes())
