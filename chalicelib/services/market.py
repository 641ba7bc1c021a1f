"""Market scenarios (R8) as reported by the market, applied now or when their day comes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from ..domain.access_points import AccessPoint, GridUser, Tenure, check_tenure_start
from ..domain.audit import AuditAction
from ..domain.brussels import brussels_date
from ..domain.errors import DomainError
from ..domain.mandates import Mandate, changes_grid_user
from ..domain.market import NEEDS_NEW_GRID_USER, MarketEvent, check_new_grid_user, event_id
from ..domain.vocabulary import MarketEventStatus, Scenario
from ..store import access_points as access_points_store
from ..store import mandates as mandates_store
from ..store import market_events as market_events_store
from . import access_points, audit, mandates


@dataclass(frozen=True)
class Report:
    event: MarketEvent
    replayed: bool  # this very event was reported before: nothing changed
    truncated: int  # mandates whose period was cut short now


def report(
    ean: str,
    scenario: Scenario,
    effective_date: date,
    new_grid_user: GridUser | None,
    now: datetime,
) -> Report:
    check_new_grid_user(scenario, new_grid_user)
    access_points.get(ean)  # 404 for an unknown EAN
    identity = event_id(ean, scenario, effective_date, new_grid_user)
    existing = market_events_store.get(identity)
    today = brussels_date(now)
    if existing is not None:
        return _settle(existing, replayed=True, today=today, now=now)
    event = MarketEvent(
        event_id=identity,
        ean=ean,
        scenario=scenario,
        effective_date=effective_date,
        new_grid_user=new_grid_user,
        recorded_at=now,
        status=MarketEventStatus.PENDING,
    )
    # Recorded as pending first: if applying fails halfway, the job finishes it (idempotently).
    if not market_events_store.record(event):
        again = market_events_store.get(identity)
        assert again is not None
        return _settle(again, replayed=True, today=today, now=now)
    return _settle(event, replayed=False, today=today, now=now)


def report_by_operator(
    actor: str,
    ean: str,
    scenario: Scenario,
    effective_date: date,
    new_grid_user: GridUser | None,
    now: datetime,
) -> Report:
    """An operator's report: as `report`, and in the audit trail unless it was a replay."""
    result = report(ean, scenario, effective_date, new_grid_user, now)
    if not result.replayed:
        audit.record(
            actor,
            AuditAction.MARKET_EVENT_REPORTED,
            ean,
            now,
            scenario=scenario.value,
            effective_date=effective_date.isoformat(),
            new_grid_user=new_grid_user.key if new_grid_user else None,
            mandates_truncated=result.truncated,
        )
    return result


def _settle(event: MarketEvent, *, replayed: bool, today: date, now: datetime) -> Report:
    """Apply the event if it is due and still pending. A replay of one that failed halfway
    finishes it now rather than wait for the job: applying is idempotent."""
    if event.status is not MarketEventStatus.PENDING or event.effective_date > today:
        return Report(event, replayed=replayed, truncated=0)
    truncated = apply(event, now)
    applied = market_events_store.get(event.event_id)
    assert applied is not None
    return Report(applied, replayed=replayed, truncated=truncated)


def apply(event: MarketEvent, now: datetime) -> int:
    """Hand the access point to its new grid user (if any), then cut the periods short. In
    that order: a grant racing the move either commits before the hand-over (and is cut short
    here) or fails its check on the grid user and is refused."""
    truncated = 0
    if changes_grid_user(event.scenario):
        tenure = Tenure(event.new_grid_user, event.effective_date)
        access_points.hand_over(event.ean, tenure, brussels_date(now))
        truncated = mandates.truncate_for(
            event.ean,
            event.scenario,
            event.effective_date,
            event.new_grid_user,
            brussels_date(event.recorded_at),
            now,
        )
    market_events_store.mark_applied(event.event_id, now)
    return truncated


def register_with_scenario(
    ean: str, registration: access_points.Registration, scenario: Scenario | None, now: datetime
) -> tuple[AccessPoint, bool]:
    """The operator's registration of an access point. A new grid user on a registered EAN is
    carried out as the scenario the operator names, exactly as if reported: hand-over and
    truncation (R8); without a scenario it is refused."""
    existing = access_points_store.get(ean)
    today = brussels_date(now)
    if existing is not None and scenario is not None:
        new = Tenure(registration.grid_user, registration.grid_user_since)
        if existing.tenure_on(today) != new:
            if scenario not in NEEDS_NEW_GRID_USER:
                raise DomainError(
                    "validation_error",
                    "A new grid user comes with a customer switch, a combined switch or a move in.",
                )
            check_tenure_start(registration.grid_user_since, today)
            report(ean, scenario, registration.grid_user_since, registration.grid_user, now)
    return access_points.register(ean, registration, now)


def register_by_operator(
    actor: str,
    ean: str,
    registration: access_points.Registration,
    scenario: Scenario | None,
    now: datetime,
) -> tuple[AccessPoint, bool]:
    """An operator's registration: as `register_with_scenario`, and in the audit trail."""
    point, created = register_with_scenario(ean, registration, scenario, now)
    audit.record(
        actor,
        AuditAction.ACCESS_POINT_REGISTERED,
        ean,
        now,
        created=created,
        grid_user=registration.grid_user.key,
        grid_user_since=registration.grid_user_since.isoformat(),
        scenario=scenario.value if scenario else None,
    )
    return point, created


def apply_due(as_of: datetime) -> tuple[int, int]:
    """The market-scenarios job: events whose effective date has come. (events, truncations)"""
    events = truncations = 0
    for event in market_events_store.pending_until(brussels_date(as_of)):
        truncations += apply(event, as_of)
        events += 1
    return events, truncations


@dataclass(frozen=True)
class PointHistory:
    """What an operator looks at for one EAN: its grid users, the scenarios reported on it, and
    the mandates on it with what each scenario cut short."""

    point: AccessPoint
    events: list[tuple[MarketEvent, list[Mandate]]]
    mandates: list[Mandate]


def history(ean: str) -> PointHistory:
    point = access_points_store.get(ean)
    if point is None:
        raise DomainError("not_found", f"Access point {ean} is not registered.")
    on_ean = sorted(mandates_store.of_ean(ean), key=lambda m: (m.granted_at, m.id))
    events = [
        (event, [m for m in on_ean if _cut_by(m, event)])
        for event in market_events_store.of_ean(ean)
    ]
    return PointHistory(point, events, on_ean)


def _cut_by(mandate: Mandate, event: MarketEvent) -> bool:
    return any(
        a.scenario is event.scenario and a.effective_date == event.effective_date
        for a in mandate.period_adjustments
    )
