"""The ESCO v3 shapes, for reading the one request body and for describing the answers in our
OpenAPI document. The names, casing and enums are those of the public ESCO API v3."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema, field_validator
from pydantic_core import PydanticCustomError

from ..domain.brussels import BRUSSELS, SUPPORTED_RANGE, is_supported
from ..domain.exports import MAX_EANS
from ..domain.identifiers import EAN_LENGTH, gs1_check_digit, is_valid_ean
from ..domain.vocabulary import MeterChannel
from .esco_wire import (
    COMPLEX_ENERGY,
    DATA_SERVICE_TYPES,
    GRANULARITIES,
    MANDATE_STATUSES,
    PERIOD_TYPES,
    RENEWAL_STATUSES,
)
from .models import ApiModel
from .types import Ean, EnterpriseNumber

MeasurementState = Literal["READ", "EST", "VAL", "NVAL"]


class EscoModel(ApiModel):
    model_config = ConfigDict(defer_build=True, populate_by_name=True)


DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")

# Query parameters -----------------------------------------------------------------------------
# Read the ESCO way: every problem reported, each in the reference's words. A blank value counts as
# absent; a required one then is "mandatory" (the face words pydantic's `missing`).


def _blank(value: Any) -> Any:
    return None if value in (None, "") else value


def _missing() -> PydanticCustomError:
    return PydanticCustomError("missing", "Field required")


def _checked(check: Callable[[Any], Any], required: bool) -> BeforeValidator:
    def validate(value: Any) -> Any:
        value = _blank(value)
        if value is None:
            if required:
                raise _missing()
            return None
        return check(value)

    return BeforeValidator(validate)


def choice(name: str, allowed: tuple[str, ...], *, required: bool = False) -> BeforeValidator:
    options = " or ".join(f"'{option}'" for option in allowed)

    def check(value: Any) -> Any:
        value = _canonical(value, allowed)
        if value not in allowed:
            raise PydanticCustomError(
                "esco",
                f"Parameter '{name}' must be {options} (case-sensitive) "
                "or must be entirely ommitted.",
            )
        return value

    return _checked(check, required)


def choices(name: str, allowed: tuple[str, ...]) -> BeforeValidator:
    """One or more values, separated by ',', ';' or '|'."""

    def check(value: Any) -> frozenset[str]:
        chosen = {
            _canonical(part.strip(), allowed)
            for part in str(value).replace(";", ",").replace("|", ",").split(",")
            if part.strip()
        }
        if not chosen or chosen - set(allowed):
            raise PydanticCustomError(
                "esco",
                f"Parameter '{name}' must be one or more of {', '.join(allowed)} "
                "(case-sensitive), separated by ',' or ';' or '|'.",
            )
        return frozenset(chosen)

    return _checked(check, required=False)


def _canonical(value: Any, allowed: tuple[str, ...]) -> Any:
    """The reference's framework binds enum values whatever their case: `readtime` is readTime."""
    text = str(value)
    return next((option for option in allowed if option.lower() == text.lower()), text)


def parse_instant(text: str) -> datetime:
    """What the reference's clients send: an ISO 8601 instant with an offset or `Z`; one without
    an offset (UTC, as the ESCO API reads it); a Java ZonedDateTime with its zone appended
    (`2025-03-30T00:00:00+01:00[Europe/Brussels]`); or a date alone, a Brussels date, which
    starts at that day's midnight in Brussels."""
    zone: ZoneInfo | None = None
    if text.endswith("]") and "[" in text:
        text, _, name = text[:-1].partition("[")
        try:
            zone = ZoneInfo(name)
        except (ValueError, ZoneInfoNotFoundError):
            raise ValueError(f"unknown time zone {name!r}") from None
    if DATE_ONLY.fullmatch(text):
        parsed = datetime.combine(date.fromisoformat(text), time(), zone or BRUSSELS)
    else:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=zone or UTC)
    if not is_supported(parsed):
        raise ValueError(f"{text!r} is outside the supported years {SUPPORTED_RANGE}")
    return parsed


def instant(name: str) -> BeforeValidator:
    def check(value: Any) -> datetime:
        try:
            return parse_instant(str(value))
        except ValueError:
            raise PydanticCustomError(
                "esco", f"Parameter '{name}' must be a date and time (ISO 8601)."
            ) from None

    return _checked(check, required=False)


def ean_parameter(*, required: bool) -> BeforeValidator:
    """18 digits, the last one the GS1 check digit; each fault said as it is."""

    def check(value: Any) -> str:
        text = str(value)
        if len(text) != EAN_LENGTH or not (text.isascii() and text.isdigit()):
            raise PydanticCustomError("esco", "Parameter 'ean' must contain 18 digits.")
        if not is_valid_ean(text):
            raise PydanticCustomError(
                "esco",
                "Parameter 'ean' has a wrong check digit: "
                f"an EAN ending {text[:-1][-4:]}… ends in {gs1_check_digit(text[:-1])}.",
            )
        return text

    return _checked(check, required)


def bind_case_insensitively(model: type[BaseModel], query: dict[str, str]) -> dict[str, str]:
    """Query names as the reference's framework binds them: whatever their case (`PeriodType`
    is periodType); unknown names are ignored."""
    names = {
        (info.alias or field).lower(): info.alias or field
        for field, info in model.model_fields.items()
    }
    bound: dict[str, str] = {}
    for key, value in query.items():
        name = names.get(key.lower())
        if name is not None and name not in bound:
            bound[name] = value
    return bound


def _listed(allowed: tuple[str, ...]) -> WithJsonSchema:
    return WithJsonSchema(
        {
            "anyOf": [{"type": "string"}, {"type": "null"}],
            "description": f"One or more of {', '.join(allowed)}, separated by ',', ';' or '|'.",
        }
    )


MAX_PAGE_SIZE = 5000  # ~1.3 MB on the wire
# An EDV's own reference for a consent: keyed (by_edv_reference), so bounded well inside
# DynamoDB's 2 kB partition key with the enterprise number before it.
REFERENCE_LENGTH = 200


class EscoQuery(EscoModel):
    """Unknown parameters are ignored, as the reference's framework does."""

    model_config = ConfigDict(defer_build=True, populate_by_name=True, extra="ignore")


class MandatesQuery(EscoQuery):
    data_service_types: Annotated[
        frozenset[str] | None,
        choices("dataServiceTypes", DATA_SERVICE_TYPES),
        _listed(DATA_SERVICE_TYPES),
    ] = Field(None, alias="dataServiceTypes")
    reference_number: Annotated[str | None, BeforeValidator(_blank)] = Field(
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
        frozenset[str] | None, choices("granularity", GRANULARITIES), _listed(GRANULARITIES)
    ] = None
    complex_energy_types: Annotated[
        frozenset[str] | None,
        choices("complexEnergyTypes", COMPLEX_ENERGY),
        _listed(COMPLEX_ENERGY),
    ] = Field(None, alias="complexEnergyTypes")
    from_: Annotated[datetime | None, instant("from")] = Field(None, alias="from")
    to: Annotated[datetime | None, instant("to")] = None
    reference_number: Annotated[str | None, BeforeValidator(_blank)] = Field(
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


class ErrorValidationResponse(EscoModel):
    """Every refusal of the machine API, in the ESCO API's own error shape."""

    type: str
    code: str
    message: str
    validation_error_messages: list[str] | None = Field(None, alias="validationErrorMessages")
