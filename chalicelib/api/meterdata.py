"""Meter data for EDVs (R9-R11): volumes as JSON, CSV, PDF or PNG, and monthly peak power."""

from __future__ import annotations

from datetime import date
from typing import Literal

from chalice.app import Request, Response
from pydantic import Field

from ..domain.vocabulary import Direction, Energy, MeterType, Resolution
from ..media_types import CSV, CSV_UTF8, JSON, PDF, PNG
from ..services import meterdata
from ..serving.delivery import deliver
from ..serving.models import ApiModel
from ..serving.routing import Api, Auth, Call
from ..serving.types import Instant

api = Api("Meter data")
FORMATS = {"json": JSON, "csv": CSV, "pdf": PDF, "png": PNG}


class VolumesQuery(ApiModel):
    from_: date = Field(alias="from", description="First Brussels date, inclusive.")
    to: date = Field(description="Last Brussels date, exclusive: the range is [from, to).")
    resolution: Resolution
    format: Literal["json", "csv", "pdf", "png"] | None = Field(
        None, description="Instead of the Accept header."
    )
    unit: Literal["kWh", "m3"] | None = Field(None, description="Gas only: kWh (default) or m3.")
    lang: Literal["nl", "fr", "en"] = Field(
        "nl",
        description="The reader's language for CSV, PNG and PDF: headers, registers, statuses, "
        "dates and numbers (the CSV: the portal's Dutch layout, its English one, or the French).",
    )


class Point(ApiModel):
    start: str
    end: str
    value: float | None
    status: Literal["validated", "estimated", "missing"]


class Channels(ApiModel):
    offtake: list[Point] | None = None
    injection: list[Point] | None = None


class VolumesDocument(ApiModel):
    """The JSON shape of volumes (built without pydantic for speed; this documents it)."""

    ean: str
    energy: Energy
    meter_type: MeterType
    unit: Literal["kWh", "m3"]
    resolution: Resolution
    from_: date = Field(alias="from")
    to: date
    served_from: date
    served_to: date
    data_complete_until: Instant
    notice: str
    channels: Channels


class PeakPowerQuery(ApiModel):
    from_: date = Field(alias="from")
    to: date


class MonthPeakView(ApiModel):
    month: str = Field(examples=["2025-03"])
    kw: float
    day: date = Field(alias="date", description="The Brussels date of the month's peak.")
    at: str | None = Field(
        description="Start of the quarter-hour (or hour, gas) of the peak; null under a day "
        "mandate, which gives the date but not the time of day (R9)."
    )


class PeakPower(ApiModel):
    ean: str
    energy: Energy
    meter_type: MeterType
    direction: Direction
    unit: Literal["kW"] = "kW"
    served_from: date
    served_to: date
    peaks: list[MonthPeakView]


def _format(request: Request, asked: str | None) -> str:
    if asked:
        return asked
    accept = (request.headers.get("accept") or "").lower()
    for name, media_type in FORMATS.items():
        if name != "json" and media_type in accept:
            return name
    return "json"


@api.operation(
    "GET",
    "/v1/organisations/{en}/access-points/{ean}/volumes",
    auth=Auth.PERSON,
    summary="Volumes: JSON, CSV, PDF or PNG",
    query=VolumesQuery,
    response=VolumesDocument,
    response_media_types=tuple(FORMATS.values()),
    errors=(
        "not_a_member",
        "edv_not_active",
        "no_mandate",
        "granularity_not_consented",
        "outside_mandate_period",
        "invalid_granularity",
        "invalid_period",
        "range_too_large",
    ),
)
def get_volumes(call: Call, enterprise_number: str, ean: str, query: VolumesQuery) -> Response:
    """The range is clipped to the mandate's consumption period (`served_from`/`served_to`).
    Up to 366 days at quarter-hour or hour resolution, 5 years at day and coarser. Missing values
    are points with status `missing` and no value. Large answers are gzip-encoded when the
    client accepts it, else staged on S3 behind a 303 to a URL valid 15 minutes."""
    found = meterdata.download(
        call.person.sub,
        enterprise_number,
        ean,
        query.from_,
        query.to,
        query.resolution,
        call.now,
        format=_format(call.request, query.format),
        unit=query.unit,
        lang=query.lang,
    )
    if found.format == "json":
        return deliver(call.request, found.body, JSON, staged_name=found.filename)
    media_type = CSV_UTF8 if found.format == "csv" else FORMATS[found.format]
    return deliver(call.request, found.body, media_type, found.filename)


@api.operation(
    "GET",
    "/v1/organisations/{en}/access-points/{ean}/peak-power",
    auth=Auth.PERSON,
    summary="Monthly peak power",
    query=PeakPowerQuery,
    response=PeakPower,
    errors=(
        "not_a_member",
        "edv_not_active",
        "no_mandate",
        "outside_mandate_period",
        "not_available",
        "invalid_period",
        "range_too_large",
    ),
)
def get_peak_power(
    call: Call, enterprise_number: str, ean: str, query: PeakPowerQuery
) -> PeakPower:
    """Electricity: per month the highest quarter-hour offtake as power (kWh × 4 = kW) and when.
    Gas: the highest hourly offtake, for AMR meters only. Over the served days of each month."""
    result = meterdata.peak_power(
        call.person.sub, enterprise_number, ean, query.from_, query.to, call.now
    )
    return PeakPower(
        ean=ean,
        energy=result.point.energy,
        meter_type=result.point.meter_type,
        direction=result.point.direction,
        served_from=result.served_first,
        served_to=result.served_end,
        peaks=[MonthPeakView(month=p.month, kw=p.kw, date=p.day, at=p.at) for p in result.peaks],
    )
