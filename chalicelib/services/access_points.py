"""The access-point registry (operators) and a person's own access points (customers)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from ..domain.access_points import (
    AccessPoint,
    GridUser,
    Tenure,
    check_configuration,
    check_tenure_start,
    check_tenure_unchanged,
    with_tenure,
)
from ..domain.brussels import brussels_date
from ..domain.errors import DomainError
from ..domain.paging import offset_page
from ..domain.vocabulary import Direction, Energy, MeterType, Role
from ..store import access_points as access_points_store
from ..store import directory as directory_store
from .contention import retrying


def acting_as(sub: str) -> set[GridUser]:
    """Who a person may act as towards the grid: themselves, and each organisation they
    administer (consent about an organisation's data is an administrator's decision)."""
    identities = {GridUser("person", sub)}
    for link in directory_store.links_of_person(sub):
        if link.role is Role.ADMIN:
            identities.add(GridUser("org", link.enterprise_number))
    return identities


@dataclass(frozen=True)
class Registration:
    energy: Energy
    meter_type: MeterType
    direction: Direction
    address: str
    meter_number: str
    grid_user: GridUser
    grid_user_since: date


def register(ean: str, registration: Registration, now: datetime) -> tuple[AccessPoint, bool]:
    """Register an EAN with its first grid user, or update its technical data. Its grid user
    changes only through a market scenario (services.market.register_with_scenario)."""
    check_configuration(registration.energy, registration.meter_type, registration.direction)
    today = brussels_date(now)
    check_tenure_start(registration.grid_user_since, today)
    tenure = Tenure(registration.grid_user, registration.grid_user_since)

    def attempt() -> tuple[AccessPoint, bool]:
        existing = access_points_store.get(ean)
        if existing is not None and existing.energy is not registration.energy:
            raise DomainError("conflict", "An EAN does not change energy.")
        if existing is not None:
            check_tenure_unchanged(existing, tenure, today)
        point = AccessPoint(
            ean=ean,
            energy=registration.energy,
            meter_type=registration.meter_type,
            direction=registration.direction,
            address=registration.address,
            meter_number=registration.meter_number,
            tenures=with_tenure(existing.tenures if existing else (), tenure),
            version=existing.version if existing else 0,
        )
        access_points_store.save(point, today)
        return point, existing is None

    return retrying(attempt)


def hand_over(ean: str, tenure: Tenure, today: date) -> None:
    """A new grid user from the tenure's start date (a market scenario). Idempotent; grants in
    flight against the outgoing grid user fail their check and re-read."""

    def attempt() -> None:
        point = get(ean)
        tenures = with_tenure(point.tenures, tenure)
        if tenures != point.tenures:
            access_points_store.save(replace(point, tenures=tenures), today)

    retrying(attempt)


@dataclass(frozen=True)
class MyAccessPoint:
    point: AccessPoint
    tenure: Tenure


def page_of_person(
    sub: str, now: datetime, limit: int, start: dict[str, Any] | None
) -> tuple[list[MyAccessPoint], dict[str, Any] | None]:
    """A page of the EANs where the person is grid user now, themselves or as administrator of
    an organisation, by EAN (a handful: read whole, paged by offset)."""
    return offset_page(mine(sub, now), limit, start)


def mine(sub: str, now: datetime) -> list[MyAccessPoint]:
    today = brussels_date(now)
    result = []
    for identity in sorted(acting_as(sub), key=lambda g: g.key):
        for point in access_points_store.of_grid_user(identity):
            tenure = point.tenure_on(today)
            if tenure is not None and tenure.grid_user == identity:
                result.append(MyAccessPoint(point, tenure))
    return sorted(result, key=lambda entry: entry.point.ean)


def get(ean: str) -> AccessPoint:
    point = access_points_store.get(ean)
    if point is None:
        raise DomainError("not_found", "There is no such access point.")
    return point
