"""Access points (EANs) and who is connected to them over time (R5, R6)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .brussels import GAS_DAY_HOUR
from .errors import DomainError, Problems
from .vocabulary import Direction, Energy, MeterChannel, MeterType


@dataclass(frozen=True)
class GridUser:
    """A person (by `sub`) or an organisation (by enterprise number) connected to an EAN."""

    kind: str  # "person" | "org"
    id: str

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"

    @staticmethod
    def from_key(key: str) -> GridUser:
        kind, _, identifier = key.partition(":")
        return GridUser(kind, identifier)


@dataclass(frozen=True)
class Tenure:
    grid_user: GridUser | None  # None: nobody connected (after a move out or a disconnection)
    since: date


@dataclass(frozen=True)
class AccessPoint:
    ean: str
    energy: Energy
    meter_type: MeterType
    direction: Direction
    address: str
    meter_number: str
    tenures: tuple[Tenure, ...]  # oldest first
    version: int = 0  # the store's optimistic-concurrency counter: a grant checks it did not move

    def tenure_on(self, day: date) -> Tenure | None:
        current = None
        for tenure in self.tenures:
            if tenure.since <= day:
                current = tenure
        return current

    def grid_user_on(self, day: date) -> GridUser | None:
        tenure = self.tenure_on(day)
        return tenure.grid_user if tenure else None

    @property
    def day_hour(self) -> int:
        """The local hour this EAN's days begin at (R14): gas days run from 06:00 to 06:00."""
        return GAS_DAY_HOUR if self.energy is Energy.GAS else 0

    @property
    def channels(self) -> tuple[MeterChannel, ...]:
        """R6: a digital meter's EAN carries both; an AMR EAN only its own direction."""
        if self.direction is Direction.BOTH:
            return (MeterChannel.OFFTAKE, MeterChannel.INJECTION)
        return (MeterChannel(self.direction.value),)


def check_configuration(energy: Energy, meter_type: MeterType, direction: Direction) -> None:
    """Which meters exist: digital electricity carries both directions; AMR electricity has an EAN
    per direction; gas has no injection."""
    problems = Problems()
    if energy is Energy.GAS and direction is not Direction.OFFTAKE:
        problems.add("direction", "Gas has no injection: a gas EAN carries offtake only.")
    elif energy is Energy.ELECTRICITY and meter_type is MeterType.DIGITAL:
        if direction is not Direction.BOTH:
            problems.add("direction", "A digital meter's EAN carries offtake and injection: both.")
    elif energy is Energy.ELECTRICITY and direction is Direction.BOTH:
        problems.add("direction", "An AMR installation has one EAN per direction.")
    problems.raise_if_any()


def check_tenure_start(since: date, today: date) -> None:
    """Moves that lie ahead are market events: a registration's tenure has begun."""
    if since > today:
        raise DomainError(
            "validation_error",
            "grid_user_since lies in the future; report a future move as a market event.",
        )


def check_tenure_unchanged(point: AccessPoint, tenure: Tenure, today: date) -> None:
    """R8: on a registered EAN the grid user changes only through a market scenario, which hands
    over and cuts mandates short. A registration may restate the current tenure, not change it."""
    if point.tenure_on(today) != tenure:
        raise DomainError(
            "grid_user_change_needs_scenario",
            "The grid user of a registered access point changes only through a market scenario: "
            "report it (POST /v1/ops/market-events) or name it here (`scenario`).",
        )


def with_tenure(tenures: tuple[Tenure, ...], tenure: Tenure) -> tuple[Tenure, ...]:
    """The tenures with `tenure` set at its start date (replacing one that started that day)."""
    kept = [existing for existing in tenures if existing.since != tenure.since]
    return tuple(sorted([*kept, tenure], key=lambda t: t.since))


def require_grid_user(point: AccessPoint | None, acting_as: set[GridUser], today: date) -> Tenure:
    """R5: only the current grid user (or someone acting for that organisation) may grant."""
    tenure = point.tenure_on(today) if point else None
    if tenure is None or tenure.grid_user is None or tenure.grid_user not in acting_as:
        raise DomainError(
            "not_grid_user", "You are not the current grid user of this access point."
        )
    return tenure
