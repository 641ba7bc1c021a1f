"""The machine API's sandbox (/esco-sbx/v3): the same operations as the live face, over mock
mandates the EDV makes with `POST /api/mandate/mock` and data generated for them
(domain/sandbox.py). Each EDV sees only its own mocks; nothing here touches live mandates, meter
data, the access log or billing."""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, date, datetime, timedelta

from ..domain import quotas
from ..domain import sandbox as generated
from ..domain.access_points import GridUser
from ..domain.api_clients import ApiClient
from ..domain.brussels import add_years, brussels_date, day_start_utc
from ..domain.errors import DomainError, FieldError
from ..domain.identifiers import is_valid_ean
from ..domain.mandates import Mandate, valid_until
from ..domain.readings import HOUR, QUARTER_HOUR
from ..domain.vocabulary import Energy, Granularity, MandateStatus
from ..domain.volumes import check_insert_window, check_instant_window, instant_window
from ..store import sandbox as sandbox_store
from . import api_clients
from .machine_api import EnergyAnswer, MandateFilters, PeriodType, Series, Slice, wanted_series

DEFAULT_PERIOD_YEARS = 3  # a mock without a data period covers three years back and ahead
SANDBOX_CUSTOMER = GridUser("person", "sandbox")


def create_mock(
    edv: str,
    *,
    reference_number: str,
    ean: str,
    granularity: Granularity,
    period_from: date | None,
    period_to: date | None,
    status: MandateStatus,
    expires_at: datetime | None,
    renewal_status: str | None,
    now: datetime,
) -> Mandate:
    if not is_valid_ean(ean):
        message = "Property 'ean' must be 18 digits with a valid GS1 check digit."
        raise DomainError("validation_error", message, errors=[FieldError("ean", message)])
    quotas.check_room("sandbox_mocks", sandbox_store.count_of_edv(edv), quotas.SANDBOX_MOCKS)
    energy, _ = generated.meter_of(ean)
    if granularity is not Granularity.DAY:
        granularity = Granularity.HOUR if energy is Energy.GAS else Granularity.QUARTER_HOUR
    today = brussels_date(now)
    start = period_from or add_years(today, -DEFAULT_PERIOD_YEARS)
    end = period_to or add_years(today, DEFAULT_PERIOD_YEARS)
    if end <= start:
        message = "Property 'dataPeriodTo' must come after 'dataPeriodFrom'."
        raise DomainError("validation_error", message, errors=[FieldError("dataPeriodTo", message)])
    mandate = Mandate(
        id=str(uuid.uuid4()),
        ean=ean,
        edv=edv,
        granularity=granularity,
        period_start=start,
        period_end=end,
        granted_at=now,
        valid_until=expires_at or valid_until(now),
        status=status,
        granted_by="sandbox",
        grid_user=SANDBOX_CUSTOMER,
        energy=energy,
        reference_number=reference_number,
        updated_at=now,
    )
    sandbox_store.save(mandate, renewal_status)
    return mandate


def mandates(
    client: ApiClient, filters: MandateFilters, now: datetime
) -> list[tuple[Mandate, str | None]]:
    found = [
        (mandate, renewal)
        for mandate, renewal in sandbox_store.of_edv(client.enterprise_number)
        if filters.match(mandate, now)
    ]
    return sorted(found, key=lambda pair: (pair[0].granted_at, pair[0].id))


def new_session_identifier() -> str:
    """A sandbox consent request leads no customer anywhere: its identifier opens nothing live."""
    return "sbx-" + secrets.token_hex(30)


def energy(
    client: ApiClient,
    ean: str,
    *,
    period_type: PeriodType,
    series: frozenset[Series] | None,
    window_from: datetime | None,
    window_to: datetime | None,
    reference_number: str | None,
    now: datetime,
) -> EnergyAnswer:
    mandate = _readable(client, ean, reference_number, now)
    point = generated.access_point(ean)
    wanted = wanted_series(series, fine_allowed=mandate.granularity is not Granularity.DAY)
    hour = point.day_hour
    last_day = min(mandate.period_end, brussels_date(now) + timedelta(days=1))
    lower, upper = day_start_utc(mandate.period_start, hour), day_start_utc(last_day, hour)
    start, to = instant_window(window_from, window_to, now)
    as_of = now
    if period_type is PeriodType.INSERT_TIME:
        check_insert_window(start, to)
        as_of, inserted_from = min(to, now), start
        # Whatever was stored in the window: values of slots up to VALIDATED_AFTER earlier.
        start, to = start - generated.VALIDATED_AFTER - timedelta(days=1), to
    else:
        check_instant_window(start, to, fine=Series.FINE in wanted)
        inserted_from = datetime.min.replace(tzinfo=UTC)
    start, to = max(start, lower), min(to, upper)
    minutes = HOUR if point.energy is Energy.GAS else QUARTER_HOUR
    fine = daily = None
    if Series.FINE in wanted:
        fine = [
            _slice(reading)
            for reading in generated.fine_readings(point, start, to, minutes, as_of)
            if reading.inserted_at >= inserted_from
        ]
    if Series.DAILY in wanted:
        first = brussels_date(start, hour) if to > start else mandate.period_end
        end = brussels_date(to - timedelta(microseconds=1), hour) + timedelta(days=1)
        daily = []
        for reading, split in generated.day_readings(point, first, end, minutes, as_of):
            if reading.inserted_at >= inserted_from and start <= reading.start < to:
                piece = _slice(reading)
                if point.direction.value == "both":
                    piece.day_night = split
                daily.append(piece)
    return EnergyAnswer(point, mandate, fine, daily)


def _slice(reading: generated.Reading) -> Slice:
    return Slice(
        reading.start,
        reading.end,
        dict(reading.values),
        gas_factor=generated.GAS_FACTOR,
        factor_definitive=True,
    )


def _readable(client: ApiClient, ean: str, reference_number: str | None, now: datetime) -> Mandate:
    approved = [
        mandate
        for mandate, _ in sandbox_store.of_edv(client.enterprise_number)
        if mandate.ean == ean and mandate.status_at(now) is MandateStatus.ACTIVE
    ]
    if reference_number is not None:
        approved = [m for m in approved if m.reference_number == reference_number]
    if not approved:
        raise DomainError("no_mandate", "No approved mock mandate on this EAN.")
    return max(approved, key=lambda m: m.granted_at)


def of_organisation(actor_sub: str, enterprise_number: str) -> list[Mandate]:
    """The portal's view of an EDV's sandbox, for its administrators: its mock mandates."""
    api_clients.require_admin_of_api_edv(actor_sub, enterprise_number)
    found = [mandate for mandate, _ in sandbox_store.of_edv(enterprise_number)]
    return sorted(found, key=lambda m: (m.granted_at, m.id), reverse=True)


def create_in_portal(
    actor_sub: str,
    enterprise_number: str,
    ean: str,
    granularity: Granularity,
    reference_number: str,
    now: datetime,
) -> Mandate:
    """A mock mandate made in the portal: active, three years of data back and ahead."""
    api_clients.require_admin_of_api_edv(actor_sub, enterprise_number)
    return create_mock(
        enterprise_number,
        reference_number=reference_number,
        ean=ean,
        granularity=granularity,
        period_from=None,
        period_to=None,
        status=MandateStatus.ACTIVE,
        expires_at=None,
        renewal_status=None,
        now=now,
    )
