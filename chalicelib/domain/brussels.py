"""The Brussels time grid (R14).

Dates are Europe/Brussels civil dates. A day runs from local midnight to the next local midnight,
so it lasts 23, 24 or 25 hours: 92, 96 or 100 quarter-hours. Slots are counted from the day's
start in UTC, never as `hour * 4 + minute // 15` of the local clock, which repeats or skips an hour
on the daylight-saving days.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

BRUSSELS = ZoneInfo("Europe/Brussels")
QUARTER_HOUR_MINUTES = 15
HOUR_MINUTES = 60


@lru_cache(maxsize=8192)
def day_start_utc(day: date) -> datetime:
    """The instant (UTC) at which a Brussels date begins. Midnight always exists in Brussels."""
    return datetime.combine(day, time(0), BRUSSELS).astimezone(UTC)


def day_end_utc(day: date) -> datetime:
    return day_start_utc(day + timedelta(days=1))


def slot_count(day: date, minutes: int) -> int:
    """How many slots of `minutes` a Brussels date has (92/96/100 quarter-hours, 23/24/25 hours)."""
    return (day_end_utc(day) - day_start_utc(day)) // timedelta(minutes=minutes)


def slot_start(day: date, index: int, minutes: int) -> datetime:
    """The start (UTC) of slot `index` of a Brussels date."""
    if not 0 <= index < slot_count(day, minutes):
        raise ValueError(f"slot {index} does not exist on {day.isoformat()}")
    return day_start_utc(day) + timedelta(minutes=minutes * index)


def brussels_date(instant: datetime) -> date:
    """The Brussels civil date an instant belongs to."""
    if instant.tzinfo is None:
        raise ValueError("instant must carry its UTC offset")
    return instant.astimezone(BRUSSELS).date()


def slot_of(instant: datetime, minutes: int) -> tuple[date, int]:
    """The Brussels date and slot index that start at `instant`; it must lie on the grid."""
    day = brussels_date(instant)
    offset = instant - day_start_utc(day)
    step = timedelta(minutes=minutes)
    if offset % step:
        raise ValueError(f"{instant.isoformat()} is not on the {minutes}-minute grid")
    return day, offset // step


def local_iso(instant: datetime) -> str:
    """ISO 8601 in Brussels time with its offset, as timestamps leave the system."""
    return instant.astimezone(BRUSSELS).isoformat(timespec="seconds")


@lru_cache(maxsize=4096)
def slot_bounds_iso(day: date, minutes: int) -> tuple[str, ...]:
    """The ISO strings of every slot boundary of a day: slot i runs from [i] to [i+1]."""
    start = day_start_utc(day)
    step = timedelta(minutes=minutes)
    return tuple(local_iso(start + step * index) for index in range(slot_count(day, minutes) + 1))


def dates_between(start: date, end: date) -> list[date]:
    """The dates of the half-open range [start, end)."""
    return [start + timedelta(days=offset) for offset in range((end - start).days)]
