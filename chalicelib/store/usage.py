"""Usage counted as it happens (R13), per EDV and Brussels day, so a month's report reads at most
31 items whatever the EDV's size: for now the EANs its history exports served. Counters only
grow, each in the same transaction as the event it counts, so a retried job counts once."""

from __future__ import annotations

from datetime import date, timedelta

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from ..config import table_name
from .base import TableMeta, register


@register
class UsageItem(Model):
    class Meta(TableMeta):
        table_name = table_name("usage")

    edv = UnicodeAttribute(hash_key=True)
    day = UnicodeAttribute(range_key=True)  # YYYY-MM-DD, Brussels
    exported_eans = NumberAttribute(default=0)


def count_exported(writes: TransactWrite, edv: str, day: date, eans: int) -> None:
    """Within the transaction that finishes the export."""
    writes.update(UsageItem(edv, day.isoformat()), actions=[UsageItem.exported_eans.add(eans)])


def exported_between(edv: str, first: date, end: date) -> dict[date, int]:
    """EANs exported on each day of [first, end) that saw an export."""
    last = end - timedelta(days=1)
    query = UsageItem.query(edv, UsageItem.day.between(first.isoformat(), last.isoformat()))
    return {date.fromisoformat(item.day): int(item.exported_eans) for item in query}
