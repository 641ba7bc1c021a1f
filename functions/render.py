"""Thin Lambda handler: draw a PNG chart or a PDF document the API asked for
(chalicelib/render/requests.py). Its bundle carries matplotlib, numpy, fpdf2, fontTools and
Pillow, which the API's does not; its role reads no table and no bucket: everything drawn is in
the request."""

from __future__ import annotations

from typing import Any

from chalicelib.render import requests
from chalicelib.render.charts import volumes_png
from chalicelib.render.contract import render_contract
from chalicelib.render.volumes_pdf import volumes_pdf


def draw(drawing: requests.Drawing) -> bytes:
    if isinstance(drawing, requests.VolumesChart):
        return volumes_png(
            drawing.channels, drawing.unit, drawing.title, drawing.fine, lang=drawing.lang
        )
    if isinstance(drawing, requests.VolumesReport):
        chart = draw(drawing.chart)
        return volumes_pdf(
            drawing.header,
            chart,
            drawing.table,
            drawing.table_note,
            split_tariffs=drawing.split_tariffs,
            fine=drawing.fine,
            lang=drawing.lang,
        )
    return render_contract(drawing.details)


def handler(event: dict[str, Any], context: Any) -> dict[str, str]:
    drawing = requests.from_event(event)
    return requests.to_answer(drawing, draw(drawing))
