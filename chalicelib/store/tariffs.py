"""The tariff table's revisions: every change is a new item, none is ever overwritten, so the
history the regulator may ask for stays (R13). The newest revision is the table in force."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import PutError
from pynamodb.models import Model

from ..config import table_name
from ..domain.errors import DomainError
from ..domain.tariffs import TariffEntry, TariffTable
from ..domain.vocabulary import Granularity
from .base import TableMeta, is_condition_failure, register

TABLE = "tariff-table"  # one table, many revisions


@register
class TariffRevisionItem(Model):
    class Meta(TableMeta):
        table_name = table_name("tariffs")

    name = UnicodeAttribute(hash_key=True)
    revision = NumberAttribute(range_key=True)
    entries = UnicodeAttribute()  # JSON; decimals as strings, exact
    changed_at = UTCDateTimeAttribute()
    changed_by = UnicodeAttribute()


def _entries_out(entries: tuple[TariffEntry, ...]) -> str:
    return json.dumps(
        [
            {
                "valid_from": e.valid_from.isoformat(),
                "valid_to": e.valid_to.isoformat() if e.valid_to else None,
                "per_ean_day": {g.value: str(a) for g, a in e.per_ean_day.items()},
                "yearly_fee": str(e.yearly_fee),
                "per_exported_ean": str(e.per_exported_ean),
                "decision": e.decision,
            }
            for e in entries
        ]
    )


def _entries_in(raw: str) -> tuple[TariffEntry, ...]:
    return tuple(
        TariffEntry(
            valid_from=date.fromisoformat(e["valid_from"]),
            valid_to=date.fromisoformat(e["valid_to"]) if e["valid_to"] else None,
            per_ean_day={Granularity(g): Decimal(a) for g, a in e["per_ean_day"].items()},
            yearly_fee=Decimal(e["yearly_fee"]),
            per_exported_ean=Decimal(e.get("per_exported_ean", "0")),  # revisions before exports
            decision=e["decision"],
        )
        for e in json.loads(raw)
    )


def _table(item: TariffRevisionItem) -> TariffTable:
    return TariffTable(
        revision=int(item.revision),
        entries=_entries_in(item.entries),
        changed_at=item.changed_at,
        changed_by=item.changed_by,
    )


def current() -> TariffTable:
    newest = list(TariffRevisionItem.query(TABLE, scan_index_forward=False, limit=1))
    return _table(newest[0]) if newest else TariffTable(revision=0, entries=())


def revision(number: int) -> TariffTable | None:
    try:
        return _table(TariffRevisionItem.get(TABLE, number))
    except TariffRevisionItem.DoesNotExist:
        return None


def history() -> list[TariffTable]:
    return [_table(i) for i in TariffRevisionItem.query(TABLE, scan_index_forward=False)]


def save(entries: tuple[TariffEntry, ...], based_on: int, by: str, now: datetime) -> TariffTable:
    """Store the next revision; 409 if someone saved another since `based_on` was read."""
    if based_on != current().revision:
        raise DomainError("conflict", f"The tariff table is no longer at revision {based_on}.")
    item = TariffRevisionItem(
        TABLE, based_on + 1, entries=_entries_out(entries), changed_at=now, changed_by=by
    )
    try:
        item.save(condition=TariffRevisionItem.revision.does_not_exist())
    except PutError as error:
        if is_condition_failure(error):
            raise DomainError(
                "conflict", f"The tariff table changed since revision {based_on}; reload it."
            ) from error
        raise
    return _table(item)
