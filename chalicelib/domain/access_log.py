"""R12: every read of meter data by an EDV, for the customer to see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class AccessRecord:
    ean: str
    edv: str
    mandate_id: str
    grid_user_key: str  # whose data it was: the mandate's grid user
    range_from: str  # ISO date or instant, as requested
    range_to: str
    resolution: str
    what: str  # volumes | peak_power | energy (ESCO)
    face: str  # portal | api
    at: datetime
