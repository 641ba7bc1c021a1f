"""The (EDV, EAN) projection: one item per pair an EDV ever had a mandate on. It is the EDV's
"meters of others", and the lock that keeps one mandate active per pair: a grant's transaction
requires the active mandate it read to still be the pair's.

"Meters of others" is listed by EAN. Unfiltered, or by EAN prefix, that is the EDV's partition.
Filtered (energy, meter type, granularity, status), it is the `by_facet` index: each item is also
filed under its facet, `{edv}#{energy}#{meter type}#{granularity}#{stored status}`; a filter names
the facets it matches (a handful: 2 energies x 2 meter types x 3 granularities x 5 statuses at
most), and the page merges them by EAN. A request reads what it returns, plus a small chunk per
facet, whatever the size of the EDV."""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pynamodb.attributes import JSONAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import DoesNotExist
from pynamodb.expressions.condition import Condition
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from ..config import table_name
from ..domain.access_points import AccessPoint
from ..domain.mandates import Mandate, stored_forms
from ..domain.usage_counts import Closed
from ..domain.vocabulary import Energy, Granularity, MandateStatus, MeterType
from .base import Key, TableMeta, register, take_page


class ByFacet(GlobalSecondaryIndex["EdvAccessPointItem"]):
    class Meta:
        index_name = "by_facet"
        projection = AllProjection()

    facet = UnicodeAttribute(hash_key=True)
    ean = UnicodeAttribute(range_key=True)


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
    facet = UnicodeAttribute()
    # What the pair was billed for and can still meet a new mandate (domain/usage_counts.py):
    # per granularity, the latest span of days of its mandates that stopped giving access.
    billed = JSONAttribute(null=True)
    by_facet = ByFacet()


def facet(edv: str, energy: str, meter_type: str, granularity: str, status: str) -> str:
    return f"{edv}#{energy}#{meter_type}#{granularity}#{status}"


def closed_of(item: EdvAccessPointItem | None) -> Closed:
    raw = (item.billed or {}) if item is not None else {}
    return {
        Granularity(g): (date.fromisoformat(span[0]), date.fromisoformat(span[1]))
        for g, span in raw.items()
    }


def billed_out(closed: Closed) -> dict[str, list[str]]:
    return {g.value: [span[0].isoformat(), span[1].isoformat()] for g, span in closed.items()}


def item_of(
    mandate: Mandate, point: AccessPoint, now: datetime, closed: Closed
) -> EdvAccessPointItem:
    """The pair's row with `mandate` in force (account.in_force: its new active mandate)."""
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
        facet=facet(
            mandate.edv,
            point.energy.value,
            point.meter_type.value,
            mandate.granularity.value,
            mandate.status.value,
        ),
        billed=billed_out(closed),
    )


def pair_item(edv: str, ean: str) -> EdvAccessPointItem | None:
    try:
        return EdvAccessPointItem.get(edv, ean, consistent_read=True)
    except DoesNotExist:
        return None


def closed_facet(item: EdvAccessPointItem, mandate: Mandate) -> str:
    """The facet of the pair once its active mandate ended or expired, still in force (the
    pair's meter type is its access point's, as the grant filed it)."""
    return facet(mandate.edv, item.energy, item.meter_type, item.granularity, mandate.status.value)


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
    """(ean, active mandate id) of every pair of the EDV with an active (or requested) mandate,
    read from their facets: the pairs it no longer holds are not read at all."""
    holding = (MandateStatus.ACTIVE.value, MandateStatus.REQUESTED.value)
    names = [name for s in holding for name, _ in _facets(enterprise_number, None, None, None, s)]
    for name in names:
        query = EdvAccessPointItem.by_facet.query(
            name, filter_condition=EdvAccessPointItem.active_mandate_id.exists()
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
    """A page of the EDV's pairs by EAN; `start` and the resume key name the EAN after which
    the page begins (the table's own key, whichever way the page was read)."""
    if not (energy or meter_type or granularity or status):
        query = EdvAccessPointItem.query(
            enterprise_number,
            EdvAccessPointItem.ean.startswith(ean_prefix) if ean_prefix else None,
            last_evaluated_key=start,
            page_size=limit + 1,
        )
        rows, resume = take_page(query, limit)
        return [_row(row) for row in rows], resume
    after = str(start["ean"]["S"]) if start else None
    facets = _facets(enterprise_number, energy, meter_type, granularity, status)
    chunk = max(5, (limit + 1) // len(facets) + 1)
    streams = [
        _facet_rows(name, still_valid, ean_prefix, after, now, chunk)
        for name, still_valid in facets
    ]
    merged = list(itertools.islice(heapq.merge(*streams, key=lambda row: row.ean), limit + 1))
    rows = merged[:limit]
    if len(merged) <= limit:
        return [_row(row) for row in rows], None
    resume = {"edv": {"S": enterprise_number}, "ean": {"S": rows[-1].ean}}
    return [_row(row) for row in rows], resume


def _facets(
    edv: str,
    energy: str | None,
    meter_type: str | None,
    granularity: str | None,
    status: str | None,
) -> list[tuple[str, bool | None]]:
    """The facets a filter matches, each with whether valid_until must still be ahead (True),
    passed (False) or either (None): a reader's status is stored status and validity."""
    forms = (
        stored_forms(MandateStatus(status))
        if status
        else tuple((stored, None) for stored in MandateStatus)
    )
    return [
        (facet(edv, e, m, g, stored.value), still_valid)
        for e in ([energy] if energy else [item.value for item in Energy])
        for m in ([meter_type] if meter_type else [item.value for item in MeterType])
        for g in ([granularity] if granularity else [item.value for item in Granularity])
        for stored, still_valid in forms
    ]


def _facet_rows(
    name: str,
    still_valid: bool | None,
    ean_prefix: str | None,
    after: str | None,
    now: datetime,
    chunk: int,
) -> Iterator[EdvAccessPointItem]:
    """One facet's rows by EAN, after `after`, read `chunk` at a time as the merge asks."""
    item = EdvAccessPointItem
    low = max(ean_prefix or "", after + "\x00" if after else "")
    range_condition: Condition | None
    if ean_prefix:
        range_condition = item.ean.between(low, ean_prefix + "\uffff")
    elif after:
        range_condition = item.ean > after
    else:
        range_condition = None
    validity: Condition | None = None
    if still_valid is True:
        validity = item.valid_until > now
    elif still_valid is False:
        validity = item.valid_until <= now
    yield from item.by_facet.query(
        name, range_condition, filter_condition=validity, page_size=chunk
    )


def _row(row: EdvAccessPointItem) -> EdvAccessPoint:
    return EdvAccessPoint(
        ean=row.ean,
        latest_mandate_id=row.latest_mandate_id,
        status=MandateStatus(row.status),
        granularity=Granularity(row.granularity),
        valid_until=row.valid_until,
        energy=row.energy,
        meter_type=row.meter_type,
        direction=row.direction,
    )
