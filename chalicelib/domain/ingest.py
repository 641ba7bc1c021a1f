"""The words of ingest (R10), shared by its two doors (the ops API and files in the ingest bucket),
its reports and the CSV history: a batch as read (`RawBatch`), as parsed (`ParsedBatch`), a row
refused (`RowError`). The parser itself, with numpy, is `ingest_parse`: only the ingest function
imports it. Pure: no I/O.

A batch comes from JSON (`ingest_json.decode_json`: `{ean, channel, resolution, unit, readings:
[{start, value, status}]}`, one or a list) or from the portal's CSV history layout
(`render/history_csv.py` writes it and reads it back); both give `RawBatch`es.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

from .brussels import SUPPORTED_RANGE
from .identifiers import is_valid_ean
from .readings import HOUR, QUARTER_HOUR, DaySeries, Quality

RESOLUTION_MINUTES = {"quarter_hour": QUARTER_HOUR, "hour": HOUR}
UNITS = {"kWh", "m3"}
MAX_ERRORS_LISTED = 500
# The largest file ingest reads: parsing holds it whole, several times over, in the ingest
# function's 1 GB. A year of quarter-hours of one series is about 3.5 MB as JSON.
MAX_FILE_BYTES = 50 * 1024 * 1024
TOO_LARGE = (
    f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB: split it into several files"
)
OUTSIDE_YEARS = f"start lies outside the supported years {SUPPORTED_RANGE}"
MAX_THOUSANDTHS = 2**31 - 1


@dataclass(frozen=True)
class RowError:
    row: int  # 1-based row number within the batch (or line number in a CSV file)
    field: str
    message: str


@dataclass
class ParsedBatch:
    """What one batch contributes, ready to merge into storage."""

    ean: str
    channel: str
    resolution: str
    unit: str
    gas_factor: float | None
    day_hour: int = 0  # the local hour the EAN's days begin at: 6 for gas days (R14)
    days: dict[date, tuple[DaySeries, bytearray]] = field(default_factory=dict)
    # fine data: the day's values and which slots this batch gave
    daily: dict[date, tuple[int, Quality]] = field(default_factory=dict)
    rows: int = 0
    accepted: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def minutes(self) -> int | None:
        return RESOLUTION_MINUTES.get(self.resolution)


class BatchError(ValueError):
    """The batch as a whole cannot be read (its header is wrong); none of its rows count."""


STATUS_CODES = {"validated": Quality.VALIDATED, "estimated": Quality.ESTIMATED, "missing": 0}


@dataclass(frozen=True)
class RawBatch:
    ean: str
    channel: str
    resolution: str
    unit: str
    starts: list[str]
    values: list[float | None]
    statuses: list[str | None]
    row_numbers: list[int] | None = None  # when rows come from elsewhere (CSV lines)

    def row(self, index: int) -> int:
        """The number a person sees for the row at `index`: 1-based, or its line in a file."""
        return self.row_numbers[index] if self.row_numbers else index + 1

    conversion_factor: float | None = None


def check_header(raw: RawBatch) -> None:
    if not is_valid_ean(raw.ean):
        raise BatchError(f"invalid EAN {raw.ean!r}")
    if raw.unit not in UNITS:
        raise BatchError(f"unit must be kWh or m3, not {raw.unit!r}")
    factor = raw.conversion_factor
    if factor is not None and not (math.isfinite(factor) and 0 < factor < 100):
        raise BatchError("conversion_factor must be a kWh-per-m³ factor between 0 and 100")
