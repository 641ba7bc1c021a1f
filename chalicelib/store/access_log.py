"""The access log (R12), keyed by whose data was read, so a customer reads their own by key."""

from __future__ import annotations

import uuid

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
    ).save()


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
    return [
        AccessRecord(
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
        for item in items
    ], resume
