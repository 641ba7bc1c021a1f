"""Two years of plausible synthetic meter data for the demo meters, ingested through the same
parser and service as real data: a household load shape, solar injection by season, gas heating
by temperature, a bakery that bakes before dawn; a few estimated and missing values."""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from datetime import date, datetime, timedelta

import orjson

from chalicelib.domain.brussels import BRUSSELS, GAS_DAY_HOUR, slot_bounds_iso
from chalicelib.services import ingest

YEARS = 2


def _days(first: date, end: date) -> Iterator[date]:
    day = first
    while day < end:
        yield day
        day += timedelta(days=1)


def _local_hours(day: date, minutes: int, day_hour: int = 0) -> list[float]:
    """The local clock time (hours) at the middle of each slot of a Brussels (gas) day."""
    bounds = slot_bounds_iso(day, minutes, day_hour)
    result = []
    for start in bounds[:-1]:
        local = datetime.fromisoformat(start).astimezone(BRUSSELS)
        result.append(local.hour + local.minute / 60 + minutes / 120)
    return result


def _season(day: date) -> float:
    """1 at midsummer, -1 at midwinter."""
    return math.cos(2 * math.pi * (day.timetuple().tm_yday - 172) / 365.25)


def _temperature(day: date, noise: random.Random) -> float:
    return 10.5 + 7.5 * _season(day) + noise.gauss(0, 2.5)


def household(day: date, hour: float, noise: random.Random) -> float:
    """kWh per quarter-hour: base load, a morning and an evening peak, more in winter."""
    base = 0.05 + 0.02 * (1 - _season(day))
    morning = 0.12 * math.exp(-((hour - 7.5) ** 2) / 1.5)
    evening = 0.22 * math.exp(-((hour - 19.0) ** 2) / 4.0)
    weekend = 0.04 if day.weekday() >= 5 and 9 <= hour <= 17 else 0.0
    return max(0.0, (base + morning + evening + weekend) * noise.uniform(0.75, 1.3))


def solar(day: date, hour: float, peak_kw: float, noise: random.Random) -> float:
    """kWh per quarter-hour from panels: a bell around solar noon, longer and higher in summer."""
    half_day = 4.2 + 3.3 * (_season(day) + 1) / 2
    noon = 13.6 if day.timetuple().tm_yday in range(88, 300) else 12.6  # summer time shifts it
    if abs(hour - noon) >= half_day:
        return 0.0
    shape = math.cos(math.pi / 2 * (hour - noon) / half_day) ** 2
    clouds = noise.uniform(0.25, 1.0) if noise.random() < 0.4 else noise.uniform(0.8, 1.0)
    return peak_kw / 4 * (0.45 + 0.55 * (_season(day) + 1) / 2) * shape * clouds


def bakery(day: date, hour: float, noise: random.Random) -> float:
    """kWh per quarter-hour: ovens from 03:00 to 11:00 except Mondays, a shop until 18:00."""
    if day.weekday() == 0:
        return 0.4 * noise.uniform(0.8, 1.2)
    ovens = 9.0 if 3 <= hour < 11 else 0.0
    shop = 2.0 if 7 <= hour < 18 else 0.0
    return (0.6 + ovens + shop) * noise.uniform(0.85, 1.15)


def _status(noise: random.Random, day: date, today: date) -> str:
    """The last days are estimated until validated; on about one day in 40 the meter was not
    read and values are estimated; now and then a single value is missing."""
    if (today - day).days < 3 or hash((day.toordinal(), "estimated")) % 40 == 0:
        return "estimated"
    return "missing" if noise.random() < 0.0005 else "validated"


def _batch(
    ean: str,
    channel: str,
    resolution: str,
    unit: str,
    readings: list[dict[str, object]],
    factor: float | None = None,
) -> bytes:
    body: dict[str, object] = {
        "ean": ean,
        "channel": channel,
        "resolution": resolution,
        "unit": unit,
        "readings": readings,
    }
    if factor is not None:
        body["conversion_factor"] = factor
    return orjson.dumps(body)


def _electricity(
    first: date, end: date, today: date, shape: str, seed: int
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """Offtake and injection per quarter-hour: what the load takes beyond what the sun gives."""
    noise = random.Random(seed)
    offtake: list[dict[str, object]] = []
    injection: list[dict[str, object]] = []
    for day in _days(first, end):
        starts = slot_bounds_iso(day, 15)[:-1]
        for start, hour in zip(starts, _local_hours(day, 15), strict=True):
            load = household(day, hour, noise) if shape == "household" else bakery(day, hour, noise)
            sun = solar(day, hour, 4.0 if shape == "household" else 25.0, noise)
            status = _status(noise, day, today)
            net = load - sun
            for readings, value in ((offtake, max(net, 0.0)), (injection, max(-net, 0.0))):
                readings.append(
                    {
                        "start": start,
                        "value": None if status == "missing" else round(value, 3),
                        "status": status,
                    }
                )
    return offtake, injection


def _gas(
    meter_ean: str, first: date, end: date, today: date, m3_per_degree_day: float, seed: int
) -> list[bytes]:
    """Hourly m³ for heating by degree-days, with a monthly conversion factor."""
    noise = random.Random(seed)
    batches = []
    month = first.replace(day=1)
    while month < end:
        following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
        readings: list[dict[str, object]] = []
        for day in _days(max(month, first), min(following, end)):
            degree_day = max(0.0, 16.5 - _temperature(day, noise))
            starts = slot_bounds_iso(day, 60, GAS_DAY_HOUR)[:-1]  # gas days begin at 06:00
            hours = _local_hours(day, 60, GAS_DAY_HOUR)
            for start, hour in zip(starts, hours, strict=True):
                heating = 6 <= hour < 22
                share = (1.4 if heating else 0.35) / 24
                cooking = 0.05 if 11 <= hour < 13 or 17 <= hour < 19 else 0.0
                value = (degree_day * m3_per_degree_day * share + cooking) * noise.uniform(
                    0.85, 1.15
                )
                status = _status(noise, day, today)
                readings.append(
                    {
                        "start": start,
                        "value": None if status == "missing" else round(value, 3),
                        "status": status,
                    }
                )
        factor = round(11.1 + 0.25 * math.sin(month.month), 3)
        batches.append(_batch(meter_ean, "offtake", "hour", "m3", readings, factor))
        month = following
    return batches


def load(meters: dict[str, str], today: date, now: datetime) -> int:
    """meters: role -> EAN (karel, greet, bakery_offtake, bakery_injection, bakery_gas)."""
    first = date(today.year - YEARS, today.month, 1)
    batches: list[bytes] = []
    offtake, injection = _electricity(first, today, today, "household", 1)
    batches.append(_batch(meters["karel"], "offtake", "quarter_hour", "kWh", offtake))
    batches.append(_batch(meters["karel"], "injection", "quarter_hour", "kWh", injection))
    offtake, injection = _electricity(first, today, today, "bakery", 2)
    batches.append(_batch(meters["bakery_offtake"], "offtake", "quarter_hour", "kWh", offtake))
    batches.append(
        _batch(meters["bakery_injection"], "injection", "quarter_hour", "kWh", injection)
    )
    batches += _gas(meters["greet"], first, today, today, 0.55, 3)
    batches += _gas(meters["bakery_gas"], first, today, today, 2.8, 4)
    accepted = 0
    for index, body in enumerate(batches):
        report = ingest.ingest(body, "demo", f"demo-{index:03d}", now)
        accepted += report.accepted
    return accepted
