"""The (EDV, EAN) projection: one item per pair an EDV ever had a mandate on. It is the EDV's
"meters of others", and the lock that keeps one mandate active per pair: a grant's transaction
requires the active mandate it read to still be the pair's."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import DoesNotExist
from pynamodb.expressions.condition import Condition
from pynamodb.models import Model

from ..config import table_name
from ..domain.access_points import AccessPoint
from ..domain.mandates import Mandate, stored_forms
from ..domain.vocabulary import Granularity, MandateStatus
from .base import Key, TableMeta, register, take_page


@register
class EdvAccessPointItem(Model):
    """One item per (EDV, EAN) it ever had a mandate on: "meters of others", and the lock that
    keeps one mandate active per pair."""

    class Meta(TableMeta):
        table_name = table_name("edv_access_points")

    edv = UnicodeAttribute(hash_key=True)
    ean = UnicodeAttribute(range_key=True)
    active_mandate_id = UnicodeAttribute(null=True)
    latest_mandate_id = UnicodeAttribute()
    status = UnicodeAttribute()
    granularity = UnicodeAttribute()
    valid_until = UTCDateTimeAttribute()
    energy = UnicodeAttribute()
    meter_type = UnicodeAttribute()
    direction = UnicodeAttribute()
    updated_at = UTCDateTimeAttribute()


def item_of(mandate: Mandate, point: AccessPoint, now: datetime) -> EdvAccessPointItem:
    return EdvAccessPointItem(
        mandate.edv,
        mandate.ean,
        active_mandate_id=mandate.id,
        latest_mandate_id=mandate.id,
        status=mandate.status.value,
        granularity=mandate.granularity.value,
        valid_until=mandate.valid_until,
        energy=point.energy.value,
        meter_type=point.meter_type.value,
        direction=point.direction.value,
        updated_at=now,
    )


def active_condition(expected_active: str | None) -> Condition:
    if expected_active is None:
        return EdvAccessPointItem.active_mandate_id.does_not_exist()
    return EdvAccessPointItem.active_mandate_id == expected_active


def point_details(enterprise_number: str, ean: str) -> dict[str, Any] | None:
    try:
        item = EdvAccessPointItem.get(enterprise_number, ean, consistent_read=True)
    except DoesNotExist:
        return None
    return dict(item.attribute_values)


def active_of_edv(enterprise_number: str) -> Iterator[tuple[str, str]]:
    """(ean, active mandate id) of every pair of the EDV with an active mandate."""
    query = EdvAccessPointItem.query(
        enterprise_number, filter_condition=EdvAccessPointItem.active_mandate_id.exists()
    )
    for item in query:
        if item.active_mandate_id:
            yield item.ean, item.active_mandate_id


@dataclass(frozen=True)
class EdvAccessPoint:
    """A row of "meters of others"."""

    ean: str
    latest_mandate_id: str
    status: MandateStatus
    granularity: Granularity
    valid_until: datetime
    energy: str
    meter_type: str
    direction: str


def _seen_as(status: MandateStatus, now: datetime) -> Condition:
    """Rows a reader at `now` sees with `status` (domain.mandates.stored_forms)."""
    item = EdvAccessPointItem
    condition: Condition | None = None
    for stored, still_valid in stored_forms(status):
        form = item.status == stored.value
        if still_valid is not None:
            form = form & (item.valid_until > now if still_valid else item.valid_until <= now)
        condition = form if condition is None else condition | form
    assert condition is not None
    return condition


def page_of_edv(
    enterprise_number: str,
    *,
    ean_prefix: str | None,
    energy: str | None,
    meter_type: str | None,
    granularity: str | None,
    status: str | None,
    now: datetime,
    limit: int,
    start: Key | None,
) -> tuple[list[EdvAccessPoint], Key | None]:
    item = EdvAccessPointItem
    condition: Condition | None = None

    def both(extra: Condition) -> None:
        nonlocal condition
        condition = extra if condition is None else condition & extra

    if energy:
        both(item.energy == energy)
    if meter_type:
        both(item.meter_type == meter_type)
    if granularity:
        both(item.granularity == granularity)
    if status:
        both(_seen_as(MandateStatus(status), now))
    range_condition = item.ean.startswith(ean_prefix) if ean_prefix else None
    query = item.query(
        enterprise_number,
        range_condition,
        filter_condition=condition,
        last_evaluated_key=start,
        page_size=limit + 1,
    )
    rows, resume = take_page(query, limit)
    return [
        EdvAccessPoint(
            ean=row.ean,
            latest_mandate_id=row.latest_mandate_id,
            status=MandateStatus(row.status),
            granularity=Granularity(row.granularity),
            valid_until=row.valid_until,
            energy=row.energy,
            meter_type=row.meter_type,
            direction=row.direction,
        )
        for row in rows
    ], resume
