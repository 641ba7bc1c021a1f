"""The Brussels time grid (R14).

Dates are Europe/Brussels civil dates. A day runs from local midnight to the next local midnight,
so it lasts 23, 24 or 25 hours: 92, 96 or 100 quarter-hours. Slots are counted from the day's
start in UTC, never as `hour * 4 + minute // 15` of the local clock, which repeats or skips an hour
on the daylight-saving days.

Gas is counted in gas days, as the gas market counts them: gas day D runs from 06:00 on D to 06:00
on D + 1, Brussels time, so the gas day before a clock change (the Saturday) has 23 or 25 hours.
Every function takes the local hour a day begins at (`day_hour`: 0, or GAS_DAY_HOUR); 06:00
exists on every Brussels date, since the clocks change between 02:00 and 03:00.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

BRUSSELS = ZoneInfo("Europe/Brussels")
QUARTER_HOUR_MINUTES = 15
HOUR_MINUTES = 60
GAS_DAY_HOUR = 6


def add_years[Moment: (date, datetime)](moment: Moment, years: int) -> Moment:
    """The same calendar date (and wall-clock time) `years` on; 29 February becomes the 28th."""
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:
        return moment.replace(year=moment.year + years, day=28)


@lru_cache(maxsize=8192)
def day_start_utc(day: date, day_hour: int = 0) -> datetime:
    """The instant (UTC) at which a Brussels (gas) day begins. Midnight and 06:00 always exist."""
    return datetime.combine(day, time(day_hour), BRUSSELS).astimezone(UTC)


def day_end_utc(day: date, day_hour: int = 0) -> datetime:
    return day_start_utc(day + timedelta(days=1), day_hour)


@lru_cache(maxsize=8192)
def slot_count(day: date, minutes: int, day_hour: int = 0) -> int:
    """How many slots of `minutes` a Brussels date has (92/96/100 quarter-hours, 23/24/25 hours)."""
    length = day_end_utc(day, day_hour) - day_start_utc(day, day_hour)
    return length // timedelta(minutes=minutes)


def slot_start(day: date, index: int, minutes: int, day_hour: int = 0) -> datetime:
    """The start (UTC) of slot `index` of a Brussels date."""
    if not 0 <= index < slot_count(day, minutes, day_hour):
        raise ValueError(f"slot {index} does not exist on {day.isoformat()}")
    return day_start_utc(day, day_hour) + timedelta(minutes=minutes * index)


def brussels_date(instant: datetime, day_hour: int = 0) -> date:
    """The Brussels date (or gas day) an instant belongs to."""
    if instant.tzinfo is None:
        raise ValueError("instant must carry its UTC offset")
    local = instant.astimezone(BRUSSELS)
    return local.date() - timedelta(days=1) if local.hour < day_hour else local.date()


def slot_of(instant: datetime, minutes: int, day_hour: int = 0) -> tuple[date, int]:
    """The Brussels date and slot index that start at `instant`; it must lie on the grid."""
    day = brussels_date(instant, day_hour)
    offset = instant - day_start_utc(day, day_hour)
    step = timedelta(minutes=minutes)
    if offset % step:
        raise ValueError(f"{instant.isoformat()} is not on the {minutes}-minute grid")
    return day, offset // step


def local_iso(instant: datetime) -> str:
    """ISO 8601 in Brussels time with its offset, as timestamps leave the system."""
    return instant.astimezone(BRUSSELS).isoformat(timespec="seconds")


@lru_cache(maxsize=4096)
def slot_bounds_iso(day: date, minutes: int, day_hour: int = 0) -> tuple[str, ...]:
    """The ISO strings of every slot boundary of a day: slot i runs from [i] to [i+1]."""
    start = day_start_utc(day, day_hour)
    step = timedelta(minutes=minutes)
    count = slot_count(day, minutes, day_hour)
    return tuple(local_iso(start + step * index) for index in range(count + 1))


@lru_cache(maxsize=4096)
def slot_bounds_utc(day: date, minutes: int, day_hour: int = 0) -> tuple[str, ...]:
    """The same boundaries in UTC, as `2024-03-31T01:00:00Z`: written from the epoch seconds and a
    table of the day's minutes, which is many times faster than strftime per slot."""
    start = int(day_start_utc(day, day_hour).timestamp())
    step = minutes * 60
    bounds = []
    for index in range(slot_count(day, minutes, day_hour) + 1):
        days, seconds = divmod(start + step * index, 86400)
        bounds.append(_utc_date(days) + _CLOCK[seconds // 60])
    return tuple(bounds)


_CLOCK = tuple(f"T{minute // 60:02d}:{minute % 60:02d}:00Z" for minute in range(1440))


@lru_cache(maxsize=1024)
def _utc_date(days_since_epoch: int) -> str:
    return date.fromordinal(_EPOCH + days_since_epoch).isoformat()


_EPOCH = date(1970, 1, 1).toordinal()


def dates_between(start: date, end: date) -> list[date]:
    """The dates of the half-open range [start, end)."""
    return [start + timedelta(days=offset) for offset in range((end - start).days)]


# The dates and instants the system takes, on every face and in every file: enough for any
# meter's history and any mandate's future, and far from the calendar's ends, where date
# arithmetic (a day later, a time zone's offset) would overflow.
FIRST_SUPPORTED_DAY = date(2000, 1, 1)
LAST_SUPPORTED_DAY = date(2100, 12, 31)


def is_supported(value: date | datetime) -> bool:
    """Whether a date, or an instant's date in its own offset (no conversion that could
    overflow), lies in the supported years."""
    day = value.date() if isinstance(value, datetime) else value
    return FIRST_SUPPORTED_DAY <= day <= LAST_SUPPORTED_DAY


SUPPORTED_RANGE = f"{FIRST_SUPPORTED_DAY.year}-{LAST_SUPPORTED_DAY.year}"
