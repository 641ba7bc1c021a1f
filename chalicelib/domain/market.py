"""Market scenarios as the market reports them (R8)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

from .access_points import GridUser
from .errors import DomainError
from .vocabulary import MarketEventStatus, Scenario

NEEDS_NEW_GRID_USER = {Scenario.CUSTOMER_SWITCH, Scenario.COMBINED_SWITCH, Scenario.MOVE_IN}


@dataclass(frozen=True)
class MarketEvent:
    event_id: str
    ean: str
    scenario: Scenario
    effective_date: date
    new_grid_user: GridUser | None
    recorded_at: datetime
    status: MarketEventStatus
    applied_at: datetime | None = None


def event_id(ean: str, scenario: Scenario, effective_date: date, new: GridUser | None) -> str:
    """The same report twice is the same event: its identity is its content."""
    text = f"{ean}|{scenario.value}|{effective_date.isoformat()}|{new.key if new else ''}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def check_new_grid_user(scenario: Scenario, new: GridUser | None) -> None:
    if scenario in NEEDS_NEW_GRID_USER and new is None:
        raise DomainError(
            "validation_error", f"A {scenario.value} names the new grid user (new_grid_user)."
        )
    if scenario is Scenario.SUPPLIER_SWITCH and new is not None:
        raise DomainError("validation_error", "A supplier switch does not change the grid user.")
