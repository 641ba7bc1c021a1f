"""The one entitlement, as a pure rule: window, resolutions and peak detail."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from chalicelib.domain.access_points import AccessPoint, GridUser, Tenure
from chalicelib.domain.entitlement import PeakDetail, entitlement
from chalicelib.domain.errors import DomainError
from chalicelib.domain.mandates import Mandate, valid_until
from chalicelib.domain.market import MarketEvent
from chalicelib.domain.vocabulary import (
    Direction,
    Energy,
    Granularity,
    MandateStatus,
    MarketEventStatus,
    MeterType,
    Scenario,
)

KAREL, ANNA = GridUser("person", "karel"), GridUser("person", "anna")
GRANTED = datetime(2025, 1, 10, 9, tzinfo=UTC)
NOW = datetime(2025, 6, 15, 12, tzinfo=UTC)
POINT = AccessPoint(
    "541448820000000017",
    Energy.ELECTRICITY,
    MeterType.DIGITAL,
    Direction.BOTH,
    "Straat 1",
    "M1",
    (Tenure(KAREL, date(2024, 1, 1)),),
)
MANDATE = Mandate(
    id="m",
    ean=POINT.ean,
    edv="0123456749",
    granularity=Granularity.QUARTER_HOUR,
    period_start=date(2025, 1, 1),
    period_end=date(2030, 1, 1),
    granted_at=GRANTED,
    valid_until=valid_until(GRANTED),
    status=MandateStatus.ACTIVE,
    granted_by="karel",
    grid_user=KAREL,
    energy=Energy.ELECTRICITY,
)


def event(effective: date, status: MarketEventStatus, new: GridUser | None = ANNA) -> MarketEvent:
    scenario = Scenario.MOVE_IN if new else Scenario.MOVE_OUT
    return MarketEvent("e", POINT.ean, scenario, effective, new, GRANTED, status)


def test_the_window_is_the_period_up_to_today() -> None:
    granted = entitlement(MANDATE, POINT, [], NOW)
    assert (granted.first, granted.end) == (date(2025, 1, 1), date(2025, 6, 16))
    assert granted.fine and granted.peak_detail is PeakDetail.INSTANT
    assert granted.channels == POINT.channels


def test_a_day_mandate_gives_dates_of_peaks_only() -> None:
    granted = entitlement(replace(MANDATE, granularity=Granularity.DAY), POINT, [], NOW)
    assert not granted.fine and granted.peak_detail is PeakDetail.DATE


def test_the_window_ends_where_someone_else_became_grid_user() -> None:
    moved = replace(POINT, tenures=(*POINT.tenures, Tenure(ANNA, date(2025, 3, 1))))
    assert entitlement(MANDATE, moved, [], NOW).end == date(2025, 3, 1)
    # Reported so late that the registry says Anna was there before the period began: nothing.
    early = replace(POINT, tenures=(*POINT.tenures, Tenure(ANNA, date(2024, 12, 1))))
    assert entitlement(MANDATE, early, [], NOW).is_empty


def test_a_due_scenario_holds_before_its_job_a_future_one_does_not() -> None:
    pending = [event(date(2025, 6, 1), MarketEventStatus.PENDING, new=None)]
    assert entitlement(MANDATE, POINT, pending, NOW).end == date(2025, 6, 1)
    ahead = [event(date(2025, 7, 1), MarketEventStatus.PENDING)]
    assert entitlement(MANDATE, POINT, ahead, NOW).end == date(2025, 6, 16)
    back_in = [event(date(2025, 6, 1), MarketEventStatus.PENDING, new=KAREL)]
    assert entitlement(MANDATE, POINT, back_in, NOW).end == date(2025, 6, 16)


@pytest.mark.parametrize(
    "mandate",
    [
        None,
        replace(MANDATE, status=MandateStatus.ENDED),
        replace(MANDATE, valid_until=NOW - timedelta(seconds=1)),  # expired, job or no job
    ],
)
def test_no_mandate_gives_nothing(mandate: Mandate | None) -> None:
    with pytest.raises(DomainError) as refused:
        entitlement(mandate, POINT, [], NOW)
    assert refused.value.code == "no_mandate"
