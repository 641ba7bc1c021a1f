"""The usage report (R13) as a Belgian spreadsheet opens it: a line per tariff line and a total
per EDV, amounts with a decimal comma."""

from __future__ import annotations

from ..domain.tariffs import Usage
from .belgian_csv import code_cell, document, number_cell, text_cell

HEADINGS = [
    "Energiedienstverlener",
    "Maand",
    "Soort",
    "Granulariteit",
    "Van",
    "Tot",
    "Aantal",
    "Tarief",
    "Bedrag",
    "Beslissing",
]
KIND_WORDS = {
    "mandate_days": "mandaatdagen",
    "yearly_fee": "jaarbijdrage",
    "exported_eans": "geëxporteerde EAN's",
}


def usage_csv(results: list[Usage]) -> bytes:
    rows = [HEADINGS]
    for result in results:
        for line in result.lines:
            rows.append(
                [
                    code_cell(result.edv),
                    result.month,
                    KIND_WORDS[line.kind],
                    line.granularity.value if line.granularity else "",
                    line.valid_from.isoformat(),
                    line.valid_to.isoformat(),
                    str(line.quantity),
                    number_cell(line.rate),
                    number_cell(line.amount),
                    text_cell(line.decision),
                ]
            )
        total = ["", "", "", "", "", number_cell(result.total), ""]
        rows.append([code_cell(result.edv), result.month, "totaal", *total])
    return document(rows)
