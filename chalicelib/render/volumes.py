"""Volumes as the EDV downloads them: JSON, the portal's CSV, the chart (PNG) and the printable
report (PDF). Pure: the read it was given (domain/volumes.Volumes) and the names the report prints
in, bytes or a drawing request out (render/requests.py)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from ..domain.vocabulary import Energy, MeterType
from ..domain.volumes import NOTICE, ChannelSeries, Volumes
from . import history_csv
from .requests import TABLE_ROWS_MAX, Header, VolumesChart, VolumesReport
from .words import Words, enterprise_number

if TYPE_CHECKING:
    from collections.abc import Sequence

STATUS_NAMES = ("missing", "estimated", "validated")
DAILY_TABLE_NOTE = "De tabel toont dagtotalen; de grafiek en de CSV-download tonen elk interval."


def filename(result: Volumes, extension: str) -> str:
    first, end = result.served_first.isoformat(), result.served_end.isoformat()
    return f"{result.point.ean}_{first}_{end}_{result.resolution.value}.{extension}"


def _points(series: ChannelSeries) -> str:
    """A channel's points as JSON text, `{"start","end","value","status"}` each, written by one
    `%` over a template of the range's bounds: a year of quarter-hours is 35,136 points, and a
    dict per point through a serialiser took three times as long."""
    if len(_POINT_TAILS) > 500_000:  # a bound on memory; meter values repeat a lot
        _POINT_TAILS.clear()
    tails = map(_POINT_TAILS.__getitem__, zip(series.values, series.qualities, strict=True))
    return _template(series) % tuple(tails)


class _PointTails(dict[tuple[int, int], str]):
    """(thousandths, quality) -> the rest of a point after its bounds: value (as Python's repr
    writes it, as orjson does) and status."""

    def __missing__(self, key: tuple[int, int]) -> str:
        value, quality = key
        text = f"{value / 1000!r}" if quality else "null"
        self[key] = tail = f'{text},"status":"{STATUS_NAMES[quality]}"}}'
        return tail


_POINT_TAILS = _PointTails()


def _template(series: ChannelSeries) -> str:
    if isinstance(series.starts, tuple) and isinstance(series.ends, tuple):
        return _range_template(series.starts, series.ends)  # a fine range's shared bounds
    return _template_of(series.starts, series.ends)


@lru_cache(maxsize=8)
def _range_template(starts: tuple[str, ...], ends: tuple[str, ...]) -> str:
    return _template_of(starts, ends)


def _template_of(starts: Sequence[str], ends: Sequence[str]) -> str:
    heads = (
        f'{{"start":"{start}","end":"{end}","value":%s'
        for start, end in zip(starts, ends, strict=True)
    )
    return "[" + ",".join(heads) + "]"


def volumes_json(result: Volumes, unit: str) -> bytes:
    import orjson  # 70,000 points: the fast serialiser earns its import here

    channels = result.channels_in(unit)
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
            channel: orjson.Fragment(_points(series)) for channel, series in channels.items()
        },
    }
    return orjson.dumps(document)


def volumes_csv(result: Volumes, lang: str = "nl") -> bytes:
    """The portal's own history download (render/history_csv.py), Dutch or English layout."""
    return history_csv.write(history_export(result, lang))


def history_export(result: Volumes, lang: str = "nl") -> history_csv.Export:
    point = result.point
    return history_csv.Export(
        ean=point.ean,
        meter_number=point.meter_number,
        meter_type=point.meter_type.value,
        energy=point.energy.value,
        fine=result.resolution.is_fine,
        channels=result.channels,
        lang=lang,
    )


def _title(result: Volumes, words: Words) -> str:
    kind = words("Digitale meter" if result.point.meter_type is MeterType.DIGITAL else "AMR-meter")
    first, last = result.served_first, result.served_last
    return f"{kind} {result.point.ean}: {first:%d/%m/%Y} {words('t.e.m.')} {last:%d/%m/%Y}"


def volumes_chart(result: Volumes, unit: str, lang: str = "nl") -> VolumesChart:
    words = Words(lang)
    channels = result.channels_in(unit)
    return VolumesChart(channels, unit, _title(result, words), result.resolution.is_fine, lang)


@dataclass(frozen=True)
class Party:
    """An organisation as the report names it: its registered name, if known."""

    enterprise_number: str
    name: str | None

    def line(self) -> str:
        number = enterprise_number(self.enterprise_number)
        return f"{self.name or number} ({number})"


def needs_daily_table(result: Volumes) -> bool:
    """A year of quarter-hours would be 700 pages: beyond TABLE_ROWS_MAX rows, days are listed."""
    return any(len(series) > TABLE_ROWS_MAX for series in result.channels.values())


def _unit_word(unit: str) -> str:
    return "m³" if unit == "m3" else unit


def volumes_report(
    result: Volumes,
    unit: str,
    edv: Party,
    customer: Party | None,
    asked_at: str,
    daily: Volumes | None = None,
    lang: str = "nl",
) -> VolumesReport:
    """The printable report in the reader's language: who reads what of which connection, the
    chart, and a table of every interval, or of the days (`daily`, the same range by day) when
    there are too many."""
    words = Words(lang)
    point = result.point
    period = words.period(result.served_first, result.served_last)
    kind = words("digitale meter" if point.meter_type is MeterType.DIGITAL else "AMR-meter")
    header = Header(
        title=f"{words('Verbruik gas' if result.is_gas else 'Verbruik elektriciteit')}, "
        f"EAN {point.ean}",
        lines=[
            (words("Energiedienstverlener"), edv.line()),
            *([(words("Klant"), customer.line())] if customer else []),
            (words("Aansluiting"), f"{point.address}; {kind} {point.meter_number}"),
            (
                words("Periode"),
                f"{period}, {words.resolution(result.resolution.value)}, "
                f"{words('in')} {_unit_word(unit)}",
            ),
            (words("Gegevens volledig tot"), words.moment(result.data_complete_until)),
            (words("Opgevraagd op"), words.moment(asked_at)),
        ],
        unit=_unit_word(unit),
        notice=words(NOTICE),
        footer=f"{edv.name or enterprise_number(edv.enterprise_number)}, EAN {point.ean}, {period}",
    )
    split = point.energy is Energy.ELECTRICITY and point.meter_type is MeterType.DIGITAL
    table = (daily or result).channels_in(unit)
    note = words(DAILY_TABLE_NOTE) if daily is not None else None
    chart = volumes_chart(result, unit, lang)
    return VolumesReport(header, chart, table, note, split, result.resolution.is_fine, lang)
