"""Volumes as a PDF report (R11) a customer or an adviser would print: who asked for what, the
period in words, totals per channel and register, the chart as on the screen, and the table in
the reader's language with the portal's number and date formats, with page numbers. Long ranges
list days."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..domain.readings import QUALITY_NAMES, Quality, is_day_tariff
from ..domain.volumes import ChannelSeries
from .pdfdoc import new_document, paragraph
from .requests import Header
from .words import Words


@dataclass(frozen=True)
class Total:
    label: str  # "Afname", "Afname dag", "Injectie nacht", …
    thousandths: int


def totals(table: dict[str, ChannelSeries], split_tariffs: bool, words: Words) -> list[Total]:
    """Per channel, and for a digital electricity meter per tariff register (day and night)."""
    result = []
    for channel, series in table.items():
        name = words.channel(channel)
        result.append(Total(name, series.total))
        if not split_tariffs:
            continue
        if series.day_parts is not None and series.night_parts is not None:
            day_part, night_part = sum(series.day_parts), sum(series.night_parts)
        else:  # quarter-hours or hours: each lies in one tariff period
            day_part = sum(
                value
                for value, start in zip(series.values, series.starts, strict=True)
                if is_day_tariff(datetime.fromisoformat(start))
            )
            night_part = series.total - day_part
        result.append(Total(f"{name} {words('dagtarief')}", day_part))
        result.append(Total(f"{name} {words('nachttarief')}", night_part))
    return result


def volumes_pdf(
    header: Header,
    chart_png: bytes,
    table: dict[str, ChannelSeries],
    table_note: str | None,
    split_tariffs: bool,
    fine: bool,
    scale: float = 0.001,
    lang: str = "nl",
) -> bytes:
    words = Words(lang)
    pdf = new_document(header.title, footer=header.footer, lang=lang)
    paragraph(pdf, header.title, size=15, bold=True, line=8)
    pdf.ln(1)
    pdf.set_font("dejavu", "B", 9)
    # As wide as the longest label: French and English ones are longer than the Dutch.
    label_width = max(48, *(pdf.get_string_width(label) + 4 for label, _ in header.lines))
    for label, text in header.lines:
        pdf.set_font("dejavu", "B", 9)
        pdf.cell(label_width, 5, label)
        pdf.set_font("dejavu", "", 9)
        pdf.multi_cell(0, 5, text, new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.ln(2)
    pdf.set_font("dejavu", "B", 10)
    pdf.cell(0, 6, words("Totalen"), new_x="LMARGIN", new_y="NEXT")
    for total in totals(table, split_tariffs, words):
        pdf.set_font("dejavu", "", 9)
        pdf.cell(48, 5, total.label)
        pdf.cell(30, 5, f"{words.number(total.thousandths * scale)} {header.unit}", align="R")
        pdf.ln(5)
    pdf.ln(2)
    pdf.image(io.BytesIO(chart_png), w=pdf.epw)
    pdf.ln(2)
    paragraph(pdf, header.notice, size=8.5, line=4.5)
    if table_note:
        paragraph(pdf, table_note, size=8.5, line=4.5)
    pdf.ln(2)
    _table(pdf, table, header.unit, scale, words, fine=fine and table_note is None)
    return bytes(pdf.output())


def _table(
    pdf: Any, table: dict[str, ChannelSeries], unit: str, scale: float, words: Words, fine: bool
) -> None:
    """Intervals from their start to their end on the clock; days, weeks and months from their
    first to their last day (t.e.m.), as the portal writes periods."""
    channels = list(table)
    since, until, status = words("Van"), words("Tot" if fine else "T.e.m."), words("Status")
    headings = [since, until, *[f"{words.channel(c)} ({unit})" for c in channels], status]
    widths = (42, 42, *[30] * len(channels), 26)
    first = table[channels[0]]

    def heading() -> None:
        pdf.set_font("dejavu", "B", 8)
        for text, width in zip(headings, widths, strict=True):
            align = "L" if text in (since, until, status) else "R"
            pdf.cell(width, 5, text, border="B", align=align)
        pdf.ln(5)
        pdf.set_font("dejavu", "", 8)

    heading()
    # Plain cells rather than fpdf2's table(): a week of quarter-hours is 672 rows.
    for index in range(len(first)):
        if pdf.will_page_break(4.2):
            pdf.add_page()
            heading()
        if fine:
            cells = [words.moment(first.starts[index]), words.moment(first.ends[index])]
        else:
            cells = [words.short_date(first.starts[index]), words.last_day(first.ends[index])]
        present = []
        for channel in channels:
            series = table[channel]
            quality = Quality(series.qualities[index])
            if quality != Quality.MISSING:
                present.append(quality)
            value = series.values[index] * scale if quality != Quality.MISSING else None
            cells.append(words.number(value))
        # The status of what is shown: a channel with nothing at all says so with its "–".
        worst = min(present) if present else Quality.MISSING
        cells.append(words.status(QUALITY_NAMES[worst]))
        for position, (text, width) in enumerate(zip(cells, widths, strict=True)):
            align = "R" if 2 <= position < 2 + len(channels) else "L"
            pdf.cell(width, 4.2, text, align=align)
        pdf.ln(4.2)
