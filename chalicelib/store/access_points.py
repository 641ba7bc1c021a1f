"""The access-point registry: EANs, their meters, and their grid users over time."""

from __future__ import annotations

from datetime import date

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import DoesNotExist, PutError
from pynamodb.expressions.condition import Condition
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from ..config import table_name
from ..domain.access_points import AccessPoint, GridUser, Tenure
from ..domain.vocabulary import Direction, Energy, MeterType
from .base import ContendedError, TableMeta, is_condition_failure, register


class AccessPointsByGridUser(GlobalSecondaryIndex["AccessPointItem"]):
    """The EANs a person or organisation is connected to now."""

    class Meta:
        index_name = "by_grid_user"
        projection = AllProjection()

    grid_user_key = UnicodeAttribute(hash_key=True)
    ean = UnicodeAttribute(range_key=True)


@register
class AccessPointItem(Model):
    class Meta(TableMeta):
        table_name = table_name("access_points")

    ean = UnicodeAttribute(hash_key=True)
    energy = UnicodeAttribute()
    meter_type = UnicodeAttribute()
    direction = UnicodeAttribute()
    address = UnicodeAttribute()
    meter_number = UnicodeAttribute()
    tenures = JSONAttribute()  # [{"grid_user": "person:..."|None, "since": "YYYY-MM-DD"}]
    grid_user_key = UnicodeAttribute(null=True)  # the current one: absent while vacant
    version = NumberAttribute(null=True)  # bumped by every write; absent on items from before
    by_grid_user = AccessPointsByGridUser()


def _point(item: AccessPointItem) -> AccessPoint:
    return AccessPoint(
        ean=item.ean,
        energy=Energy(item.energy),
        meter_type=MeterType(item.meter_type),
        direction=Direction(item.direction),
        address=item.address,
        meter_number=item.meter_number,
        tenures=tuple(
            Tenure(
                GridUser.from_key(t["grid_user"]) if t["grid_user"] else None,
                date.fromisoformat(t["since"]),
            )
            for t in item.tenures
        ),
        version=int(item.version or 0),
    )


def get(ean: str) -> AccessPoint | None:
    try:
        return _point(AccessPointItem.get(ean, consistent_read=True))
    except DoesNotExist:
        return None


def unchanged(point: AccessPoint) -> Condition:
    """The stored access point is still the version `point` was read as (0: new, or unversioned)."""
    if point.version == 0:
        return AccessPointItem.version.does_not_exist()
    return AccessPointItem.version == point.version


def save(point: AccessPoint, today: date) -> None:
    """Write the access point if nobody else did since it was read (else ContendedError); the
    index follows its grid user as of `today`."""
    current = point.grid_user_on(today)
    item = AccessPointItem(
        point.ean,
        energy=point.energy.value,
        meter_type=point.meter_type.value,
        direction=point.direction.value,
        address=point.address,
        meter_number=point.meter_number,
        tenures=[
            {"grid_user": t.grid_user.key if t.grid_user else None, "since": t.since.isoformat()}
            for t in point.tenures
        ],
        grid_user_key=current.key if current else None,
        version=point.version + 1,
    )
    try:
        item.save(condition=unchanged(point))
    except PutError as error:
        if is_condition_failure(error):
            raise ContendedError() from error
        raise


def of_grid_user(grid_user: GridUser) -> list[AccessPoint]:
    return [_point(item) for item in AccessPointItem.by_grid_user.query(grid_user.key)]


def get_many(eans: set[str]) -> dict[str, AccessPoint]:
    if not eans:
        return {}
    return {item.ean: _point(item) for item in AccessPointItem.batch_get(sorted(eans))}
