"""Two readers of the Mijn Fluvius history download, written from the documented behaviour of
public tools that people feed the portal's files into (their code is not copied here):

- `home_assistant_import`: the Home Assistant energy importer's Fluvius step
  (github.com/patrickvorgers/Home-Assistant-Import-Energy-Data, `Datasources/Fluvius`): the file
  read as `;`-separated with a header row and a decimal comma (it uses pandas; the stdlib does
  the same here), the date and time columns joined and parsed as `%d-%m-%Y %H:%M:%S`, rows chosen
  by a regular expression on `Register` and an exact `Eenheid` ("Afname Dag"/"Afname Nacht"/
  "Injectie Dag"/"Injectie Nacht" in kWh, gas "Afname" in m³), `Volume` summed per output, an
  empty volume counting as nothing.
- `by_position`: the small positional readers in public TypeScript and Dart projects: `;`-split
  lines, date in column 0, time in 1, register in 7, volume in 8 (decimal comma), unit in 9,
  empty volumes skipped.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from datetime import datetime

HOME_ASSISTANT_OUTPUTS = {
    "elec_feed_in_tariff_1": ("Afname Dag", "kWh"),
    "elec_feed_in_tariff_2": ("Afname Nacht", "kWh"),
    "elec_feed_out_tariff_1": ("Injectie Dag", "kWh"),
    "elec_feed_out_tariff_2": ("Injectie Nacht", "kWh"),
    "gas": ("Afname", "m³"),
}


def home_assistant_import(data: bytes) -> dict[str, tuple[int, float]]:
    """Per output file: (rows, total volume)."""
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    for row in rows:  # every row's moment must parse, as the importer's to_datetime demands
        datetime.strptime(f"{row['Van (datum)']} {row['Van (tijdstip)']}", "%d-%m-%Y %H:%M:%S")
    result = {}
    for name, (register, unit) in HOME_ASSISTANT_OUTPUTS.items():
        chosen = [
            row for row in rows if re.search(register, row["Register"]) and row["Eenheid"] == unit
        ]
        volume = sum(float(row["Volume"].replace(",", ".")) for row in chosen if row["Volume"])
        result[name] = (len(chosen), round(volume, 3))
    return result


def by_position(data: bytes) -> dict[tuple[str, str], float]:
    """Per (register, unit): the total volume."""
    totals: dict[tuple[str, str], float] = defaultdict(float)
    for line in data.decode("utf-8-sig").splitlines()[1:]:
        cells = line.split(";")
        if len(cells) < 11 or not cells[8]:
            continue
        totals[(cells[7], cells[9])] += float(cells[8].replace(",", "."))
    return {key: round(value, 3) for key, value in totals.items()}
