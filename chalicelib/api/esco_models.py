"""The ESCO v3 shapes, for reading the one request body and for describing the answers in our
OpenAPI document. The names, casing and enums are those of the public ESCO API v3."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, field_validator

from ..domain.exports import MAX_EANS
from ..domain.vocabulary import MeterChannel
from ..serving.esco import (
    EscoModel,
    EscoQuery,
    blank,
    choice,
    choices,
    ean_parameter,
    instant,
    listed,
    parse_instant,
)
from ..serving.esco_wire import (
    COMPLEX_ENERGY,
    DATA_SERVICE_TYPES,
    GRANULARITIES,
    MANDATE_STATUSES,
    PERIOD_TYPES,
    RENEWAL_STATUSES,
)
from ..serving.types import Ean, EnterpriseNumber

MeasurementState = Literal["READ", "EST", "VAL", "NVAL"]


MAX_PAGE_SIZE = 5000  # ~1.3 MB on the wire
# An EDV's own reference for a consent: keyed (by_edv_reference), so bounded well inside
# DynamoDB's 2 kB partition key with the enterprise number before it.
REFERENCE_LENGTH = 200


class MandatesQuery(EscoQuery):
    data_service_types: Annotated[
        frozenset[str] | None,
        choices("dataServiceTypes", DATA_SERVICE_TYPES),
        listed(DATA_SERVICE_TYPES),
    ] = Field(None, alias="dataServiceTypes")
    reference_number: Annotated[str | None, BeforeValidator(blank)] = Field(
        None, alias="referenceNumber", max_length=REFERENCE_LENGTH
    )
    ean: Annotated[str | None, ean_parameter(required=False)] = None
    energy_type: Annotated[Literal["E", "G"] | None, choice("energyType", ("E", "G"))] = Field(
        None, alias="energyType"
    )
    status: Annotated[
        Literal["Requested", "Approved", "Rejected", "Finished"] | None,
        choice("status", MANDATE_STATUSES),
    ] = None
    mandate_expiration_date: Annotated[datetime | None, instant("mandateExpirationDate")] = Field(
        None, alias="mandateExpirationDate", description="Mandates expiring at or before this."
    )
    renewal_status: Annotated[
        Literal["ToBeRenewed", "RenewalRequested", "Expired"] | None,
        choice("renewalStatus", RENEWAL_STATUSES),
    ] = Field(None, alias="renewalStatus")
    last_updated_from: Annotated[datetime | None, instant("lastUpdatedFrom")] = Field(
        None, alias="lastUpdatedFrom"
    )
    last_updated_to: Annotated[datetime | None, instant("lastUpdatedTo")] = Field(
        None, alias="lastUpdatedTo"
    )
    page_size: int | None = Field(
        None,
        alias="pageSize",
        ge=1,
        le=MAX_PAGE_SIZE,
        description="Extension (not in the ESCO API v3): answer in pages of at most this many "
        "mandates looked through (the filters apply within the page).",
    )
    continuation_token: str | None = Field(
        None,
        alias="continuationToken",
        max_length=4096,
        description="Extension (not in the ESCO API v3): the previous page's token.",
    )


class EnergyQuery(EscoQuery):
    ean: Annotated[str, ean_parameter(required=True)]
    period_type: Annotated[
        Literal["readTime", "insertTime"], choice("periodType", PERIOD_TYPES, required=True)
    ] = Field(alias="periodType")
    granularity: Annotated[
        frozenset[str] | None, choices("granularity", GRANULARITIES), listed(GRANULARITIES)
    ] = None
    complex_energy_types: Annotated[
        frozenset[str] | None,
        choices("complexEnergyTypes", COMPLEX_ENERGY),
        listed(COMPLEX_ENERGY),
    ] = Field(None, alias="complexEnergyTypes")
    from_: Annotated[datetime | None, instant("from")] = Field(None, alias="from")
    to: Annotated[datetime | None, instant("to")] = None
    reference_number: Annotated[str | None, BeforeValidator(blank)] = Field(
        None, alias="referenceNumber", max_length=REFERENCE_LENGTH
    )


# Answers --------------------------------------------------------------------------------------


class ResponseMetadata(EscoModel):
    fetch_time: datetime = Field(alias="fetchTime")


class ClientSessionDataService(EscoModel):
    data_service_type: Literal["VH_onbepaald", "VH_kwartier_uur", "VH_dag", "IG"] = Field(
        alias="dataServiceType"
    )
    data_period_from: str | None = Field(None, alias="dataPeriodFrom")
    data_period_to: str | None = Field(None, alias="dataPeriodTo")

    @field_validator("data_period_from", "data_period_to")
    @classmethod
    def an_instant(cls, value: str | None) -> str | None:
        if value is not None:
            parse_instant(value)  # ValueError (a bad form, or outside 2000-2100): reported as 400
        return value


class CreateClientSessionRequest(EscoModel):
    data_access_contract_number: str = Field(
        alias="dataAccessContractNumber", min_length=1, max_length=100
    )
    reference_number: str = Field(
        alias="referenceNumber", min_length=1, max_length=REFERENCE_LENGTH
    )
    flow: Literal["B2C", "B2B"]
    data_services: list[ClientSessionDataService] | None = Field(None, alias="dataServices")
    number_of_eans: int | None = Field(None, alias="numberOfEans", ge=1, le=1000)
    return_url_success: str | None = Field(None, alias="returnUrlSuccess", max_length=2000)
    return_url_failed: str | None = Field(None, alias="returnUrlFailed", max_length=2000)
    sso: bool | None = None
    enterprise_number: EnterpriseNumber | None = Field(None, alias="enterpriseNumber")


class CreateMockMandateRequest(EscoModel):
    """A mock mandate of the sandbox (`POST /api/mandate/mock`): what the sandbox's reads then
    serve. The EAN's last digits choose the meter (see docs/api.md)."""

    reference_number: str = Field(
        alias="referenceNumber", min_length=1, max_length=REFERENCE_LENGTH
    )
    ean: str = Field(min_length=1, max_length=18)
    data_service_type: Literal["VH_kwartier_uur", "VH_dag"] = Field(alias="dataServiceType")
    data_period_from: str | None = Field(None, alias="dataPeriodFrom", max_length=40)
    data_period_to: str | None = Field(None, alias="dataPeriodTo", max_length=40)
    status: Literal["Requested", "Approved", "Rejected", "Finished"] = "Approved"
    mandate_expiration_date: str | None = Field(None, alias="mandateExpirationDate", max_length=40)
    renewal_status: Literal["ToBeRenewed", "RenewalRequested", "Expired"] | None = Field(
        None, alias="renewalStatus"
    )

    @field_validator("data_period_from", "data_period_to", "mandate_expiration_date")
    @classmethod
    def an_instant(cls, value: str | None) -> str | None:
        if value is not None:
            parse_instant(value)  # ValueError (a bad form, or outside 2000-2100): reported as 400
        return value


class CreateMockMandateData(EscoModel):
    status: Literal["success"]


class CreateMockMandateResponse(EscoModel):
    data: CreateMockMandateData
    meta: ResponseMetadata = Field(alias="_meta")


class CreateClientSessionData(EscoModel):
    status: Literal["success", "failed"]
    short_url_identifier: str | None = Field(None, alias="shortUrlIdentifier")
    valid_to: datetime | None = Field(None, alias="validTo")


class CreateClientSessionResponse(EscoModel):
    data: CreateClientSessionData
    meta: ResponseMetadata = Field(alias="_meta")


class EscoMandate(EscoModel):
    reference_number: str | None = Field(None, alias="referenceNumber")
    status: Literal["Requested", "Approved", "Rejected", "Finished"]
    ean: str
    energy_type: Literal["E", "G"] = Field(alias="energyType")
    data_period_from: datetime = Field(alias="dataPeriodFrom")
    data_period_to: datetime = Field(alias="dataPeriodTo")
    data_service_type: Literal["VH_kwartier_uur", "VH_dag"] = Field(alias="dataServiceType")
    mandate_expiration_date: datetime = Field(alias="mandateExpirationDate")
    renewal_status: Literal["ToBeRenewed", "RenewalRequested", "Expired"] | None = Field(
        None, alias="renewalStatus"
    )


class GetMandatesData(EscoModel):
    mandates: list[EscoMandate]
    continuation_token: str | None = Field(
        None,
        alias="continuationToken",
        description="Extension (not in the ESCO API v3), only with pageSize: the next page's "
        "token; absent on the last page.",
    )


class GetMandatesResponse(EscoModel):
    data: GetMandatesData
    meta: ResponseMetadata = Field(alias="_meta")


class RenewalRequest(EscoModel):
    """Our extension: the EAN whose active mandate the customer is asked to renew."""

    ean: Ean


class ExportRequestBody(EscoModel):
    """Our extension: the history of some or all of the caller's mandates, as one job."""

    eans: list[Ean] | None = Field(None, min_length=1, max_length=MAX_EANS)
    resolution: Literal["quarter_hour", "hour", "day"] | None = None
    channels: list[MeterChannel] | None = Field(None, min_length=1, max_length=2)
    from_: date | None = Field(None, alias="from")
    to: date | None = None


class ExportFileData(EscoModel):
    bytes: int
    sha256: str
    url: str


class ExportData(EscoModel):
    export_id: str = Field(alias="exportId")
    status: Literal["queued", "running", "ready", "failed"]
    run: int
    eans: int
    done: int
    created_at: datetime = Field(alias="createdAt")
    finished_at: datetime | None = Field(None, alias="finishedAt")
    error: str | None = None
    files: dict[str, ExportFileData]
    limits: dict[str, int]


class ExportResponse(EscoModel):
    data: ExportData
    meta: ResponseMetadata = Field(alias="_meta")


class RenewalRequestResponse(EscoModel):
    data: EscoMandate
    meta: ResponseMetadata = Field(alias="_meta")


class PurgeDutiesQuery(EscoQuery):
    """Our extension: the caller's purge duties, oldest first, a page at a time."""

    status: Annotated[Literal["open", "all"], choice("status", ("open", "all"))] = Field(
        "open", description="open: not yet confirmed (the default); all: confirmed ones too."
    )
    page_size: int = Field(100, alias="pageSize", ge=1, le=1000)
    continuation_token: str | None = Field(None, alias="continuationToken", max_length=4096)


class PurgeDutyData(EscoModel):
    id: str
    ean: str
    mandate_id: str = Field(alias="mandateId")
    from_: date = Field(alias="from", description="The first Brussels day to delete")
    to: date = Field(description="Exclusive")
    keep: Literal["daily"] | None = Field(
        description="daily: delete the quarter-hours or hours and keep the days; null: "
        "delete everything in the span."
    )
    reason: str
    since: datetime
    confirmed_at: datetime | None = Field(alias="confirmedAt")


class PurgeDutiesData(EscoModel):
    purge_duties: list[PurgeDutyData] = Field(alias="purgeDuties")
    continuation_token: str | None = Field(None, alias="continuationToken")


class PurgeDutiesResponse(EscoModel):
    data: PurgeDutiesData
    meta: ResponseMetadata = Field(alias="_meta")


class PurgeDutyResponse(EscoModel):
    data: PurgeDutyData
    meta: ResponseMetadata = Field(alias="_meta")


class ConsentRequestData(EscoModel):
    short_url_identifier: str = Field(alias="shortUrlIdentifier")
    reference_number: str = Field(alias="referenceNumber")
    status: Literal["open", "declined", "expired"] = Field(
        description="declined: the customer declined it as a whole (the EANs they named, if "
        "any, are Rejected mandates under its referenceNumber); expired: its 24 hours are over."
    )
    valid_to: datetime = Field(alias="validTo")
    declined_at: datetime | None = Field(None, alias="declinedAt")


class ConsentRequestResponse(EscoModel):
    data: ConsentRequestData
    meta: ResponseMetadata = Field(alias="_meta")


class MeasurementValue(EscoModel):
    value: float | None
    unit: Literal["kWh", "m3"]
    validation_state: MeasurementState = Field(alias="validationState")
    gas_conversion_factor: Literal["P", "D", "C"] | None = Field(None, alias="gasConversionFactor")


class MeasurementValueSet(EscoModel):
    total: MeasurementValue | None = None
    day: MeasurementValue | None = None
    night: MeasurementValue | None = None


class MeasurementDirection(EscoModel):
    offtake: MeasurementValueSet | None = None
    injection: MeasurementValueSet | None = None


class MeasurementTimeSlice(EscoModel):
    start: datetime
    end: datetime
    measurements: list[MeasurementDirection]


class PhysicalMeter(EscoModel):
    seq_number: str = Field(alias="seqNumber")
    meter_id: str = Field(alias="meterID")
    daily_energy: list[MeasurementTimeSlice] | None = Field(None, alias="dailyEnergy")
    hourly_energy: list[MeasurementTimeSlice] | None = Field(None, alias="hourlyEnergy")
    quarter_hourly_energy: list[MeasurementTimeSlice] | None = Field(
        None, alias="quarterHourlyEnergy"
    )


class MeteringOnMeter(EscoModel):
    """A digital meter: offtake and injection on one EAN, with its physical meter."""

    type: Literal["metering-on-meter"] = Field(alias="$type")
    ean: str
    energy_type: Literal["E", "G"] = Field(alias="energyType")
    physical_meters: list[PhysicalMeter] = Field(alias="physicalMeters")


class MeteringOnHeadpoint(EscoModel):
    """An AMR installation: the EAN's own direction, measured on the headpoint."""

    type: Literal["metering-on-headpoint"] = Field(alias="$type")
    ean: str
    energy_type: Literal["E", "G"] = Field(alias="energyType")
    daily_energy: list[MeasurementTimeSlice] | None = Field(None, alias="dailyEnergy")
    hourly_energy: list[MeasurementTimeSlice] | None = Field(None, alias="hourlyEnergy")
    quarter_hourly_energy: list[MeasurementTimeSlice] | None = Field(
        None, alias="quarterHourlyEnergy"
    )


class GetEnergyData(EscoModel):
    headpoint: MeteringOnMeter | MeteringOnHeadpoint = Field(discriminator="type")


class GetEnergyResponse(EscoModel):
    data: GetEnergyData
    meta: ResponseMetadata = Field(alias="_meta")
