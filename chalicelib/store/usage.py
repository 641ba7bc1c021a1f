"""Usage counted as it happens (R13), per EDV, so a month's report reads a handful of items
whatever the EDV's size: the EANs history exports served, per Brussels day (`X#YYYY-MM-DD`), and
the mandates' start and end events (domain/usage_counts.py) per day (`D#…`) and month (`M#…`).
Counters change only in the transaction that writes what they count, so a retried job or request
counts once."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from ..config import table_name
from ..domain.usage_counts import Deltas
from ..domain.vocabulary import Granularity
from .base import TableMeta, register

GRANULARITIES = tuple(granularity.value for granularity in Granularity)
EVENT_FIELDS = tuple(f"{kind}_{g}" for kind in ("starts", "ends") for g in GRANULARITIES)


@register
class UsageItem(Model):
    class Meta(TableMeta):
        table_name = table_name("usage")

    edv = UnicodeAttribute(hash_key=True)
    period = UnicodeAttribute(range_key=True)  # X#date, D#date, M#month
    exported_eans = NumberAttribute(null=True)
    starts_day = NumberAttribute(null=True)
    starts_hour = NumberAttribute(null=True)
    starts_quarter_hour = NumberAttribute(null=True)
    ends_day = NumberAttribute(null=True)
    ends_hour = NumberAttribute(null=True)
    ends_quarter_hour = NumberAttribute(null=True)


def count_exported(writes: TransactWrite, edv: str, day: date, eans: int) -> None:
    """Within the transaction that finishes the export."""
    item = UsageItem(edv, f"X#{day.isoformat()}")
    writes.update(item, actions=[UsageItem.exported_eans.add(eans)])


def exported_between(edv: str, first: date, end: date) -> dict[date, int]:
    """EANs exported on each day of [first, end) that saw an export."""
    last = end - timedelta(days=1)
    query = UsageItem.query(
        edv, UsageItem.period.between(f"X#{first.isoformat()}", f"X#{last.isoformat()}")
    )
    return {date.fromisoformat(item.period[2:]): int(item.exported_eans or 0) for item in query}


def count_mandates(writes: TransactWrite, edv: str, deltas: Deltas) -> None:
    """Within the transaction that writes the mandates: one update per counter item."""
    by_period: dict[str, dict[str, int]] = defaultdict(dict)
    for (period, field), delta in deltas.items():
        by_period[period][field] = delta
    for period, fields in sorted(by_period.items()):
        writes.update(
            UsageItem(edv, period),
            actions=[getattr(UsageItem, field).add(delta) for field, delta in fields.items()],
        )


def mandate_events(
    edv: str, month: str
) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, int]]]:
    """The month totals up to `month` (YYYY-MM) and the day events within it."""

    def counts(item: UsageItem) -> dict[str, int]:
        return {field: int(getattr(item, field) or 0) for field in EVENT_FIELDS}

    months = UsageItem.query(edv, UsageItem.period.between("M#0000-00", f"M#{month}"))
    days = UsageItem.query(edv, UsageItem.period.between(f"D#{month}-01", f"D#{month}-31"))
    return {i.period: counts(i) for i in months}, {i.period: counts(i) for i in days}
