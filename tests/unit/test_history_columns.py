"""The export job's CSV rows, built by column in Arrow, are the bytes of the portal's history
download written row by row: every layout, register kind and status, on the change days."""

from __future__ import annotations

from array import array
from collections.abc import MutableSequence
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.brussels import slot_bounds_iso
from chalicelib.domain.volumes import ChannelSeries
from chalicelib.render import history_columns, history_csv

DAYS = [date(2025, 3, 30), date(2025, 10, 26), date(2025, 6, 2), date(2025, 6, 7)]
VALUES = st.integers(-5_000, 2_000_000_000)
COMMON = st.integers(0, 70_000)  # mostly in the table of common volumes, some just past it


@st.composite
def exports(draw: st.DrawFn) -> history_csv.Export:
    energy = draw(st.sampled_from(["electricity", "gas"]))
    meter_type = draw(st.sampled_from(["digital", "amr"]))
    fine = draw(st.booleans()) if energy == "electricity" and meter_type == "digital" else True
    day = draw(st.sampled_from(DAYS))
    minutes = 60 if energy == "gas" or draw(st.booleans()) else 15
    bounds = slot_bounds_iso(day, minutes, 6 if energy == "gas" else 0)
    count = draw(st.integers(1, len(bounds) - 1))
    channels = {}
    for channel in draw(st.sampled_from([["offtake"], ["offtake", "injection"], ["injection"]])):
        numbers = st.lists(draw(st.sampled_from([VALUES, COMMON])), min_size=count, max_size=count)
        gas = energy == "gas"
        values: MutableSequence[int] = draw(numbers)
        qualities: MutableSequence[int] = draw(
            st.lists(st.integers(0, 2), min_size=count, max_size=count)
        )
        if draw(st.booleans()):  # packed, as fine_series gives them
            values, qualities = array("i", values), array("B", qualities)
        channels[channel] = ChannelSeries(
            starts=list(bounds[:count]),
            ends=list(bounds[1 : count + 1]),
            values=values,
            qualities=qualities,
            day_parts=None if fine else draw(numbers),
            night_parts=None if fine else draw(numbers),
            kwh_values=draw(numbers) if gas else None,
            factor_final=draw(st.lists(st.booleans(), min_size=count, max_size=count))
            if gas and draw(st.booleans())
            else None,
        )
    meter_number = draw(st.sampled_from(["1SAG1100042", "=HYPERLINK(1)", 'a;"b"']))
    lang = draw(st.sampled_from(["nl", "en"]))
    return history_csv.Export(
        "541448820000000014", meter_number, meter_type, energy, fine, channels, lang
    )


@settings(max_examples=300, deadline=None)
@given(exports())
def test_the_columns_give_the_rows_of_the_portal_download(export: history_csv.Export) -> None:
    expected = history_csv.write(export)
    built = history_columns.head(export.energy, export.lang) + history_columns.rows(export)
    assert built == expected


def test_a_year_of_quarter_hours_has_a_row_per_interval_and_channel() -> None:
    bounds = [
        b for day in (date(2025, 3, 30), date(2025, 10, 26)) for b in slot_bounds_iso(day, 15)
    ]
    starts = [b for index, b in enumerate(bounds) if index not in (92, len(bounds) - 1)]
    ends = [b for index, b in enumerate(bounds) if index not in (0, 93)]
    series = ChannelSeries(starts, ends, [1234] * 192, [2] * 192)
    export = history_csv.Export(
        "541448820000000014", "1SAG", "digital", "electricity", True, {"offtake": series}
    )
    lines = bytes(history_columns.rows(export)).decode().split("\r\n")
    assert len(lines) == 92 + 100 + 1 and lines[-1] == ""
    assert lines[8].startswith("30-03-2025;02:00:00;30-03-2025;02:15:00;") is False
    assert lines[8].startswith("30-03-2025;03:00:00;30-03-2025;03:15:00;")
    assert lines[0].endswith(";Afname Nacht;1,234;kWh;Uitgelezen;")
