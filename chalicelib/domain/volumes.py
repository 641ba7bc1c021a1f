"""Volumes as served (R9-R11, R14): the points of a range at a resolution, from stored days and
months. Pure: the stored series come in, the points go out.

Fine resolutions (quarter-hour, hour) come from the day series; hour from quarter-hours sums four
consecutive slots (a Brussels day of 92 or 100 quarter-hours has 23 or 25 hours). Day, week
(ISO, Monday to Monday), month and year come from the month series. Gas is counted in gas days
(06:00 to 06:00), so its hours, days and coarser points begin at 06:00 (R14). A point over a
period at the edge of the served range covers only its part inside the range, so the points
always add up to the served total. A coarse point is validated only if all of it is, missing
only if none of it is present; otherwise estimated (a partial sum, never filled in).
"""

from __future__ import annotations

from array import array
from collections.abc import MutableSequence, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import lru_cache

from .access_points import AccessPoint
from .brussels import (
    GAS_DAY_HOUR,
    add_years,
    dates_between,
    day_start_utc,
    local_iso,
    slot_bounds_iso,
    slot_count,
)
from .errors import DomainError
from .mandates import Mandate
from .readings import DEFAULT_GAS_FACTOR, DaySeries, MonthSeries, Quality, month_of, summarise
from .vocabulary import Energy, Resolution

FINE_RANGE_DAYS = 366
COARSE_RANGE_YEARS = 5
NOTICE = (
    "Opgelet: deze meetgegevens zijn informatief en sommige zijn pas beschikbaar in de loop van "
    "de komende 72 uur."
)


@dataclass
class ChannelSeries:
    """The points of one channel, as parallel lists (a year of quarter-hours is 35,040 points)."""

    # A fine series shares its range's bounds with every other series of that range (tuples).
    starts: Sequence[str] = field(default_factory=list)
    ends: Sequence[str] = field(default_factory=list)
    # Thousandths, 0 where missing. Fine series copy their days' packed values as they are (an
    # array("i") and an array("B"): no Python int per point, and Arrow reads them in place); sums
    # are lists.
    values: MutableSequence[int] = field(default_factory=list)
    qualities: MutableSequence[int] = field(default_factory=list)
    day_parts: list[int] | None = None  # day-tariff part of each coarse point (digital meters)
    night_parts: list[int] | None = None
    kwh_values: list[int] | None = None  # gas: the values (m³) converted to kWh
    factor_final: list[bool] | None = None  # gas: whether the market's factor converted it

    def __len__(self) -> int:
        return len(self.starts)

    @property
    def total(self) -> int:
        return sum(self.values)

    def first_missing(self) -> int | None:
        try:
            return self.qualities.index(Quality.MISSING)  # a C loop over the array
        except ValueError:
            return None


def check_range(first: date, end: date, resolution: Resolution) -> None:
    if end <= first:
        raise DomainError("invalid_period", "`to` must come after `from`: the range is [from, to).")
    if resolution.is_fine:
        too_large = (end - first).days > FINE_RANGE_DAYS
    else:
        too_large = end > add_years(first, COARSE_RANGE_YEARS)
    if too_large:
        span = "366 days" if resolution.is_fine else "5 years"
        raise DomainError(
            "range_too_large", f"At {resolution.value} resolution a range spans at most {span}."
        )


DEFAULT_INSTANT_WINDOW = timedelta(days=1)


def instant_window(
    window_from: datetime | None, window_to: datetime | None, now: datetime
) -> tuple[datetime, datetime]:
    """The machine API's window [from, to): by default the last day up to now."""
    to = window_to or now
    start = window_from or to - DEFAULT_INSTANT_WINDOW
    if to <= start:
        raise DomainError("invalid_period", "Parameter 'to' must come after 'from'.")
    return start, to


INSERT_WINDOW_DAYS = 31  # what changed in a month: EDVs sync daily; a backfill reads by readTime


def check_insert_window(start: datetime, to: datetime) -> None:
    if to - start > timedelta(days=INSERT_WINDOW_DAYS):
        raise DomainError(
            "range_too_large",
            f"An insertTime window spans at most {INSERT_WINDOW_DAYS} days; "
            "read older history by readTime.",
        )


def check_instant_window(start: datetime, to: datetime, *, fine: bool) -> None:
    """The same bounds as `check_range`, for a window of instants."""
    span = (to - start).days
    if fine and span > FINE_RANGE_DAYS:
        raise DomainError("range_too_large", "At most 366 days of quarter-hours or hours at once.")
    if span > COARSE_RANGE_YEARS * 366:
        raise DomainError("range_too_large", "At most 5 years of days at once.")


def clip(first: date, end: date, period_start: date, period_end: date) -> tuple[date, date]:
    """R9: the request clipped to the mandate's consumption period, or outside_mandate_period."""
    served_first, served_end = max(first, period_start), min(end, period_end)
    if served_end <= served_first:
        raise DomainError(
            "outside_mandate_period",
            f"The mandate covers [{period_start.isoformat()}, {period_end.isoformat()}) only.",
        )
    return served_first, served_end


def fine_series(
    days: dict[date, DaySeries],
    first: date,
    end: date,
    source_minutes: int,
    minutes: int,
    gas_factors: dict[date, float] | None = None,
    day_hour: int = 0,
) -> ChannelSeries:
    """Every slot of [first, end) at `minutes`; a day without data is all missing points. Days
    begin at `day_hour` (6: gas days)."""
    gas = gas_factors is not None
    group = minutes // source_minutes
    starts, ends = slot_edges(first, end, minutes, day_hour)
    result = ChannelSeries(
        starts=starts,
        ends=ends,
        values=array("i") if group == 1 else [],
        qualities=array("B"),
        kwh_values=[] if gas else None,
        factor_final=[] if gas else None,
    )
    day = first
    while day < end:
        count = slot_count(day, minutes, day_hour)
        series = days.get(day)
        if series is None:
            result.values.extend([0] * count)
            result.qualities.extend([0] * count)
        elif group == 1:
            result.values.extend(series.values)
            result.qualities.extend(array("B", series.qualities))  # copied whole, not by point
        else:
            for index in range(0, count * group, group):
                result.values.append(sum(series.values[index : index + group]))
                result.qualities.append(summarise(series.qualities[index : index + group]))
        if result.kwh_values is not None and gas_factors is not None:
            factor = gas_factors.get(month_of(day), DEFAULT_GAS_FACTOR)
            result.kwh_values.extend(round(value * factor) for value in result.values[-count:])
            assert result.factor_final is not None
            result.factor_final.extend([factor != DEFAULT_GAS_FACTOR] * count)
        day += timedelta(days=1)
    return result


@lru_cache(maxsize=16)
def slot_edges(
    first: date, end: date, minutes: int, day_hour: int = 0
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Where every slot of [first, end) starts and ends: the same for each series of a range, so
    made once for all of them (a year of quarter-hours: 35,040 of each, where copying them into
    each series' own lists costs more than reading its values)."""
    starts: list[str] = []
    ends: list[str] = []
    for day in dates_between(first, end):
        bounds = slot_bounds_iso(day, minutes, day_hour)
        starts.extend(bounds[:-1])
        ends.extend(bounds[1:])
    return tuple(starts), tuple(ends)


def periods(first: date, end: date, resolution: Resolution) -> list[tuple[date, date]]:
    """The calendar periods covering [first, end), each clipped to it."""
    result = []
    start = first
    while start < end:
        if resolution is Resolution.DAY:
            natural_end = start + timedelta(days=1)
        elif resolution is Resolution.WEEK:
            natural_end = start + timedelta(days=7 - start.weekday())
        elif resolution is Resolution.MONTH:
            natural_end = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
        else:
            natural_end = date(start.year + 1, 1, 1)
        stop = min(natural_end, end)
        result.append((start, stop))
        start = stop
    return result


def coarse_series(
    months: dict[date, MonthSeries],
    first: date,
    end: date,
    resolution: Resolution,
    split_tariffs: bool,
    gas: bool,
) -> ChannelSeries:
    """Day, week, month or year points from the daily values; a gas point's days are gas days,
    so it begins and ends at 06:00."""
    day_hour = GAS_DAY_HOUR if gas else 0
    starts: list[str] = []
    ends: list[str] = []
    result = ChannelSeries(
        starts=starts,
        ends=ends,
        day_parts=[] if split_tariffs else None,
        night_parts=[] if split_tariffs else None,
        kwh_values=[] if gas else None,
        factor_final=[] if gas else None,
    )
    for start, stop in periods(first, end, resolution):
        total = day_total = night_total = kwh_total = 0
        final = True
        qualities = bytearray()
        day = start
        while day < stop:
            month = months.get(month_of(day))
            if month is not None:
                value, quality, derived = month.day_value(day)
                index = day.day - 1
                total += value
                qualities.append(quality)
                if derived:
                    day_total += month.day_part[index]
                    night_total += month.night_part[index]
                else:  # a daily reading cannot be split by tariff period: count it as day
                    day_total += value
                kwh_total += round(value * month.gas_factor)
                final = final and month.gas_factor != DEFAULT_GAS_FACTOR
            else:
                qualities.append(Quality.MISSING)
            day += timedelta(days=1)
        starts.append(local_iso(day_start_utc(start, day_hour)))
        ends.append(local_iso(day_start_utc(stop, day_hour)))
        result.values.append(total)
        result.qualities.append(summarise(qualities))
        if result.day_parts is not None and result.night_parts is not None:
            result.day_parts.append(day_total)
            result.night_parts.append(night_total)
        if result.kwh_values is not None and result.factor_final is not None:
            result.kwh_values.append(kwh_total)
            result.factor_final.append(final)
    return result


def complete_until(series: list[ChannelSeries], served_end: date, day_hour: int = 0) -> str:
    """Where the first missing value starts: every channel is complete before it."""
    earliest = local_iso(day_start_utc(served_end, day_hour))
    for channel in series:
        index = channel.first_missing()
        if index is not None and _instant(channel.starts[index]) < _instant(earliest):
            earliest = channel.starts[index]
    return earliest


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text)


@dataclass(frozen=True)
class Volumes:
    """What one read served: the EAN's channels over the served part of [first, end)."""

    point: AccessPoint
    mandate: Mandate
    resolution: Resolution
    first: date
    end: date
    served_first: date
    served_end: date
    channels: dict[str, ChannelSeries]

    @property
    def data_complete_until(self) -> str:
        return complete_until(list(self.channels.values()), self.served_end, self.point.day_hour)

    @property
    def is_gas(self) -> bool:
        return self.point.energy is Energy.GAS

    @property
    def served_last(self) -> date:
        """The last day served: the range is half-open, people read "up to and including"."""
        return self.served_end - timedelta(days=1)

    def unit(self, asked: str | None) -> str:
        """kWh, or m3 when gas is asked in m3."""
        return "m3" if self.is_gas and asked == "m3" else "kWh"

    def in_unit(self, series: ChannelSeries, unit: str) -> ChannelSeries:
        """The series in `unit`: gas in kWh converts each value by its month's factor."""
        if self.is_gas and unit == "kWh" and series.kwh_values is not None:
            return replace(series, values=series.kwh_values)
        return series

    def channels_in(self, unit: str) -> dict[str, ChannelSeries]:
        return {channel: self.in_unit(series, unit) for channel, series in self.channels.items()}
