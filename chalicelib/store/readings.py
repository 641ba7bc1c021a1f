"""Readings: one item per (EAN, channel, Brussels day) of quarter-hours or hours, one per
(EAN, channel, month) with its daily values and peaks. A year of quarter-hours of one channel is
365 small items (zlib-packed), not 35,040.

Writes are conditional on the item's `version` (optimistic concurrency): a writer that lost a race
reads again and merges again, so overlapping ingests lose nothing without holding a lock.

`by_insert_time` holds keys only, and only items whose `updated_at` says when their own content
changed: every day item, and a month item when something only it holds changed (a daily reading,
the gas factor). A month whose values follow from its days keeps its `updated_at`, so rewriting it
costs no index write (DynamoDB writes an index entry twice when its key changes); insert-time
reads find such a month through its changed days. Each item expires (TTL) the stage's retention
after its period ends."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pynamodb.attributes import (
    BinaryAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.exceptions import PutError
from pynamodb.expressions.condition import Condition
from pynamodb.indexes import GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from ..config import readings_retention, table_name
from ..domain.brussels import day_end_utc
from ..domain.readings import DEFAULT_GAS_FACTOR, DaySeries, MonthSeries, days_in_month
from .base import TableMeta, is_condition_failure, register

DAY, MONTH = "F#", "M#"


class ByInsertTime(GlobalSecondaryIndex["ReadingItem"]):
    """What changed in a series since a moment: EDVs fetch only new or corrected values."""

    class Meta:
        index_name = "by_insert_time"
        projection = KeysOnlyProjection()

    series = UnicodeAttribute(hash_key=True)
    updated_at = UTCDateTimeAttribute(range_key=True)


@register
class ReadingItem(Model):
    class Meta(TableMeta):
        table_name = table_name("readings")

    series = UnicodeAttribute(hash_key=True)  # "{ean}#{channel}"
    key = UnicodeAttribute(range_key=True)  # "F#YYYY-MM-DD" or "M#YYYY-MM"
    blob = BinaryAttribute(legacy_encoding=False)
    minutes = NumberAttribute(null=True)
    gas_factor = NumberAttribute(null=True)
    updated_at = UTCDateTimeAttribute(null=True)  # when its own content last changed (above)
    version = NumberAttribute(null=True)  # each write's condition and increment
    expires_at = TTLAttribute(null=True)  # the stage's retention after the period ends
    by_insert_time = ByInsertTime()


@dataclass(frozen=True)
class Stored[Series: (DaySeries, MonthSeries)]:
    """A series as read for an update: what a conditional write must find to replace it."""

    series: Series
    version: int | None  # None: no item yet
    updated_at: datetime | None = None


def series_key(ean: str, channel: str) -> str:
    return f"{ean}#{channel}"


def _day(item: ReadingItem, day_hour: int) -> DaySeries:
    day = date.fromisoformat(item.key[2:])
    return DaySeries.unpack(day, item.blob, item.updated_at, day_hour)


def _month(item: ReadingItem) -> MonthSeries:
    month = date.fromisoformat(item.key[2:] + "-01")
    factor = float(item.gas_factor) if item.gas_factor is not None else DEFAULT_GAS_FACTOR
    return MonthSeries.unpack(month, item.blob, factor, item.updated_at)


def days_between(
    ean: str, channel: str, first: date, last: date, day_hour: int = 0
) -> dict[date, DaySeries]:
    """The stored days of [first, last] (inclusive); `day_hour` 6 for gas days. Read as raw
    items, only the key and the values (what serving needs): a year of two channels is 730
    items, and a model object each would cost more than unpacking them."""
    connection = ReadingItem._get_connection()  # the model's own, configured by its Meta
    condition = ReadingItem.key.between(f"{DAY}{first.isoformat()}", f"{DAY}{last.isoformat()}")
    days: dict[date, DaySeries] = {}
    start: dict[str, Any] | None = None
    while True:
        page = connection.query(
            series_key(ean, channel),
            range_key_condition=condition,
            attributes_to_get=["key", "blob"],
            exclusive_start_key=start,
        )
        for item in page["Items"]:
            day = date.fromisoformat(item["key"]["S"][2:])
            days[day] = DaySeries.unpack(day, item["blob"]["B"], None, day_hour)
        start = page.get("LastEvaluatedKey")
        if not start:
            return days


def months_between(ean: str, channel: str, first: date, last: date) -> dict[date, MonthSeries]:
    """The stored months from the month of `first` to that of `last` (inclusive)."""
    query = ReadingItem.query(
        series_key(ean, channel),
        ReadingItem.key.between(
            f"{MONTH}{first.isoformat()[:7]}", f"{MONTH}{last.isoformat()[:7]}"
        ),
    )
    return {series.month: series for series in map(_month, query)}


def changed_days(
    ean: str, channel: str, since: datetime, until: datetime, day_hour: int = 0
) -> list[DaySeries]:
    """The days whose values were written in [since, until]."""
    keys = [key for key in _changed_keys(ean, channel, since, until) if key.startswith(DAY)]
    return [_day(item, day_hour) for item in _batch_get(ean, channel, keys)]


def changed_months(ean: str, channel: str, since: datetime, until: datetime) -> list[MonthSeries]:
    """The months whose daily values changed in [since, until]: those written for their own sake,
    and those of the days written then."""
    months = {key[2:9] for key in _changed_keys(ean, channel, since, until)}
    keys = [f"{MONTH}{month}" for month in sorted(months)]
    return [_month(item) for item in _batch_get(ean, channel, keys)]


def _changed_keys(ean: str, channel: str, since: datetime, until: datetime) -> list[str]:
    query = ReadingItem.by_insert_time.query(
        series_key(ean, channel), ReadingItem.updated_at.between(since, until)
    )
    return [item.key for item in query]


def _batch_get(ean: str, channel: str, keys: list[str]) -> list[ReadingItem]:
    series = series_key(ean, channel)
    return list(ReadingItem.batch_get([(series, key) for key in keys])) if keys else []


def read_days(
    ean: str, channel: str, days: Collection[date], day_hour: int = 0
) -> dict[date, Stored[DaySeries]]:
    """Days as an update reads them (strongly consistent), each with its version."""
    if not days:
        return {}
    keys = [(series_key(ean, channel), f"{DAY}{day.isoformat()}") for day in days]
    return {
        (series := _day(item, day_hour)).day: Stored(series, _version(item))
        for item in ReadingItem.batch_get(keys, consistent_read=True)
    }


def read_months(
    ean: str, channel: str, months: Collection[date]
) -> dict[date, Stored[MonthSeries]]:
    """Months as an update reads them (strongly consistent), each with its version; a month not
    stored yet is empty, with no version."""
    keys = [(series_key(ean, channel), f"{MONTH}{month.isoformat()[:7]}") for month in months]
    found = {
        (series := _month(item)).month: Stored(series, _version(item), item.updated_at)
        for item in (ReadingItem.batch_get(keys, consistent_read=True) if keys else [])
    }
    return {month: found.get(month) or Stored(MonthSeries.empty(month), None) for month in months}


def write_day(ean: str, channel: str, day: Stored[DaySeries], now: datetime) -> bool:
    """Replace the day if it is still as read; False if another writer came first."""
    series = day.series
    item = ReadingItem(
        series_key(ean, channel),
        f"{DAY}{series.day.isoformat()}",
        blob=series.pack(),
        minutes=series.minutes,
        updated_at=now,
        expires_at=day_end_utc(series.day, series.day_hour) + readings_retention(),
    )
    return _put_if_unchanged(item, day.version)


def write_month(
    ean: str, channel: str, month: Stored[MonthSeries], changed_itself: bool, now: datetime
) -> bool:
    """Replace the month if it is still as read; its index time moves only when `changed_itself`
    (a daily reading or the gas factor), not when its days did."""
    series = month.series
    last_day = series.month.replace(day=days_in_month(series.month))
    item = ReadingItem(
        series_key(ean, channel),
        f"{MONTH}{series.month.isoformat()[:7]}",
        blob=series.pack(),
        gas_factor=series.gas_factor,
        updated_at=now if changed_itself else month.updated_at,
        expires_at=day_end_utc(last_day) + readings_retention(),
    )
    return _put_if_unchanged(item, month.version)


def _put_if_unchanged(item: ReadingItem, version: int | None) -> bool:
    item.version = (version or 0) + 1
    condition: Condition
    if version is None:
        condition = ReadingItem.key.does_not_exist()
    elif version == 0:
        condition = ReadingItem.version.does_not_exist()  # written before items had versions
    else:
        condition = ReadingItem.version == version
    try:
        item.save(condition=condition)
    except PutError as error:
        if is_condition_failure(error):
            return False
        raise
    return True


def _version(item: ReadingItem) -> int:
    return int(item.version) if item.version is not None else 0
