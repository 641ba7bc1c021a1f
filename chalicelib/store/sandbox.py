"""Mock mandates of the machine API's sandbox: one item per mock, under its EDV's partition, in a
table of their own, so nothing of the sandbox reaches live data, jobs or billing."""

from __future__ import annotations

from datetime import date

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.models import Model

from ..config import table_name
from ..domain.access_points import GridUser
from ..domain.mandates import Mandate
from ..domain.vocabulary import Energy, Granularity, MandateStatus
from .base import TableMeta, register


@register
class SandboxMandateItem(Model):
    class Meta(TableMeta):
        table_name = table_name("sandbox_mandates")

    edv = UnicodeAttribute(hash_key=True)
    id = UnicodeAttribute(range_key=True)
    ean = UnicodeAttribute()
    reference_number = UnicodeAttribute()
    granularity = UnicodeAttribute()
    energy = UnicodeAttribute()
    period_start = UnicodeAttribute()
    period_end = UnicodeAttribute()
    status = UnicodeAttribute()
    valid_until = UTCDateTimeAttribute()
    renewal_status = UnicodeAttribute(null=True)  # as the EDV asked for it, on the wire
    created_at = UTCDateTimeAttribute()


def save(mandate: Mandate, renewal_status: str | None) -> None:
    SandboxMandateItem(
        mandate.edv,
        mandate.id,
        ean=mandate.ean,
        reference_number=mandate.reference_number or "",
        granularity=mandate.granularity.value,
        energy=mandate.energy.value,
        period_start=mandate.period_start.isoformat(),
        period_end=mandate.period_end.isoformat(),
        status=mandate.status.value,
        valid_until=mandate.valid_until,
        renewal_status=renewal_status,
        created_at=mandate.granted_at,
    ).save()


def _mandate(item: SandboxMandateItem) -> tuple[Mandate, str | None]:
    mandate = Mandate(
        id=item.id,
        ean=item.ean,
        edv=item.edv,
        granularity=Granularity(item.granularity),
        period_start=date.fromisoformat(item.period_start),
        period_end=date.fromisoformat(item.period_end),
        granted_at=item.created_at,
        valid_until=item.valid_until,
        status=MandateStatus(item.status),
        granted_by="sandbox",
        grid_user=GridUser("person", "sandbox"),  # the sandbox's imaginary customer
        energy=Energy(item.energy),
        reference_number=item.reference_number,
        updated_at=item.created_at,
    )
    return mandate, item.renewal_status


def count_of_edv(enterprise_number: str) -> int:
    """How many mocks the EDV has (a count query: no item is read out)."""
    return SandboxMandateItem.count(enterprise_number)


def of_edv(enterprise_number: str) -> list[tuple[Mandate, str | None]]:
    """The EDV's mock mandates, each with the renewal status it was made with."""
    return [_mandate(item) for item in SandboxMandateItem.query(enterprise_number)]
