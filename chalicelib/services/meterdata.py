"""Reading meter data (R9-R11): every read checks the EDV, its mandate, the granularity and the
consumption period, reads only the channels the EAN carries (R6), and is written to the access
log (R12). The portal API and the machine API both come through here."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from ..domain.access_points import AccessPoint
from ..domain.brussels import local_iso, slot_start
from ..domain.entitlement import Entitlement, PeakDetail
from ..domain.errors import DomainError
from ..domain.readings import HOUR, QUARTER_HOUR, MonthSeries
from ..domain.vocabulary import Energy, MeterChannel, MeterType, Resolution
from ..domain.volumes import (
    ChannelSeries,
    Volumes,
    check_range,
    clip,
    coarse_series,
    fine_series,
)
from ..observability import Metric, metrics
from ..render import volumes as render
from ..render.requests import VolumesReport
from ..store import readings as readings_store
from . import access_log, directory, entitlements, rendering


def authorise(
    sub: str | None, enterprise_number: str, ean: str, now: datetime
) -> tuple[Entitlement, AccessPoint]:
    """R9: a member of an active EDV (or the EDV's own API client: sub None), and what the one
    entitlement gives it on this EAN now, whatever the jobs have done (an EAN gone from the
    registry gives nothing)."""
    if sub is not None:
        directory.member_of(sub, enterprise_number)
    granted = entitlements.of(enterprise_number, ean, now)
    return granted, granted.point


def check_resolution(point: AccessPoint, granted: Entitlement, resolution: Resolution) -> None:
    if resolution is Resolution.QUARTER_HOUR and point.energy is Energy.GAS:
        raise DomainError("invalid_granularity", "Gas is measured per hour, not per quarter-hour.")
    if resolution.is_fine and not granted.fine:
        raise DomainError(
            "granularity_not_consented",
            "The customer shared day values only: days, weeks, months and years.",
        )


def volumes(
    sub: str | None,
    enterprise_number: str,
    ean: str,
    first: date,
    end: date,
    resolution: Resolution,
    now: datetime,
    face: str = "portal",
    only: tuple[str, ...] | None = None,
) -> Volumes:
    """`only`: the channels to read (the export job's request), by default all the EAN has."""
    granted, _ = authorise(sub, enterprise_number, ean, now)
    return granted_volumes(granted, first, end, resolution, now, face, only)


def granted_volumes(
    granted: Entitlement,
    first: date,
    end: date,
    resolution: Resolution,
    now: datetime,
    face: str = "portal",
    only: tuple[str, ...] | None = None,
) -> Volumes:
    """volumes() under an entitlement the caller has just had from authorise(): the export job
    reads a year of one EAN in several ranges under one."""
    point, mandate = granted.point, granted.mandate
    check_resolution(point, granted, resolution)
    check_range(first, end, resolution)
    served_first, served_end = clip(first, end, granted.first, granted.end)
    channels = {
        channel.value: _series(point, channel.value, served_first, served_end, resolution)
        for channel in point.channels
        if only is None or channel.value in only
    }
    access_log.record(
        mandate,
        range_from=served_first.isoformat(),
        range_to=served_end.isoformat(),
        resolution=resolution.value,
        what="volumes",
        face=face,
        now=now,
    )
    metrics.add(Metric.READS_SERVED, face=face)
    return Volumes(point, mandate, resolution, first, end, served_first, served_end, channels)


def _series(
    point: AccessPoint, channel: str, first: date, end: date, resolution: Resolution
) -> ChannelSeries:
    gas = point.energy is Energy.GAS
    if resolution.minutes is not None:
        source = HOUR if gas else QUARTER_HOUR
        last = end - timedelta(days=1)
        days = readings_store.days_between(point.ean, channel, first, last, point.day_hour)
        factors = _gas_factors(point, channel, first, end) if gas else None
        return fine_series(days, first, end, source, resolution.minutes, factors, point.day_hour)
    months = readings_store.months_between(point.ean, channel, first, end - timedelta(days=1))
    split = point.energy is Energy.ELECTRICITY and point.meter_type is MeterType.DIGITAL
    return coarse_series(months, first, end, resolution, split_tariffs=split, gas=gas)


def _gas_factors(point: AccessPoint, channel: str, first: date, end: date) -> dict[date, float]:
    months = readings_store.months_between(point.ean, channel, first, end - timedelta(days=1))
    return {month: series.gas_factor for month, series in months.items()}


FORMATS = ("json", "csv", "pdf", "png")


@dataclass(frozen=True)
class Download:
    body: bytes
    format: str  # one of FORMATS
    filename: str


def download(
    sub: str,
    enterprise_number: str,
    ean: str,
    first: date,
    end: date,
    resolution: Resolution,
    now: datetime,
    *,
    format: str,
    unit: str | None = None,
    lang: str = "nl",
) -> Download:
    """Volumes in one of FORMATS: gas in kWh unless m3 is asked; the CSV, the chart and the
    report in the reader's language (`lang`: nl, fr, en). Charts and reports are drawn by the
    rendering function."""
    result = volumes(sub, enterprise_number, ean, first, end, resolution, now)
    shown = result.unit(unit)
    if format == "csv":
        body = render.volumes_csv(result, lang)
    elif format == "png":
        body = rendering.draw(render.volumes_chart(result, shown, lang))
    elif format == "pdf":
        body = rendering.draw(_report(result, shown, now, lang))
    else:
        body = render.volumes_json(result, shown)
    return Download(body, format, render.filename(result, format))


def _report(result: Volumes, unit: str, now: datetime, lang: str) -> VolumesReport:
    grid_user = result.mandate.grid_user
    customer = _party(grid_user.id) if grid_user.kind == "org" else None  # a person: no name kept
    daily = None
    if render.needs_daily_table(result):
        first, end = result.served_first, result.served_end
        channels = {
            channel: _series(result.point, channel, first, end, Resolution.DAY)
            for channel in result.channels
        }
        daily = replace(result, resolution=Resolution.DAY, channels=channels)
    edv = _party(result.mandate.edv)
    return render.volumes_report(result, unit, edv, customer, now.isoformat(), daily, lang)


def _party(enterprise_number: str) -> render.Party:
    organisation = directory.get_organisation(enterprise_number)
    return render.Party(enterprise_number, organisation.name if organisation else None)


@dataclass(frozen=True)
class MonthPeak:
    month: str  # YYYY-MM
    kw: float
    day: date
    at: str | None  # the start of the quarter-hour (or hour, gas); None under a day mandate (R9)


@dataclass(frozen=True)
class Peaks:
    point: AccessPoint
    served_first: date
    served_end: date
    peaks: list[MonthPeak]


def peak_power(
    sub: str | None,
    enterprise_number: str,
    ean: str,
    first: date,
    end: date,
    now: datetime,
    face: str = "portal",
) -> Peaks:
    """Per month, the highest quarter-hour offtake power (electricity), or the highest hourly
    offtake (gas, AMR meters only), over the served days of that month."""
    granted, point = authorise(sub, enterprise_number, ean, now)
    mandate = granted.mandate
    if point.energy is Energy.GAS and point.meter_type is not MeterType.AMR:
        raise DomainError("not_available", "Peak power of gas exists for AMR meters only.")
    if MeterChannel.OFFTAKE not in point.channels:
        raise DomainError("not_available", "Peak power is an offtake figure; this EAN injects.")
    check_range(first, end, Resolution.MONTH)
    served_first, served_end = clip(first, end, granted.first, granted.end)
    months = readings_store.months_between(
        ean, MeterChannel.OFFTAKE, served_first, served_end - timedelta(days=1)
    )
    minutes = point.energy.slot_minutes
    peaks = []
    for month in sorted(months):
        peak = _month_peak(months[month], served_first, served_end, minutes, point.day_hour)
        if peak is not None and granted.peak_detail is not PeakDetail.INSTANT:
            peak = replace(peak, at=None)  # R9: a day mandate gives the date, not the moment
        if peak is not None:
            peaks.append(peak)
    access_log.record(
        mandate,
        range_from=served_first.isoformat(),
        range_to=served_end.isoformat(),
        resolution="month",
        what="peak_power",
        face=face,
        now=now,
    )
    metrics.add(Metric.READS_SERVED, face=face)
    return Peaks(point, served_first, served_end, peaks)


def _month_peak(
    series: MonthSeries, first: date, end: date, minutes: int, day_hour: int
) -> MonthPeak | None:
    best, best_day, best_slot = -1, None, -1
    for index, value in enumerate(series.peak):
        day = series.month + timedelta(days=index)
        if first <= day < end and value > best and series.peak_slot[index] >= 0:
            best, best_day, best_slot = value, day, series.peak_slot[index]
    if best_day is None:
        return None
    per_hour = 60 / minutes
    kilowatts = best / 1000 * per_hour
    if minutes == HOUR:  # gas: m³ in the hour, as kWh in the hour, is kW
        kilowatts *= series.gas_factor
    instant = local_iso(slot_start(best_day, best_slot, minutes, day_hour))
    return MonthPeak(
        month=series.month.isoformat()[:7], kw=round(kilowatts, 3), day=best_day, at=instant
    )
