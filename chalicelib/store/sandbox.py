"""Mock mandates of the machine API's sandbox, in a table of their own so that nothing of the
sandbox reaches live reads, jobs or billing: one item per mock under its EDV's partition, holding
the mandate as the live mandates table holds it (store/mandates.item_of), so the same mapper reads
both."""

from __future__ import annotations

from datetime import datetime

from pynamodb.attributes import JSONAttribute, UnicodeAttribute
from pynamodb.models import Model

from ..config import table_name
from ..domain.mandates import Mandate
from .base import TableMeta, register
from .mandates import MandateItem, item_of, mandate_from_item


@register
class SandboxMandateItem(Model):
    class Meta(TableMeta):
        table_name = table_name("sandbox_mandates")

    edv = UnicodeAttribute(hash_key=True)
    id = UnicodeAttribute(range_key=True)
    mandate = JSONAttribute()  # the live item's attributes, as store/mandates writes them


def save(mandate: Mandate, now: datetime) -> None:
    attributes = item_of(mandate, now).to_simple_dict()
    SandboxMandateItem(mandate.edv, mandate.id, mandate=attributes).save()


def _mandate(item: SandboxMandateItem) -> Mandate:
    live = MandateItem()
    live.from_simple_dict(item.mandate)
    return mandate_from_item(live)


def count_of_edv(enterprise_number: str) -> int:
    """How many mocks the EDV has (a count query: no item is read out)."""
    return SandboxMandateItem.count(enterprise_number)


def of_edv(enterprise_number: str) -> list[Mandate]:
    """The EDV's mock mandates: at most quotas.SANDBOX_MOCKS, one partition."""
    return [_mandate(item) for item in SandboxMandateItem.query(enterprise_number)]
