"""The access log (R12), keyed by whose data was read, so a customer reads their own by key."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.models import Model

from ..config import table_name
from ..domain.access_log import AccessRecord
from .base import Key, TableMeta, register, take_page


@register
class AccessLogItem(Model):
    class Meta(TableMeta):
        table_name = table_name("access_log")

    grid_user_key = UnicodeAttribute(hash_key=True)
    entry = UnicodeAttribute(range_key=True)  # "{at ISO UTC}#{uuid}": newest last
    ean = UnicodeAttribute()
    edv = UnicodeAttribute()
    mandate_id = UnicodeAttribute()
    range_from = UnicodeAttribute()
    range_to = UnicodeAttribute()
    resolution = UnicodeAttribute()
    what = UnicodeAttribute()
    face = UnicodeAttribute()
    at = UTCDateTimeAttribute()


def append(record: AccessRecord) -> None:
    AccessLogItem(
        record.grid_user_key,
        f"{record.at.isoformat()}#{uuid.uuid4().hex}",
        ean=record.ean,
        edv=record.edv,
        mandate_id=record.mandate_id,
        range_from=record.range_from,
        range_to=record.range_to,
        resolution=record.resolution,
        what=record.what,
        face=record.face,
        at=record.at,
    ).save(condition=AccessLogItem.entry.does_not_exist())  # a record is added, never replaced


def page_of(
    grid_user_key: str, ean: str | None, limit: int, start: Key | None
) -> tuple[list[AccessRecord], Key | None]:
    query = AccessLogItem.query(
        grid_user_key,
        filter_condition=(AccessLogItem.ean == ean) if ean else None,
        scan_index_forward=False,
        last_evaluated_key=start,
        page_size=limit + 1,
    )
    items, resume = take_page(query, limit)
    return [_record(item) for item in items], resume


def entries_before(
    grid_user_key: str, ean: str | None, edv: str | None, before: str | None
) -> Iterator[tuple[str, AccessRecord]]:
    """The reads of one customer, newest first, older than the entry `before` (a sort key),
    as (sort key, record); DynamoDB pages through them as they are consumed."""
    filter_condition = None
    if ean:
        filter_condition = AccessLogItem.ean == ean
    if edv:
        by_edv = AccessLogItem.edv == edv
        filter_condition = by_edv if filter_condition is None else filter_condition & by_edv
    query = AccessLogItem.query(
        grid_user_key,
        AccessLogItem.entry < before if before else None,
        filter_condition=filter_condition,
        scan_index_forward=False,
        page_size=100,
    )
    return ((item.entry, _record(item)) for item in query)


def _record(item: AccessLogItem) -> AccessRecord:
    return AccessRecord(
        ean=item.ean,
        edv=item.edv,
        mandate_id=item.mandate_id,
        grid_user_key=item.grid_user_key,
        range_from=item.range_from,
        range_to=item.range_to,
        resolution=item.resolution,
        what=item.what,
        face=item.face,
        at=item.at,
    )
