"""The EDV's change feed (the outbox of webhooks): seq 0 of each EDV is a counter, events are
1, 2, 3, ... appended in the same transaction as the change that caused them, so none is lost
and none lands twice."""

from __future__ import annotations

from datetime import datetime

from pynamodb.attributes import (
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.exceptions import DoesNotExist
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from ..config import table_name
from ..domain.feed import FeedEvent
from ..domain.vocabulary import EventType
from .base import TableMeta, register


@register
class FeedItem(Model):
    """The EDV's change feed. seq 0 is the counter (last_seq); events are 1, 2, 3, ..."""

    class Meta(TableMeta):
        table_name = table_name("mandate_events")

    edv = UnicodeAttribute(hash_key=True)
    seq = NumberAttribute(range_key=True)
    last_seq = NumberAttribute(null=True)
    type = UnicodeAttribute(null=True)
    mandate_id = UnicodeAttribute(null=True)
    ean = UnicodeAttribute(null=True)
    at = UTCDateTimeAttribute(null=True)
    recorded_at = UTCDateTimeAttribute(null=True)
    details = JSONAttribute(null=True)


def append(
    writes: TransactWrite, enterprise_number: str, events: list[FeedEvent], now: datetime
) -> list[FeedEvent]:
    try:
        last = int(FeedItem.get(enterprise_number, 0, consistent_read=True).last_seq or 0)
    except DoesNotExist:
        last = 0
    counter_condition = FeedItem.seq.does_not_exist() if last == 0 else FeedItem.last_seq == last
    writes.save(
        FeedItem(enterprise_number, 0, last_seq=last + len(events)), condition=counter_condition
    )
    stored = []
    for offset, event in enumerate(events, start=1):
        seq = last + offset
        writes.save(
            FeedItem(
                enterprise_number,
                seq,
                type=event.type.value,
                mandate_id=event.mandate_id,
                ean=event.ean,
                at=event.at,
                recorded_at=now,
                details=event.details,
            ),
            condition=FeedItem.seq.does_not_exist(),
        )
        stored.append(
            FeedEvent(event.type, event.mandate_id, event.ean, event.at, event.details, seq, now)
        )
    return stored


def page(enterprise_number: str, after_seq: int, limit: int) -> list[FeedEvent]:
    query = FeedItem.query(
        enterprise_number, FeedItem.seq > after_seq, limit=limit, consistent_read=True
    )
    return [
        FeedEvent(
            EventType(row.type),
            row.mandate_id or "",
            row.ean or "",
            row.at,
            dict(row.details or {}),
            int(row.seq),
            row.recorded_at,
        )
        for row in query
    ]


def last_seq(enterprise_number: str) -> int:
    """The newest event's sequence number in the EDV's feed (0: none yet)."""
    try:
        return int(FeedItem.get(enterprise_number, 0, consistent_read=True).last_seq or 0)
    except DoesNotExist:
        return 0
