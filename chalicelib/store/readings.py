"""Readings: one item per (EAN, channel, Brussels day) of quarter-hours or hours, one per
(EAN, channel, month) with its daily values and peaks. A year of quarter-hours of one channel is
365 small items (zlib-packed), not 35,040. Writers hold the series' lease (store/leases.py)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from pynamodb.attributes import (
    BinaryAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from ..config import table_name
from ..domain.readings import DEFAULT_GAS_FACTOR, DaySeries, MonthSeries
from .base import TableMeta, register

DAY, MONTH = "F#", "M#"


class ByInsertTime(GlobalSecondaryIndex["ReadingItem"]):
    """What changed in a series since a moment: EDVs fetch only new or corrected values."""

    class Meta:
        index_name = "by_insert_time"
        projection = AllProjection()

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
    updated_at = UTCDateTimeAttribute()
    by_insert_time = ByInsertTime()


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


def changed_since(
    ean: str, channel: str, since: datetime, until: datetime, day_hour: int = 0
) -> list[DaySeries | MonthSeries]:
    query = ReadingItem.by_insert_time.query(
        series_key(ean, channel), ReadingItem.updated_at.between(since, until)
    )
    return [_day(item, day_hour) if item.key.startswith(DAY) else _month(item) for item in query]


def read_days(
    ean: str, channel: str, days: Iterable[date], day_hour: int = 0
) -> dict[date, DaySeries]:
    keys = [(series_key(ean, channel), f"{DAY}{day.isoformat()}") for day in days]
    return {
        (series := _day(item, day_hour)).day: series
        for item in ReadingItem.batch_get(keys, consistent_read=True)
    }


def read_month(ean: str, channel: str, month: date) -> MonthSeries:
    try:
        item = ReadingItem.get(
            series_key(ean, channel), f"{MONTH}{month.isoformat()[:7]}", consistent_read=True
        )
    except ReadingItem.DoesNotExist:
        return MonthSeries.empty(month)
    return _month(item)


def write_days(ean: str, channel: str, days: list[DaySeries], now: datetime) -> None:
    """Batch writes (25 items a request): the caller holds the series' lease, so nobody else
    writes these days meanwhile."""
    with ReadingItem.batch_write() as batch:
        for series in days:
            batch.save(
                ReadingItem(
                    series_key(ean, channel),
                    f"{DAY}{series.day.isoformat()}",
                    blob=series.pack(),
                    minutes=series.minutes,
                    updated_at=now,
                )
            )


def write_month(ean: str, channel: str, series: MonthSeries, now: datetime) -> None:
    ReadingItem(
        series_key(ean, channel),
        f"{MONTH}{series.month.isoformat()[:7]}",
        blob=series.pack(),
        gas_factor=series.gas_factor,
        updated_at=now,
    ).save()
