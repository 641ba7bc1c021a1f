"""The machine API's sandbox (/esco-sbx/v3): mock mandates an EDV makes for itself, and realistic
meter data generated for them, so EDV software can be built and tested before any customer
consents. Pure: nothing here reads live data, and the same EAN, moment and clock give the same
values every time.

Which meter an EAN stands for follows from its last data digits (the check digit aside): the
second-to-last digit odd means gas, even electricity; the third-to-last 5 or more means an AMR
meter, less a digital one. `541448860000000011` is a digital gas meter, `541448860000000028` a
digital electricity meter, `541448860000000509` an AMR electricity meter.

The data behaves as real data does: a household's load shape (and solar injection for a digital
electricity meter), gas heating in gas days (06:00 to 06:00), the daylight-saving days with their
92/100 quarter-hours and 23/25 hours, about one slot in 200 missing, and every value first stored
as an estimate an hour after its slot ends and validated two days later, which `insertTime`
windows show.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from .access_points import AccessPoint
from .brussels import BRUSSELS, brussels_date, day_end_utc, day_start_utc, slot_count
from .readings import Quality, is_day_tariff
from .vocabulary import Direction, Energy, MeterType

ESTIMATED_AFTER = timedelta(hours=1)
VALIDATED_AFTER = timedelta(days=2)
GAS_FACTOR = 11.1  # kWh per m³, as the market would send it
MISSING_ONE_IN = 200


def meter_of(ean: str) -> tuple[Energy, MeterType]:
    energy = Energy.GAS if int(ean[-2]) % 2 else Energy.ELECTRICITY
    meter_type = MeterType.AMR if int(ean[-3]) >= 5 else MeterType.DIGITAL
    return energy, meter_type


def access_point(ean: str) -> AccessPoint:
    energy, meter_type = meter_of(ean)
    both = energy is Energy.ELECTRICITY and meter_type is MeterType.DIGITAL
    return AccessPoint(
        ean=ean,
        energy=energy,
        meter_type=meter_type,
        direction=Direction.BOTH if both else Direction.OFFTAKE,
        address="Sandboxstraat 1, 9000 Gent",
        meter_number="SBX" + ean[-8:],
        tenures=(),
    )


@dataclass(frozen=True)
class Reading:
    start: datetime
    end: datetime
    values: dict[str, tuple[int, int]]  # channel -> (thousandths, Quality)
    inserted_at: datetime


def _noise(*parts: object) -> float:
    """A stable pseudo-random number in [0, 1) for the parts."""
    return zlib.crc32("|".join(map(str, parts)).encode()) / 2**32


def _missing(ean: str, start: datetime) -> bool:
    return zlib.crc32(f"{ean}|gap|{start.timestamp()}".encode()) % MISSING_ONE_IN == 0


def _values(point: AccessPoint, start: datetime, minutes: int) -> dict[str, int]:
    """Thousandths of kWh (electricity) or m³ (gas) per channel for the slot starting at start."""
    local = start.astimezone(BRUSSELS)
    hour = local.hour + local.minute / 60 + minutes / 120
    season = math.cos(2 * math.pi * (local.timetuple().tm_yday - 15) / 365)  # 1 in January
    jitter = 0.8 + 0.4 * _noise(point.ean, start.timestamp())
    if point.energy is Energy.GAS:
        heating = (0.9 if 6 <= hour < 22 else 0.3) * max(0.1, 0.6 + 0.5 * season)
        return {"offtake": round(1000 * heating * jitter * minutes / 60)}
    load = (
        0.05
        + 0.12 * math.exp(-((hour - 7.5) ** 2) / 1.5)
        + 0.22 * math.exp(-((hour - 19) ** 2) / 4)
    )
    load *= (1 + 0.3 * season) * jitter * minutes / 15
    if point.direction is not Direction.BOTH:
        return {"offtake": round(1000 * load)}
    daylight = max(0.0, math.cos(math.pi * (hour - 13.5) / (9 - 3 * season)))
    sun = 0.6 * daylight**2 * (1 - 0.5 * season) * (0.5 + _noise(point.ean, local.date()))
    sun *= minutes / 15
    return {
        "offtake": round(1000 * max(0.0, load - sun)),
        "injection": round(1000 * max(0.0, sun - load)),
    }


def _state(end: datetime, now: datetime) -> tuple[int, datetime] | None:
    """The quality of a slot's value as stored by `now`, and when that version was stored."""
    if now >= end + VALIDATED_AFTER:
        return Quality.VALIDATED, end + VALIDATED_AFTER
    if now >= end + ESTIMATED_AFTER:
        return Quality.ESTIMATED, end + ESTIMATED_AFTER
    return None


def fine_readings(
    point: AccessPoint, start: datetime, to: datetime, minutes: int, now: datetime
) -> Iterator[Reading]:
    """Every slot starting in [start, to) that has been stored by `now`, as it stands now."""
    step = timedelta(minutes=minutes)
    day = brussels_date(start, point.day_hour)
    while day_start_utc(day, point.day_hour) < to:
        base = day_start_utc(day, point.day_hour)
        for index in range(slot_count(day, minutes, point.day_hour)):
            slot = base + step * index
            if not start <= slot < to or _missing(point.ean, slot):
                continue
            state = _state(slot + step, now)
            if state is None:
                return
            quality, inserted = state
            values = {ch: (v, quality) for ch, v in _values(point, slot, minutes).items()}
            yield Reading(slot, slot + step, values, inserted)
        day += timedelta(days=1)


def day_readings(
    point: AccessPoint, first: date, end: date, minutes: int, now: datetime
) -> Iterator[tuple[Reading, dict[str, tuple[int, int]]]]:
    """Each (gas) day of [first, end) with anything stored by now: its totals per channel, and
    the day-tariff and night-tariff parts (digital electricity)."""
    day = first
    while day < end:
        start, stop = day_start_utc(day, point.day_hour), day_end_utc(day, point.day_hour)
        totals: dict[str, list[int]] = {}
        split: dict[str, list[int]] = {}
        qualities: list[int] = []
        inserted = start
        for reading in fine_readings(point, start, stop, minutes, now):
            inserted = max(inserted, reading.inserted_at)
            for channel, (value, slot_quality) in reading.values.items():
                totals.setdefault(channel, [0])[0] += value
                parts = split.setdefault(channel, [0, 0])
                parts[0 if is_day_tariff(reading.start) else 1] += value
                qualities.append(slot_quality)
        if qualities:
            count = slot_count(day, minutes, point.day_hour) * len(point.channels)
            quality: int = (
                Quality.VALIDATED
                if min(qualities) == Quality.VALIDATED and len(qualities) == count
                else Quality.ESTIMATED
            )
            values = {channel: (total[0], quality) for channel, total in totals.items()}
            yield (
                Reading(start, stop, values, inserted),
                {ch: (p[0], p[1]) for ch, p in split.items()},
            )
        day += timedelta(days=1)
