"""Volumes as a PDF (R11): header, chart and table."""

from __future__ import annotations

import io
from dataclasses import dataclass

from ..domain.readings import QUALITY_NAMES, Quality
from ..domain.volumes import ChannelSeries
from .pdfdoc import new_document, paragraph

TABLE_ROWS_MAX = 1500  # a year of quarter-hours would be 700 pages; beyond this, days are listed
STATUS_NL = {"validated": "gevalideerd", "estimated": "geschat", "missing": "ontbreekt"}
LABELS = {"offtake": "Afname", "injection": "Injectie"}


@dataclass(frozen=True)
class Header:
    title: str
    lines: list[str]
    unit: str
    notice: str


def volumes_pdf(
    header: Header,
    chart_png: bytes,
    table: dict[str, ChannelSeries],
    table_note: str | None,
    scale: float = 0.001,
) -> bytes:
    pdf = new_document(header.title)
    paragraph(pdf, header.title, size=15, bold=True, line=8)
    for line in header.lines:
        paragraph(pdf, line, size=9.5, line=5)
    pdf.ln(2)
    pdf.image(io.BytesIO(chart_png), w=pdf.epw)
    pdf.ln(2)
    paragraph(pdf, header.notice, size=8.5, line=4.5)
    if table_note:
        paragraph(pdf, table_note, size=8.5, line=4.5)
    pdf.ln(2)
    channels = list(table)
    headings = ["Van", "Tot", *[f"{LABELS[c]} ({header.unit})" for c in channels], "Status"]
    widths = (40, 40, *[28] * len(channels), 26)
    first = table[channels[0]]
    # Plain cells rather than fpdf2's table(): a week of quarter-hours is 672 rows.
    pdf.set_font("dejavu", "B", 8)
    for text, width in zip(headings, widths, strict=True):
        pdf.cell(width, 5, text, border="B")
    pdf.ln(5)
    pdf.set_font("dejavu", "", 8)
    for index in range(len(first)):
        worst = Quality.VALIDATED
        cells = [
            first.starts[index][:16].replace("T", " "),
            first.ends[index][:16].replace("T", " "),
        ]
        for channel in channels:
            series = table[channel]
            quality = Quality(series.qualities[index])
            worst = min(worst, quality)
            shown = f"{series.values[index] * scale:.3f}".replace(".", ",")
            cells.append(shown if quality != Quality.MISSING else "-")
        cells.append(STATUS_NL[QUALITY_NAMES[worst]])
        for text, width in zip(cells, widths, strict=True):
            pdf.cell(width, 4.2, text)
        pdf.ln(4.2)
    return bytes(pdf.output())
