"""Purge duties (domain/account.py): each EDV's partition, ordered by when each duty arose, with a
sparse index of the open ones (the list an EDV works through) and an index by pair (EDV, EAN),
which the meter page and the customer's mandate read. A duty is written in the transaction of the
mandate change that caused it; a confirmation is conditioned on none having come before."""

from __future__ import annotations

from datetime import date, datetime

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import DoesNotExist, UpdateError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from ..config import table_name
from ..domain.account import PurgeDuty, PurgeReason
from ..domain.vocabulary import Granularity
from .base import Key, TableMeta, is_condition_failure, register, take_page


class OpenByEdv(GlobalSecondaryIndex["PurgeDutyItem"]):
    """Sparse: only duties not yet confirmed carry `open_edv`."""

    class Meta:
        index_name = "open_by_edv"
        projection = AllProjection()

    open_edv = UnicodeAttribute(hash_key=True)
    id = UnicodeAttribute(range_key=True)


class ByPair(GlobalSecondaryIndex["PurgeDutyItem"]):
    class Meta:
        index_name = "by_pair"
        projection = AllProjection()

    pair = UnicodeAttribute(hash_key=True)  # "{edv}#{ean}"
    id = UnicodeAttribute(range_key=True)


@register
class PurgeDutyItem(Model):
    class Meta(TableMeta):
        table_name = table_name("purge_duties")

    edv = UnicodeAttribute(hash_key=True)
    id = UnicodeAttribute(range_key=True)
    ean = UnicodeAttribute()
    pair = UnicodeAttribute()
    open_edv = UnicodeAttribute(null=True)
    mandate_id = UnicodeAttribute()
    first = UnicodeAttribute()
    end = UnicodeAttribute()
    keep = UnicodeAttribute(null=True)
    reason = UnicodeAttribute()
    since = UTCDateTimeAttribute()
    confirmed_at = UTCDateTimeAttribute(null=True)
    confirmed_by = UnicodeAttribute(null=True)
    open_by_edv = OpenByEdv()
    by_pair = ByPair()


def _item(duty: PurgeDuty) -> PurgeDutyItem:
    return PurgeDutyItem(
        duty.edv,
        duty.id,
        ean=duty.ean,
        pair=f"{duty.edv}#{duty.ean}",
        open_edv=duty.edv if duty.is_open else None,
        mandate_id=duty.mandate_id,
        first=duty.first.isoformat(),
        end=duty.end.isoformat(),
        keep=duty.keep.value if duty.keep else None,
        reason=duty.reason.value,
        since=duty.since,
        confirmed_at=duty.confirmed_at,
        confirmed_by=duty.confirmed_by,
    )


def _duty(item: PurgeDutyItem) -> PurgeDuty:
    return PurgeDuty(
        id=item.id,
        edv=item.edv,
        ean=item.ean,
        mandate_id=item.mandate_id,
        first=date.fromisoformat(item.first),
        end=date.fromisoformat(item.end),
        keep=Granularity(item.keep) if item.keep else None,
        reason=PurgeReason(item.reason),
        since=item.since,
        confirmed_at=item.confirmed_at,
        confirmed_by=item.confirmed_by,
    )


def add(writes: TransactWrite, duty: PurgeDuty) -> None:
    """Within the transaction of the change that caused it."""
    writes.save(_item(duty), condition=PurgeDutyItem.id.does_not_exist())


def get(edv: str, duty_id: str) -> PurgeDuty | None:
    try:
        return _duty(PurgeDutyItem.get(edv, duty_id, consistent_read=True))
    except DoesNotExist:
        return None


def confirm(duty: PurgeDuty, by: str, now: datetime) -> bool:
    """Record the confirmation; False if another came first (the caller reads it again)."""
    item = PurgeDutyItem(duty.edv, duty.id)
    try:
        item.update(
            actions=[
                PurgeDutyItem.confirmed_at.set(now),
                PurgeDutyItem.confirmed_by.set(by),
                PurgeDutyItem.open_edv.remove(),
            ],
            condition=PurgeDutyItem.id.exists() & PurgeDutyItem.confirmed_at.does_not_exist(),
        )
    except UpdateError as error:
        if is_condition_failure(error):
            return False
        raise
    return True


def page_of_edv(
    edv: str, *, open_only: bool, limit: int, start: Key | None
) -> tuple[list[PurgeDuty], Key | None]:
    """A page of the EDV's duties, oldest first: all of them, or only the open ones."""
    if open_only:
        query = PurgeDutyItem.open_by_edv.query(edv, last_evaluated_key=start, page_size=limit + 1)
    else:
        query = PurgeDutyItem.query(edv, last_evaluated_key=start, page_size=limit + 1)
    items, resume = take_page(query, limit)
    return [_duty(item) for item in items], resume


def of_pair(edv: str, ean: str) -> list[PurgeDuty]:
    """Every duty on one pair, oldest first: a handful (each came with a change to the pair)."""
    return [_duty(item) for item in PurgeDutyItem.by_pair.query(f"{edv}#{ean}")]
