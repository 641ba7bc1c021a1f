"""The portal's history download (R11), written and read back in exactly one layout:
UTF-8 with BOM, `;`-separated, decimal comma, local dates and times, one row per interval and
register. What this module writes, the ingest parser reads (a file dropped in the ingest bucket).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache

from ..domain.brussels import BRUSSELS
from ..domain.ingest import RawBatch, RowError
from ..domain.readings import Quality
from ..domain.volumes import ChannelSeries
from .csv_cells import text_cell

HEADER = (
    "Van (datum);Van (tijdstip);Tot (datum);Tot (tijdstip);EAN-code;Meter;Metertype;Register;"
    "Volume;Eenheid;Validatiestatus;Omschrijving"
)
BOM = "\ufeff"
STATUS_TEXT = {
    Quality.VALIDATED: "Gevalideerd",
    Quality.ESTIMATED: "Geschat",
    Quality.MISSING: "Geen verbruik",
}
STATUS_OF_TEXT = {"Gevalideerd": "validated", "Geschat": "estimated", "Geen verbruik": "missing"}
METER_TYPE_TEXT = {"digital": "Digitale meter", "amr": "AMR-meter"}
DIRECTION_TEXT = {"offtake": "Afname", "injection": "Injectie"}
UNIT_KWH, UNIT_M3 = "kWh", "m³"


@dataclass(frozen=True)
class Export:
    ean: str
    meter_number: str
    meter_type: str  # digital | amr
    energy: str  # electricity | gas
    fine: bool  # quarter-hours or hours (registers by tariff period of each interval)
    channels: dict[str, ChannelSeries]


def _volume(thousandths: int) -> str:
    return f"{thousandths / 1000:.3f}".replace(".", ",")


@cache
def _day_tariff_date(day_text: str) -> bool:
    return date.fromisoformat(day_text).weekday() < 5


def _is_day_tariff(start: str) -> bool:
    """From our own timestamp text: weekday and local hour (07:00 to 22:00 is day tariff)."""
    return _day_tariff_date(start[:10]) and 7 <= int(start[11:13]) < 22


def _local_parts(iso: str) -> tuple[str, str]:
    return f"{iso[8:10]}-{iso[5:7]}-{iso[0:4]}", iso[11:19]


def write(export: Export) -> bytes:
    out = io.StringIO()
    out.write(BOM + HEADER + "\r\n")
    ean_cell = f'="{export.ean}"'
    meter_type = METER_TYPE_TEXT[export.meter_type]
    digital_electricity = export.energy == "electricity" and export.meter_type == "digital"
    first = next(iter(export.channels.values()))
    for index in range(len(first)):
        start, end = first.starts[index], first.ends[index]
        van_date, van_time = _local_parts(start)
        tot_date, tot_time = _local_parts(end)
        interval = f"{van_date};{van_time};{tot_date};{tot_time}"
        prefix = f"{interval};{ean_cell};{text_cell(export.meter_number)};{meter_type};"
        for channel, series in export.channels.items():
            quality = Quality(series.qualities[index])
            status = STATUS_TEXT[quality]
            direction = DIRECTION_TEXT[channel]
            for register, volume, unit in _registers(
                series, index, direction, digital_electricity, export
            ):
                text = _volume(volume) if quality != Quality.MISSING else ""
                out.write(f"{prefix}{register};{text};{unit};{status};\r\n")
    return out.getvalue().encode("utf-8")


def _registers(
    series: ChannelSeries, index: int, direction: str, digital_electricity: bool, export: Export
) -> Iterator[tuple[str, int, str]]:
    if export.energy == "gas" and series.kwh_values is not None:
        yield direction, series.values[index], UNIT_M3  # m³ first: what the meter measured
        yield direction, series.kwh_values[index], UNIT_KWH
    elif not digital_electricity:
        yield direction, series.values[index], UNIT_KWH
    elif export.fine:
        tariff = "Dag" if _is_day_tariff(series.starts[index]) else "Nacht"
        yield f"{direction} {tariff}", series.values[index], UNIT_KWH
    else:
        assert series.day_parts is not None and series.night_parts is not None
        yield f"{direction} Dag", series.day_parts[index], UNIT_KWH
        yield f"{direction} Nacht", series.night_parts[index], UNIT_KWH


# Reading it back -------------------------------------------------------------------------


@dataclass
class _Group:
    ean: str
    channel: str
    resolution: str
    month: str | None
    rows: dict[datetime, list[tuple[int, float | None, str]]] = field(default_factory=dict)
    kwh_by_instant: dict[datetime, float] = field(default_factory=dict)


class CsvError(ValueError):
    """The file is not in the history layout at all."""


def read(data: bytes) -> tuple[list[RawBatch], list[RowError]]:
    """Batches (one per EAN, channel and resolution; per month for gas, which carries that month's
    conversion factor) and the rows that fit no batch."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CsvError("the file is not UTF-8 text") from error
    lines = text.splitlines()
    if not lines or lines[0].strip() != HEADER:
        raise CsvError("the first line is not the history download header")
    errors: list[RowError] = []
    reader = _Reader()
    for number, cells in enumerate(csv.reader(lines[1:], delimiter=";"), start=2):
        if not any(cell.strip() for cell in cells):
            continue
        try:
            reader.take(cells, number)
        except ValueError as error:
            errors.append(RowError(number, "row", str(error)))
    return [_batch(group) for group in reader.groups.values()], errors


def _instant(day_text: str, time_text: str, after: datetime | None) -> datetime:
    """The instant (UTC) of a local date and time. In the hour that repeats when summer time
    ends, rows come in order: once the first pass has been seen, the same clock time is the
    second. (Aware datetimes of one zone compare by wall clock in Python, hence UTC.)"""
    local = datetime.strptime(f"{day_text} {time_text}", "%d-%m-%Y %H:%M:%S")
    first = local.replace(tzinfo=BRUSSELS, fold=0).astimezone(UTC)
    second = local.replace(tzinfo=BRUSSELS, fold=1).astimezone(UTC)
    if first != second and after is not None and first <= after:
        return second
    return first


@dataclass
class _Reader:
    groups: dict[tuple[str, str, str, str | None], _Group] = field(default_factory=dict)
    last_instant: dict[tuple[str, str], datetime] = field(default_factory=dict)
    last_interval: dict[tuple[str, str], tuple[str, datetime, datetime]] = field(
        default_factory=dict
    )
    gas_intervals: dict[tuple[str, str, datetime], _Group] = field(default_factory=dict)

    def take(self, cells: list[str], number: int) -> None:
        if len(cells) != 12:
            raise ValueError(f"expected 12 fields, found {len(cells)}")
        (
            van_date,
            van_time,
            tot_date,
            tot_time,
            ean_cell,
            _,
            _,
            register,
            volume,
            unit,
            status,
            _,
        ) = cells
        ean = ean_cell.strip().removeprefix("=").strip('"')
        channel = _channel(register)
        texts = f"{van_date} {van_time} {tot_date} {tot_time}"
        previous = self.last_interval.get((ean, channel))
        if previous is not None and previous[0] == texts:
            # Another register of the same interval (Dag and Nacht, m³ and kWh): in the hour that
            # repeats, the same clock text would otherwise read as the next interval.
            start, end = previous[1], previous[2]
        else:
            start = _instant(van_date, van_time, self.last_instant.get((ean, channel)))
            end = _instant(tot_date, tot_time, start)
            self.last_interval[(ean, channel)] = (texts, start, end)
        resolution = _resolution(start, end)
        if status not in STATUS_OF_TEXT:
            raise ValueError(f"unknown Validatiestatus {status!r}")
        value = float(volume.replace(",", ".")) if volume.strip() else None
        if unit == UNIT_KWH and (ean, channel, start) in self.gas_intervals:
            # The kWh twin of a gas row: it tells the month's conversion factor.
            if value is not None:
                self.gas_intervals[(ean, channel, start)].kwh_by_instant[start] = value
            return
        if unit not in (UNIT_KWH, UNIT_M3):
            raise ValueError(f"unknown Eenheid {unit!r}")
        month = start.astimezone(BRUSSELS).strftime("%Y-%m") if unit == UNIT_M3 else None
        key = (ean, channel, resolution, month)
        group = self.groups.setdefault(key, _Group(ean, channel, resolution, month))
        if month is not None:
            self.gas_intervals[(ean, channel, start)] = group
        group.rows.setdefault(start, []).append((number, value, STATUS_OF_TEXT[status]))
        self.last_instant[(ean, channel)] = start


def _channel(register: str) -> str:
    if register.startswith("Afname"):
        return "offtake"
    if register.startswith("Injectie"):
        return "injection"
    raise ValueError(f"unknown register {register!r}")


def _resolution(start: datetime, end: datetime) -> str:
    minutes = (end - start) // timedelta(minutes=1)
    if minutes == 15:
        return "quarter_hour"
    if minutes == 60:
        return "hour"
    local_start, local_end = start.astimezone(BRUSSELS), end.astimezone(BRUSSELS)
    if (
        local_start.hour == 0
        and local_end.hour == 0
        and (local_end.date() - local_start.date()).days == 1
    ):
        return "day"
    raise ValueError("only quarter-hours, hours and days can be read back, not aggregates")


def _batch(group: _Group) -> RawBatch:
    starts: list[str] = []
    values: list[float | None] = []
    statuses: list[str | None] = []
    numbers: list[int] = []
    for start in sorted(group.rows):
        entries = group.rows[start]
        present = [value for _, value, _ in entries if value is not None]
        statuses_here = {status for _, _, status in entries}
        starts.append(start.astimezone(BRUSSELS).isoformat(timespec="seconds"))
        values.append(round(sum(present), 3) if present else None)
        statuses.append(_worst(statuses_here) if present else "missing")
        numbers.append(entries[0][0])
    factor = None
    if group.month is not None:
        ratios = [
            group.kwh_by_instant[start] / value
            for start, value in zip(sorted(group.rows), values, strict=True)
            if value and start in group.kwh_by_instant
        ]
        factor = round(sum(ratios) / len(ratios), 6) if ratios else None
    return RawBatch(
        ean=group.ean,
        channel=group.channel,
        resolution=group.resolution,
        unit="m3" if group.month is not None else "kWh",
        starts=starts,
        values=values,
        statuses=statuses,
        row_numbers=numbers,
        conversion_factor=factor,
    )


def _worst(statuses: set[str]) -> str:
    for status in ("estimated", "validated"):
        if status in statuses:
            return status
    return "missing"
