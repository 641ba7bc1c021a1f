"""Meter data for EDVs (R9-R11): volumes as JSON, CSV, PDF or PNG, and monthly peak power."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, Literal

from chalice.app import Request, Response
from pydantic import Field

from ..domain.vocabulary import Direction, Energy, MeterType, Resolution
from ..media_types import CSV, CSV_UTF8, JSON, PDF, PNG
from ..render.requests import TABLE_ROWS_MAX, Header, VolumesChart, VolumesReport
from ..services import meterdata, rendering
from .delivery import deliver
from .models import ApiModel
from .routing import Api, Auth, Call
from .types import Instant

if TYPE_CHECKING:
    from collections.abc import MutableSequence

    from ..domain.volumes import ChannelSeries
    from ..services.meterdata import Volumes

api = Api("Meter data")
FORMATS = {"json": JSON, "csv": CSV, "pdf": PDF, "png": PNG}
STATUS_NAMES = ("missing", "estimated", "validated")


class VolumesQuery(ApiModel):
    from_: date = Field(alias="from", description="First Brussels date, inclusive.")
    to: date = Field(description="Last Brussels date, exclusive: the range is [from, to).")
    resolution: Resolution
    format: Literal["json", "csv", "pdf", "png"] | None = Field(
        None, description="Instead of the Accept header."
    )
    unit: Literal["kWh", "m3"] | None = Field(None, description="Gas only: kWh (default) or m3.")
    lang: Literal["nl", "en"] = Field(
        "nl", description="CSV: the portal's Dutch layout (default) or its English one."
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


def _points(series: ChannelSeries, values: MutableSequence[int]) -> list[dict[str, Any]]:
    names = STATUS_NAMES
    return [
        {
            "start": start,
            "end": end,
            "value": value / 1000 if quality else None,
            "status": names[quality],
        }
        for start, end, value, quality in zip(
            series.starts, series.ends, values, series.qualities, strict=True
        )
    ]


def _unit_values(result: Volumes, series: ChannelSeries, unit: str) -> MutableSequence[int]:
    if result.is_gas and unit == "kWh" and series.kwh_values is not None:
        return series.kwh_values
    return series.values


def volumes_json(result: Volumes, unit: str) -> bytes:
    import orjson  # 70,000 points: the fast serialiser earns its import here

    from ..domain.volumes import NOTICE

    document = {
        "ean": result.point.ean,
        "energy": result.point.energy.value,
        "meter_type": result.point.meter_type.value,
        "unit": unit,
        "resolution": result.resolution.value,
        "from": result.first.isoformat(),
        "to": result.end.isoformat(),
        "served_from": result.served_first.isoformat(),
        "served_to": result.served_end.isoformat(),
        "data_complete_until": result.data_complete_until,
        "notice": NOTICE,
        "channels": {
            channel: _points(series, _unit_values(result, series, unit))
            for channel, series in result.channels.items()
        },
    }
    return orjson.dumps(document)


def _filename(result: Volumes, extension: str) -> str:
    first, end = result.served_first.isoformat(), result.served_end.isoformat()
    return f"{result.point.ean}_{first}_{end}_{result.resolution.value}.{extension}"


def _title(result: Volumes) -> str:
    kind = "Digitale meter" if result.point.meter_type is MeterType.DIGITAL else "AMR-meter"
    last = result.served_end - timedelta(days=1)  # the range is half-open; people read "t/m"
    return f"{kind} {result.point.ean}: {result.served_first:%d/%m/%Y} t/m {last:%d/%m/%Y}"


def _csv(result: Volumes, lang: str = "nl") -> bytes:
    from ..render.history_csv import Export, write

    return write(
        Export(
            ean=result.point.ean,
            meter_number=result.point.meter_number,
            meter_type=result.point.meter_type.value,
            energy=result.point.energy.value,
            fine=result.resolution.is_fine,
            channels=result.channels,
            lang=lang,
        )
    )


def _chart(result: Volumes, unit: str) -> VolumesChart:
    shown = {
        channel: _with_values(series, _unit_values(result, series, unit))
        for channel, series in result.channels.items()
    }
    return VolumesChart(shown, unit, _title(result), result.resolution.is_fine)


def _with_values(series: ChannelSeries, values: MutableSequence[int]) -> ChannelSeries:
    from dataclasses import replace

    return replace(series, values=values)


def _grid_user_line(result: Volumes) -> list[tuple[str, str]]:
    """The customer as the portal names them: an organisation by its registered name. A person's
    name is not kept here (only their identifier), so the report does not print one."""
    from ..render import dutch
    from ..services import directory

    grid_user = result.mandate.grid_user
    if grid_user.kind != "org":
        return []
    organisation = directory.get_organisation(grid_user.id)
    name = organisation.name if organisation else dutch.enterprise_number(grid_user.id)
    return [("Klant", f"{name} ({dutch.enterprise_number(grid_user.id)})")]


def _unit_word(unit: str) -> str:
    return "m³" if unit == "m3" else unit


def _pdf(result: Volumes, unit: str, call: Call) -> bytes:
    from ..domain.volumes import coarse_series

    table = {
        channel: _with_values(series, _unit_values(result, series, unit))
        for channel, series in result.channels.items()
    }
    note = None
    if len(next(iter(table.values()))) > TABLE_ROWS_MAX:
        from ..store import readings as readings_store

        note = "De tabel toont dagtotalen; de grafiek en de CSV-download tonen elk interval."
        table = {}
        for channel in result.channels:
            months = readings_store.months_between(
                result.point.ean, channel, result.served_first, result.served_end
            )
            daily = coarse_series(
                months, result.served_first, result.served_end, Resolution.DAY, False, result.is_gas
            )
            table[channel] = _with_values(daily, _unit_values(result, daily, unit))
    from ..render import dutch
    from ..services import directory

    organisation = directory.get_organisation(result.mandate.edv)
    edv_name = organisation.name if organisation else dutch.enterprise_number(result.mandate.edv)
    point = result.point
    last = result.served_end - timedelta(days=1)
    energy = "gas" if result.is_gas else "elektriciteit"
    kind = "digitale meter" if point.meter_type is MeterType.DIGITAL else "AMR-meter"
    header = Header(
        title=f"Verbruik {energy}, EAN {point.ean}",
        lines=[
            (
                "Energiedienstverlener",
                f"{edv_name} ({dutch.enterprise_number(result.mandate.edv)})",
            ),
            *_grid_user_line(result),
            ("Aansluiting", f"{point.address}; {kind} {point.meter_number}"),
            (
                "Periode",
                f"{dutch.period(result.served_first, last)}, "
                f"{dutch.RESOLUTIONS[result.resolution.value]}, in {_unit_word(unit)}",
            ),
            ("Gegevens volledig tot", dutch.moment(result.data_complete_until)),
            ("Opgevraagd op", dutch.moment(call.now.isoformat())),
        ],
        unit=_unit_word(unit),
        notice=_notice(),
        footer=f"{edv_name}, EAN {point.ean}, {dutch.period(result.served_first, last)}",
    )
    split = point.energy is Energy.ELECTRICITY and point.meter_type is MeterType.DIGITAL
    fine = result.resolution.is_fine
    report = VolumesReport(header, _chart(result, unit), table, note, split, fine)
    return rendering.draw(report)


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
    result = meterdata.volumes(
        call.person.sub, enterprise_number, ean, query.from_, query.to, query.resolution, call.now
    )
    unit = "m3" if result.is_gas and query.unit == "m3" else "kWh"
    chosen = _format(call.request, query.format)
    if chosen == "csv":
        csv_body = _csv(result, query.lang)
        return deliver(call.request, csv_body, CSV_UTF8, _filename(result, "csv"))
    if chosen == "png":
        png = rendering.draw(_chart(result, unit))
        return deliver(call.request, png, PNG, _filename(result, "png"))
    if chosen == "pdf":
        body = _pdf(result, unit, call)
        return deliver(call.request, body, PDF, _filename(result, "pdf"))
    body = volumes_json(result, unit)
    return deliver(call.request, body, JSON, staged_name=_filename(result, "json"))


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


def _notice() -> str:
    from ..domain.volumes import NOTICE

    return NOTICE
