"""The ESCO v3 shapes, for reading the one request body and for describing the answers in our
OpenAPI document. The names, casing and enums are those of the public ESCO API v3."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import ConfigDict, Field, field_validator

from .models import ApiModel

MeasurementState = Literal["READ", "EST", "VAL", "NVAL"]


class EscoModel(ApiModel):
    model_config = ConfigDict(defer_build=True, populate_by_name=True)


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
            datetime.fromisoformat(value.replace("Z", "+00:00"))  # ValueError: reported as 400
        return value


class CreateClientSessionRequest(EscoModel):
    data_access_contract_number: str = Field(alias="dataAccessContractNumber", min_length=1)
    reference_number: str = Field(alias="referenceNumber", min_length=1, max_length=200)
    flow: Literal["B2C", "B2B"]
    data_services: list[ClientSessionDataService] | None = Field(None, alias="dataServices")
    number_of_eans: int | None = Field(None, alias="numberOfEans", ge=1, le=1000)
    return_url_success: str | None = Field(None, alias="returnUrlSuccess", max_length=2000)
    return_url_failed: str | None = Field(None, alias="returnUrlFailed", max_length=2000)
    sso: bool | None = None
    enterprise_number: str | None = Field(None, alias="enterpriseNumber")


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


class GetMandatesResponse(EscoModel):
    data: GetMandatesData
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
