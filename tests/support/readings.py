"""Readings for tests: whole days of quarter-hours or hours with known values."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from chalicelib.domain.brussels import GAS_DAY_HOUR, HOUR_MINUTES, slot_bounds_iso


def day_readings(
    day: date,
    minutes: int = 15,
    value: Any = None,
    status: str = "validated",
    day_hour: int | None = None,
) -> list[dict[str, Any]]:
    """Slot i of the day gets value(i) (default: (i + 1) / 1000 kWh, all distinct). Hours are a
    gas day's (from 06:00) unless `day_hour` says otherwise."""
    if day_hour is None:
        day_hour = GAS_DAY_HOUR if minutes == HOUR_MINUTES else 0
    starts = slot_bounds_iso(day, minutes, day_hour)[:-1]
    make = (
        value
        if callable(value)
        else (lambda i: value)
        if value is not None
        else (lambda i: (i + 1) / 1000)
    )
    return [{"start": start, "value": make(i), "status": status} for i, start in enumerate(starts)]


def days_readings(first: date, end: date, minutes: int = 15, **kwargs: Any) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = []
    day = first
    while day < end:
        result += day_readings(day, minutes, **kwargs)
        day += timedelta(days=1)
    return result


def batch(
    ean: str,
    readings: list[dict[str, Any]],
    channel: str = "offtake",
    resolution: str = "quarter_hour",
    unit: str = "kWh",
    **extra: Any,
) -> dict[str, Any]:
    return {
        "ean": ean,
        "channel": channel,
        "resolution": resolution,
        "unit": unit,
        "readings": readings,
        **extra,
    }
