"""Meter readings as stored: one record per (EAN, channel, Brussels day) with the day's values
packed, and one per month with its daily values and peaks (R10, R14).

Volumes are integers in thousandths of the unit (Wh for electricity, litres for gas in m³), so
sums are exact. A status per value: missing, estimated or validated. A missing value is never
invented: it has no volume, only its status.
"""

from __future__ import annotations

import sys
import zlib
from array import array
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import IntEnum

from .brussels import BRUSSELS, day_start_utc, slot_count

assert sys.byteorder == "little", "packed readings are little-endian"

QUARTER_HOUR, HOUR = 15, 60
DEFAULT_GAS_FACTOR = 11.0  # kWh per m³ when the market did not send this month's factor


class Quality(IntEnum):
    """Ordered: an aggregate is as good as its worst part."""

    MISSING = 0
    ESTIMATED = 1
    VALIDATED = 2


QUALITY_NAMES = {
    Quality.MISSING: "missing",
    Quality.ESTIMATED: "estimated",
    Quality.VALIDATED: "validated",
}
QUALITY_BY_NAME = {name: quality for quality, name in QUALITY_NAMES.items()}


@dataclass
class DaySeries:
    """One Brussels day of one channel at quarter-hour or hour resolution."""

    day: date
    minutes: int
    values: array[int]  # int32 thousandths per slot; 0 where missing
    qualities: bytearray  # Quality per slot
    updated_at: datetime | None = None
    day_hour: int = 0  # the local hour the day begins at: 6 for a gas day (R14)

    @staticmethod
    def empty(day: date, minutes: int, day_hour: int = 0) -> DaySeries:
        count = slot_count(day, minutes, day_hour)
        values = array("i", bytes(4 * count))
        return DaySeries(day, minutes, values, bytearray(count), day_hour=day_hour)

    def pack(self) -> bytes:
        return zlib.compress(self.values.tobytes() + bytes(self.qualities), 1)

    @staticmethod
    def unpack(
        day: date, blob: bytes, updated_at: datetime | None = None, day_hour: int = 0
    ) -> DaySeries:
        """The day's values; the resolution follows from their number (92-100 or 23-25)."""
        raw = zlib.decompress(blob)
        count = len(raw) // 5
        minutes = QUARTER_HOUR if count > 30 else HOUR
        values = array("i")
        values.frombytes(raw[: 4 * count])
        qualities = bytearray(raw[4 * count :])
        return DaySeries(day, minutes, values, qualities, updated_at, day_hour)

    @property
    def present(self) -> int:
        return sum(1 for quality in self.qualities if quality)

    @property
    def total(self) -> int:
        return sum(self.values)

    @property
    def quality(self) -> Quality:
        """Validated only if every slot is; missing only if none is present."""
        return summarise(self.qualities)

    def tariff_split(self) -> tuple[int, int]:
        """(day-tariff part, night-tariff part) of the volume, by the Flemish tariff periods."""
        day_part = night_part = 0
        start = day_start_utc(self.day, self.day_hour)
        step = timedelta(minutes=self.minutes)
        for index, value in enumerate(self.values):
            if is_day_tariff(start + step * index):
                day_part += value
            else:
                night_part += value
        return day_part, night_part

    def peak(self) -> tuple[int, int]:
        """(highest value, its slot); (-1, -1) when nothing is present."""
        best, best_index = -1, -1
        for index, value in enumerate(self.values):
            if self.qualities[index] and value > best:
                best, best_index = value, index
        return best, best_index


def summarise(qualities: bytes | bytearray) -> Quality:
    if not qualities:
        return Quality.MISSING
    lowest, highest = min(qualities), max(qualities)
    if highest == Quality.MISSING:
        return Quality.MISSING
    if lowest == Quality.VALIDATED:
        return Quality.VALIDATED
    return Quality.ESTIMATED  # some estimated, or incomplete


def is_day_tariff(instant: datetime) -> bool:
    """Flemish day tariff: Monday to Friday, 07:00 to 22:00 local time; the rest is night."""
    local = instant.astimezone(BRUSSELS)
    return local.weekday() < 5 and 7 <= local.hour < 22


@dataclass
class MonthSeries:
    """The daily values of one month of one channel, and each day's peak.

    A day's volume comes from its quarter-hours or hours when there are any ("derived"), else
    from a daily reading ("direct"), whatever order they arrived in.
    """

    month: date  # the first of the month
    direct: array[int] = field(default_factory=lambda: array("q"))
    direct_quality: bytearray = field(default_factory=bytearray)
    derived: array[int] = field(default_factory=lambda: array("q"))
    derived_quality: bytearray = field(default_factory=bytearray)
    day_part: array[int] = field(default_factory=lambda: array("q"))
    night_part: array[int] = field(default_factory=lambda: array("q"))
    peak: array[int] = field(default_factory=lambda: array("i"))
    peak_slot: array[int] = field(default_factory=lambda: array("h"))
    gas_factor: float = DEFAULT_GAS_FACTOR
    updated_at: datetime | None = None

    @staticmethod
    def empty(month: date) -> MonthSeries:
        days = days_in_month(month)
        return MonthSeries(
            month=month,
            direct=array("q", bytes(8 * days)),
            direct_quality=bytearray(days),
            derived=array("q", bytes(8 * days)),
            derived_quality=bytearray(days),
            day_part=array("q", bytes(8 * days)),
            night_part=array("q", bytes(8 * days)),
            peak=array("i", [-1] * days),
            peak_slot=array("h", [-1] * days),
        )

    def pack(self) -> bytes:
        parts = [
            self.direct.tobytes(),
            bytes(self.direct_quality),
            self.derived.tobytes(),
            bytes(self.derived_quality),
            self.day_part.tobytes(),
            self.night_part.tobytes(),
            self.peak.tobytes(),
            self.peak_slot.tobytes(),
        ]
        return zlib.compress(b"".join(parts), 1)

    @staticmethod
    def unpack(
        month: date, blob: bytes, gas_factor: float, updated_at: datetime | None
    ) -> MonthSeries:
        raw = memoryview(zlib.decompress(blob))
        days = days_in_month(month)
        series = MonthSeries(month=month, gas_factor=gas_factor, updated_at=updated_at)
        offset = 0

        def take(typecode: str, width: int) -> array[int]:
            nonlocal offset
            values = array(typecode)
            values.frombytes(raw[offset : offset + width * days])
            offset += width * days
            return values

        def take_bytes() -> bytearray:
            nonlocal offset
            chunk = bytearray(raw[offset : offset + days])
            offset += days
            return chunk

        series.direct = take("q", 8)
        series.direct_quality = take_bytes()
        series.derived = take("q", 8)
        series.derived_quality = take_bytes()
        series.day_part = take("q", 8)
        series.night_part = take("q", 8)
        series.peak = take("i", 4)
        series.peak_slot = take("h", 2)
        return series

    def set_derived(self, series: DaySeries) -> None:
        index = series.day.day - 1
        quality = series.quality
        self.derived_quality[index] = quality
        self.derived[index] = series.total if quality else 0
        day_part, night_part = series.tariff_split() if quality else (0, 0)
        self.day_part[index], self.night_part[index] = day_part, night_part
        peak, slot = series.peak()
        self.peak[index], self.peak_slot[index] = peak, slot

    def merge_direct(self, day: date, value: int, quality: Quality) -> None:
        """A daily reading, by the same rule as `merge`: an estimate never overwrites a validated
        value and a missing reading erases nothing."""
        index = day.day - 1
        old = self.direct_quality[index]
        if quality == Quality.MISSING or (
            old == Quality.VALIDATED and quality != Quality.VALIDATED
        ):
            return
        self.direct[index] = value
        self.direct_quality[index] = quality

    def day_value(self, day: date) -> tuple[int, Quality, bool]:
        """(volume, quality, whether it came from quarter-hours/hours)."""
        index = day.day - 1
        if self.derived_quality[index]:
            return self.derived[index], Quality(self.derived_quality[index]), True
        return self.direct[index], Quality(self.direct_quality[index]), False


def days_in_month(month: date) -> int:
    following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return (following - month.replace(day=1)).days


def month_of(day: date) -> date:
    return day.replace(day=1)


def merge(existing: DaySeries, incoming: DaySeries, given: bytearray) -> int:
    """Apply `incoming` where it has a value (`given` marks its slots); newer replaces older,
    except that an estimate never overwrites a validated value and a missing row erases nothing.
    Returns how many slots changed."""
    changed = 0
    for index, was_given in enumerate(given):
        if not was_given:
            continue
        quality = incoming.qualities[index]
        if quality == Quality.MISSING:
            continue
        old_quality = existing.qualities[index]
        if old_quality == Quality.VALIDATED and quality != Quality.VALIDATED:
            continue
        value = incoming.values[index]
        if old_quality != quality or existing.values[index] != value:
            existing.qualities[index] = quality
            existing.values[index] = value
            changed += 1
    return changed
