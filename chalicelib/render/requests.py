"""What the API asks the rendering function to draw, and how it travels.

PNG charts and PDF documents need matplotlib, numpy, fpdf2, fontTools and Pillow: over 100 MB
that the API function does not carry (infrastructure/bundles.py). The API decides what the caller
may see, builds one of these requests from it, and `services/rendering.py` sends it to the
rendering function (`functions/render.py`), which draws it. The request holds only what is drawn:
the rendering function reads nothing and may read nothing.

On the way a request is JSON (msgspec), zlib-compressed and base64-encoded: a year of
quarter-hours on two channels is 4.3 MB of JSON, 0.7 MB so, well inside Lambda's 6 MB.
"""

from __future__ import annotations

import base64
import zlib
from array import array
from dataclasses import dataclass
from datetime import date
from typing import Any

import msgspec

from ..domain.vocabulary import Channel
from ..domain.volumes import ChannelSeries
from ..media_types import PDF, PNG

TABLE_ROWS_MAX = 1500  # a year of quarter-hours would be 700 pages; beyond this, days are listed


@dataclass(frozen=True)
class Header:
    title: str
    lines: list[tuple[str, str]]  # (label, text), as a two-column block under the title
    unit: str
    notice: str
    footer: str  # on every page, beside its number


@dataclass(frozen=True)
class ContractDetails:
    organisation_name: str
    enterprise_number: str
    channel: Channel
    contract_number: str
    date: date
    contact_name: str


class VolumesChart(msgspec.Struct, frozen=True, tag="volumes_png"):
    """Offtake above the axis, injection below (render/charts.py)."""

    channels: dict[str, ChannelSeries]
    unit: str
    title: str
    fine: bool
    lang: str = "nl"  # the reader's: legend, day names, numbers (render/words.py)


class VolumesReport(msgspec.Struct, frozen=True, tag="volumes_pdf"):
    """The printable report (render/volumes_pdf.py), with `chart` drawn on its first page."""

    header: Header
    chart: VolumesChart
    table: dict[str, ChannelSeries]
    table_note: str | None
    split_tariffs: bool
    fine: bool
    lang: str = "nl"


class Contract(msgspec.Struct, frozen=True, tag="contract_pdf"):
    """The standard data access contract filled in for one organisation (render/contract.py)."""

    details: ContractDetails


Drawing = VolumesChart | VolumesReport | Contract
CONTENT_TYPES = {VolumesChart: PNG, VolumesReport: PDF, Contract: PDF}


def to_event(drawing: Drawing) -> dict[str, str]:
    # level 1: 20 ms for the largest
    packed = zlib.compress(msgspec.json.encode(drawing, enc_hook=_as_list), 1)
    return {"drawing": base64.b64encode(packed).decode("ascii")}


def _as_list(value: Any) -> Any:
    """A fine series' packed values (array.array), which msgspec does not encode, as a list."""
    if isinstance(value, array):
        return value.tolist()
    # msgspec's protocol for a type the hook does not take: it answers with its own TypeError.
    raise NotImplementedError(f"cannot encode {type(value).__name__}")


def from_event(event: dict[str, Any]) -> Drawing:
    packed = base64.b64decode(event["drawing"], validate=True)
    drawing: Drawing = msgspec.json.decode(zlib.decompress(packed), type=Drawing)
    return drawing


def to_answer(drawing: Drawing, body: bytes) -> dict[str, str]:
    return {"content_type": CONTENT_TYPES[type(drawing)], "body": base64.b64encode(body).decode()}


def from_answer(answer: dict[str, Any]) -> bytes:
    return base64.b64decode(answer["body"], validate=True)
