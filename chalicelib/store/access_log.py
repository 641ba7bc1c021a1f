"""The access log (R12), keyed by whose data was read, so a customer reads their own by key."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.expressions.condition import Condition
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model
from pynamodb.pagination import ResultIterator

from ..config import table_name
from ..domain.access_log import AccessRecord
from .base import Key, TableMeta, register, take_page


class ByUserEan(GlobalSecondaryIndex["AccessLogItem"]):
    """One customer's reads of one EAN: the log filtered by EAN reads only those."""

    class Meta:
        index_name = "by_user_ean"
        projection = AllProjection()

    user_ean = UnicodeAttribute(hash_key=True)
    entry = UnicodeAttribute(range_key=True)


class ByUserEdv(GlobalSecondaryIndex["AccessLogItem"]):
    """One customer's reads by one EDV."""

    class Meta:
        index_name = "by_user_edv"
        projection = AllProjection()

    user_edv = UnicodeAttribute(hash_key=True)
    entry = UnicodeAttribute(range_key=True)


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
    user_ean = UnicodeAttribute()
    user_edv = UnicodeAttribute()
    by_user_ean = ByUserEan()
    by_user_edv = ByUserEdv()


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
        user_ean=f"{record.grid_user_key}#{record.ean}",
        user_edv=f"{record.grid_user_key}#{record.edv}",
    ).save(condition=AccessLogItem.entry.does_not_exist())  # a record is added, never replaced


def _query(
    grid_user_key: str,
    ean: str | None,
    edv: str | None,
    condition: Condition | None,
    start: Key | None,
    limit: int,
) -> ResultIterator[AccessLogItem]:
    """One customer's reads, newest first, by the narrowest key: the EAN's (an EDV within it
    is a filter: an EAN has few EDVs), the EDV's, or all of them."""
    common: dict[str, Any] = {
        "scan_index_forward": False,
        "last_evaluated_key": start,
        "limit": limit,
    }
    if ean:
        by_edv = (AccessLogItem.edv == edv) if edv else None
        key = f"{grid_user_key}#{ean}"
        return AccessLogItem.by_user_ean.query(key, condition, filter_condition=by_edv, **common)
    if edv:
        return AccessLogItem.by_user_edv.query(f"{grid_user_key}#{edv}", condition, **common)
    return AccessLogItem.query(grid_user_key, condition, **common)


def page_of(
    grid_user_key: str, ean: str | None, limit: int, start: Key | None
) -> tuple[list[AccessRecord], Key | None]:
    items, resume = take_page(_query(grid_user_key, ean, None, None, start, limit + 1), limit)
    return [_record(item) for item in items], resume


def entries_before(
    grid_user_key: str, ean: str | None, edv: str | None, before: str | None
) -> Iterator[tuple[str, AccessRecord]]:
    """The reads of one customer, newest first, older than the entry `before` (a sort key),
    as (sort key, record), read as they are consumed."""
    condition = AccessLogItem.entry < before if before else None
    resume: Key | None = None
    size = 8  # doubling: a page of sessions reads about what it groups, not 100 rows each time
    while True:
        query = _query(grid_user_key, ean, edv, condition, resume, size)
        for item in query:
            yield item.entry, _record(item)
        resume = query.last_evaluated_key
        if resume is None:
            return
        size = min(size * 2, 256)


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
