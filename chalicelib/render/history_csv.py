"""The portal's history download (R11): UTF-8 with BOM, `;`-separated, decimal comma, local dates
and times, one row per interval and register, in the portal's Dutch 2025 layout, its English one,
or the English one's words in French (`lang`). The reader takes those and the Dutch layout the
portal used up to 2024, so history exported from the previous portal loads through ingest (a
file dropped in the ingest bucket, or `POST /v1/ops/readings` as text/csv); what it cannot map
is reported per line.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache

from ..domain.brussels import BRUSSELS, GAS_DAY_HOUR
from ..domain.ingest import RawBatch, RowError
from ..domain.readings import Quality
from ..domain.vocabulary import MeterChannel
from ..domain.volumes import ChannelSeries
from .belgian_csv import BOM, LINE_END, SEPARATOR, text_cell


@dataclass(frozen=True)
class Layout:
    """The words of one of the portal's layouts (the columns, registers, statuses)."""

    columns: tuple[str, ...]  # electricity; gas adds the calorific value before the last
    calorific_column: str
    date_format: str
    meter_types: dict[str, str]
    directions: dict[str, str]
    tariffs: dict[str, str]  # Dag/Nacht
    read: str  # a digital meter's validated value: read from the meter
    validated: str
    estimated: str
    missing: str
    calorific: tuple[str, str]  # provisional, final
    m3_first: bool  # the order of a gas interval's two rows


NL = Layout(
    columns=(
        "Van (datum)",
        "Van (tijdstip)",
        "Tot (datum)",
        "Tot (tijdstip)",
        "EAN-code",
        "Meter",
        "Metertype",
        "Register",
        "Volume",
        "Eenheid",
        "Validatiestatus",
        "Omschrijving",
    ),
    calorific_column="Calorische Bovenwaarde",
    date_format="%d-%m-%Y",
    meter_types={"digital": "Digitale meter", "amr": "AMR-meter"},
    directions={MeterChannel.OFFTAKE: "Afname", MeterChannel.INJECTION: "Injectie"},
    tariffs={"day": "Dag", "night": "Nacht"},
    read="Uitgelezen",
    validated="Gevalideerd",
    estimated="Geschat",
    missing="Geen verbruik",
    calorific=("Voorlopig", "Definitief"),
    m3_first=False,  # the portal's Dutch files give a gas hour's kWh row first
)
EN = Layout(
    columns=(
        "From (date)",
        "From (time)",
        "Until (date)",
        "Until (time)",
        "EAN code",
        "Meter",
        "Meter type",
        "Register",
        "Volume",
        "Unit",
        "Validation status",
        "Description",
    ),
    calorific_column="Caloric upper value",
    date_format="%d/%m/%Y",
    meter_types={"digital": "Digital meter", "amr": "AMR meter"},
    directions={MeterChannel.OFFTAKE: "Offtake", MeterChannel.INJECTION: "Injection"},
    tariffs={"day": "Day", "night": "Night"},
    read="Read",
    validated="Validated",
    estimated="Estimated",
    missing="No consumption",
    calorific=("Provisional", "Final"),
    m3_first=True,  # as the portal's English files have it
)
# No French history download is known; ours says the English layout's words in French, in its
# order, and the reader reads it back.
FR = Layout(
    columns=(
        "Du (date)",
        "Du (heure)",
        "Au (date)",
        "Au (heure)",
        "Code EAN",
        "Compteur",
        "Type de compteur",
        "Registre",
        "Volume",
        "Unité",
        "Statut de validation",
        "Description",
    ),
    calorific_column="Pouvoir calorifique supérieur",
    date_format="%d/%m/%Y",
    meter_types={"digital": "Compteur numérique", "amr": "Compteur AMR"},
    directions={MeterChannel.OFFTAKE: "Prélèvement", MeterChannel.INJECTION: "Injection"},
    tariffs={"day": "Jour", "night": "Nuit"},
    read="Relevé",
    validated="Validé",
    estimated="Estimé",
    missing="Pas de consommation",
    calorific=("Provisoire", "Définitif"),
    m3_first=True,
)
LAYOUTS = {"nl": NL, "fr": FR, "en": EN}
HEADER = SEPARATOR.join(NL.columns)
UNIT_KWH, UNIT_M3 = "kWh", "m³"
ACTIVE = {"nl": "Actief", "fr": "Actif", "en": "Active"}  # an AMR meter's register: active energy


@dataclass(frozen=True)
class Export:
    ean: str
    meter_number: str
    meter_type: str  # digital | amr
    energy: str  # electricity | gas
    fine: bool  # quarter-hours or hours (registers by tariff period of each interval)
    channels: dict[str, ChannelSeries]
    lang: str = "nl"


def _volume(thousandths: int) -> str:
    return f"{thousandths / 1000:.3f}".replace(".", ",")


@cache
def _day_tariff_date(day_text: str) -> bool:
    return date.fromisoformat(day_text).weekday() < 5


def _is_day_tariff(start: str) -> bool:
    """From our own timestamp text: weekday and local hour (07:00 to 22:00 is day tariff)."""
    return _day_tariff_date(start[:10]) and 7 <= int(start[11:13]) < 22


def _local_parts(iso: str, layout: Layout) -> tuple[str, str]:
    separator = layout.date_format[2]
    return separator.join((iso[8:10], iso[5:7], iso[0:4])), iso[11:19]


def header(energy: str, lang: str = "nl") -> str:
    layout = LAYOUTS[lang]
    columns = list(layout.columns)
    if energy == "gas":
        columns.insert(len(columns) - 1, layout.calorific_column)
    return ";".join(columns)


def write(export: Export) -> bytes:
    """The portal's history download, row for row: one row per interval and register (a gas
    interval in m³ and in kWh, with the calorific value's state on the kWh row)."""
    layout = LAYOUTS[export.lang]
    out = io.StringIO()
    out.write(BOM + header(export.energy, export.lang) + LINE_END)
    ean_cell = f'="{export.ean}"'
    meter_type = layout.meter_types[export.meter_type]
    digital = export.meter_type == "digital"
    gas = export.energy == "gas"
    first = next(iter(export.channels.values()))
    for index in range(len(first)):
        van_date, van_time = _local_parts(first.starts[index], layout)
        tot_date, tot_time = _local_parts(first.ends[index], layout)
        interval = f"{van_date};{van_time};{tot_date};{tot_time}"
        prefix = f"{interval};{ean_cell};{text_cell(export.meter_number)};{meter_type};"
        for channel, series in export.channels.items():
            quality = Quality(series.qualities[index])
            status = _status(quality, digital, layout)
            for register, volume, unit, calorific in _registers(series, index, channel, export):
                text = _volume(volume) if quality != Quality.MISSING else ""
                extra = f"{calorific};" if gas else ""
                out.write(f"{prefix}{register};{text};{unit};{status};{extra}{LINE_END}")
    return out.getvalue().encode("utf-8")


def _status(quality: Quality, digital: bool, layout: Layout) -> str:
    if quality == Quality.VALIDATED:
        return layout.read if digital else layout.validated
    return layout.estimated if quality == Quality.ESTIMATED else layout.missing


def _registers(
    series: ChannelSeries, index: int, channel: str, export: Export
) -> Iterator[tuple[str, int, str, str]]:
    layout = LAYOUTS[export.lang]
    direction = layout.directions[channel]
    if export.energy == "gas" and series.kwh_values is not None:
        final = bool(series.factor_final and series.factor_final[index])
        calorific = layout.calorific[1] if final else layout.calorific[0]
        rows = [
            (direction, series.values[index], UNIT_M3, ""),
            (direction, series.kwh_values[index], UNIT_KWH, calorific),
        ]
        yield from rows if layout.m3_first else reversed(rows)
    elif export.meter_type != "digital":
        yield f"{direction} {ACTIVE[export.lang]}", series.values[index], UNIT_KWH, ""
    elif export.fine:
        tariff = layout.tariffs["day" if _is_day_tariff(series.starts[index]) else "night"]
        yield f"{direction} {tariff}", series.values[index], UNIT_KWH, ""
    else:
        assert series.day_parts is not None and series.night_parts is not None
        yield f"{direction} {layout.tariffs['day']}", series.day_parts[index], UNIT_KWH, ""
        yield f"{direction} {layout.tariffs['night']}", series.night_parts[index], UNIT_KWH, ""


# Reading it back -------------------------------------------------------------------------
# By column name, so each of the portal's layouts reads: Dutch up to 2024 (`Van datum;…;EAN;…`,
# no description column), Dutch 2025 (ours) and English 2025, with or without the gas column.

COLUMN_NAMES = {
    "from_date": ("vandatum", "fromdate", "dudate"),
    "from_time": ("vantijdstip", "fromtime", "duheure"),
    "until_date": ("totdatum", "untildate", "audate"),
    "until_time": ("tottijdstip", "untiltime", "auheure"),
    "ean": ("ean", "eancode", "codeean"),
    "register": ("register", "registre"),
    "volume": ("volume",),
    "unit": ("eenheid", "unit", "unité"),
    "status": ("validatiestatus", "validationstatus", "statutdevalidation"),
}
STATUS_OF_TEXT = {
    text.casefold(): status
    for layout in (NL, EN, FR)
    for text, status in (
        (layout.read, "validated"),
        (layout.validated, "validated"),
        (layout.estimated, "estimated"),
        (layout.missing, "missing"),
    )
}
CHANNEL_OF_WORD = {
    word.casefold(): channel
    for layout in (NL, EN, FR)
    for channel, word in layout.directions.items()
}
REGISTER_SUFFIXES = {
    *("dag", "nacht", "day", "night", "jour", "nuit"),
    *("actief", "active", "actif", "totaal", "total", ""),
}
UNITS = {"kwh": UNIT_KWH, "m³": UNIT_M3, "m3": UNIT_M3}


def _key(name: str) -> str:
    return "".join(ch for ch in name.casefold() if ch.isalnum())


def _columns(header_line: str) -> dict[str, int]:
    names = [_key(name) for name in header_line.split(";")]
    found: dict[str, int] = {}
    for field_name, spellings in COLUMN_NAMES.items():
        for index, name in enumerate(names):
            if name in spellings:
                found[field_name] = index
                break
    missing = sorted(set(COLUMN_NAMES) - set(found))
    if missing:
        absent = ", ".join(missing)
        raise CsvError(f"the first line is not a history download header (no {absent} column)")
    return found


@dataclass
class _Row:
    number: int
    start: datetime
    resolution: str  # quarter_hour, hour or day
    value: float | None
    status: str
    unit: str


class CsvError(ValueError):
    """The file is not in a history layout at all."""


def read(data: bytes) -> tuple[list[RawBatch], list[RowError]]:
    """Batches (one per EAN, channel and resolution; per month for gas, which carries that month's
    conversion factor, from its kWh rows) and the rows that fit no batch, each with its line."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CsvError("the file is not UTF-8 text") from error
    lines = text.splitlines()
    if not lines:
        raise CsvError("the file is empty")
    columns = _columns(lines[0])
    width = max(columns.values()) + 1
    errors: list[RowError] = []
    reader = _Reader(columns)
    for number, cells in enumerate(csv.reader(lines[1:], delimiter=";"), start=2):
        if not any(cell.strip() for cell in cells):
            continue
        try:
            if len(cells) < width:
                raise ValueError(f"expected at least {width} fields, found {len(cells)}")
            reader.take(cells, number)
        except ValueError as error:
            errors.append(RowError(number, "row", str(error)))
    return reader.batches(), errors


def _instant(day_text: str, time_text: str, after: datetime | None) -> datetime:
    """The instant (UTC) of a local date and time. In the hour that repeats when summer time
    ends, rows come in order: once the first pass has been seen, the same clock time is the
    second. (Aware datetimes of one zone compare by wall clock in Python, hence UTC.)"""
    day_text = day_text.strip().replace("/", "-")
    local = datetime.strptime(f"{day_text} {time_text.strip()}", "%d-%m-%Y %H:%M:%S")
    first = local.replace(tzinfo=BRUSSELS, fold=0).astimezone(UTC)
    second = local.replace(tzinfo=BRUSSELS, fold=1).astimezone(UTC)
    if first != second and after is not None and first <= after:
        return second
    return first


@dataclass
class _Reader:
    columns: dict[str, int]
    rows: dict[tuple[str, str], list[_Row]] = field(default_factory=dict)
    last_instant: dict[tuple[str, str], datetime] = field(default_factory=dict)
    last_interval: dict[tuple[str, str], tuple[str, datetime, datetime]] = field(
        default_factory=dict
    )

    def cell(self, cells: list[str], name: str) -> str:
        return cells[self.columns[name]].strip()

    def take(self, cells: list[str], number: int) -> None:
        ean = self.cell(cells, "ean").removeprefix("=").strip('"')
        unit = UNITS.get(self.cell(cells, "unit").casefold())
        if unit is None:  # reactive energy (kVArh) among them: we keep active energy only
            raise ValueError(f"unit {self.cell(cells, 'unit')!r} is not kept (kWh and m³ are)")
        channel = _channel(self.cell(cells, "register"))
        status = STATUS_OF_TEXT.get(self.cell(cells, "status").casefold())
        if status is None:
            raise ValueError(f"unknown validation status {self.cell(cells, 'status')!r}")
        dates = [self.cell(cells, name) for name in ("from_date", "from_time")]
        dates += [self.cell(cells, name) for name in ("until_date", "until_time")]
        texts = " ".join(dates)
        previous = self.last_interval.get((ean, channel))
        if previous is not None and previous[0] == texts:
            # Another register of the same interval (Dag and Nacht, m³ and kWh): in the hour that
            # repeats, the same clock text would otherwise read as the next interval.
            start, end = previous[1], previous[2]
        else:
            start = _instant(dates[0], dates[1], self.last_instant.get((ean, channel)))
            end = _instant(dates[2], dates[3], start)
            self.last_interval[(ean, channel)] = (texts, start, end)
        resolution = _resolution(start, end)  # refuses aggregates on their own line
        volume = self.cell(cells, "volume")
        value = float(volume.replace(".", "").replace(",", ".")) if volume else None
        if value is not None and status == "missing":
            status = "validated"  # a value where the status says none: keep the value
        self.rows.setdefault((ean, channel), []).append(
            _Row(number, start, resolution, value, status, unit)
        )
        self.last_instant[(ean, channel)] = start

    def batches(self) -> list[RawBatch]:
        result = []
        for (ean, channel), rows in self.rows.items():
            gas = any(row.unit == UNIT_M3 for row in rows)
            kwh_by_start = {row.start: row for row in rows if row.unit == UNIT_KWH}
            measured = [row for row in rows if row.unit == (UNIT_M3 if gas else UNIT_KWH)]
            groups: dict[tuple[str, str | None], list[_Row]] = {}
            for row in measured:
                month = row.start.astimezone(BRUSSELS).strftime("%Y-%m") if gas else None
                groups.setdefault((row.resolution, month), []).append(row)
            for (resolution, month), group in groups.items():
                twins = kwh_by_start if gas else None
                result.append(_batch(ean, channel, resolution, month, group, twins))
        return result


def _channel(register: str) -> str:
    direction, _, suffix = register.partition(" ")
    channel = CHANNEL_OF_WORD.get(direction.casefold())
    if channel is None or suffix.casefold() not in REGISTER_SUFFIXES:
        raise ValueError(f"register {register!r} is not one we keep (offtake and injection)")
    return channel


def _resolution(start: datetime, end: datetime) -> str:
    minutes = (end - start) // timedelta(minutes=1)
    if minutes == 15:
        return "quarter_hour"
    if minutes == 60:
        return "hour"
    local_start, local_end = start.astimezone(BRUSSELS), end.astimezone(BRUSSELS)
    if (
        local_start.hour == local_end.hour
        and local_start.hour in (0, GAS_DAY_HOUR)  # a day, or a gas day
        and local_start.minute == local_end.minute == 0
        and (local_end.date() - local_start.date()).days == 1
    ):
        return "day"
    raise ValueError("only quarter-hours, hours and days can be read back, not aggregates")


def _batch(
    ean: str,
    channel: str,
    resolution: str,
    month: str | None,
    rows: list[_Row],
    kwh_twins: dict[datetime, _Row] | None,
) -> RawBatch:
    by_start: dict[datetime, list[_Row]] = {}
    for row in rows:
        by_start.setdefault(row.start, []).append(row)
    starts: list[str] = []
    values: list[float | None] = []
    statuses: list[str | None] = []
    numbers: list[int] = []
    ratios: list[float] = []
    for start in sorted(by_start):
        entries = by_start[start]
        present = [row.value for row in entries if row.value is not None]
        starts.append(start.astimezone(BRUSSELS).isoformat(timespec="seconds"))
        total = round(sum(present), 3) if present else None
        values.append(total)
        statuses.append(_worst({row.status for row in entries}) if present else "missing")
        numbers.append(entries[0].number)
        twin = kwh_twins.get(start) if kwh_twins is not None else None
        if twin is not None and twin.value and total:
            ratios.append(twin.value / total)
    return RawBatch(
        ean=ean,
        channel=channel,
        resolution=resolution,
        unit="m3" if month is not None else "kWh",
        starts=starts,
        values=values,
        statuses=statuses,
        row_numbers=numbers,
        conversion_factor=round(sum(ratios) / len(ratios), 6) if ratios else None,
    )


def _worst(statuses: set[str]) -> str:
    for status in ("estimated", "validated"):
        if status in statuses:
            return status
    return "missing"
