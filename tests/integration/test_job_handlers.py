"""The Lambda handlers of the scheduled jobs: thin, driven by the schedule's time."""

from __future__ import annotations

from datetime import UTC, date, datetime

from chalicelib.domain.vocabulary import Granularity, MandateStatus
from chalicelib.services import mandates
from chalicelib.store import mandates as store
from functions import jobs
from tests.support.http import Http
from tests.support.world import World, customer_with_meter, ean


def test_the_expiry_handler_uses_the_schedule_time_and_is_idempotent(http: Http) -> None:
    world = World(http)
    world.active("0123456749", "Zonnig")
    customer_with_meter(world, "karel", ean(1))
    request = mandates.GrantRequest(
        "0123456749", ean(1), Granularity.DAY, date(2021, 1, 1), date(2022, 1, 1)
    )
    mandate = mandates.grant("karel", request, datetime(2022, 1, 10, tzinfo=UTC))
    scheduled = {"source": "aws.scheduler", "time": "2025-01-09T23:00:00Z"}  # 00:00 Brussels
    assert jobs.mandate_expiry(scheduled, None)["expired"] == 0
    retried_tick = {"source": "aws.scheduler", "time": "2025-01-10T00:00:00Z"}
    assert jobs.mandate_expiry(retried_tick, None)["expired"] == 1
    assert jobs.mandate_expiry(retried_tick, None)["expired"] == 0
    assert store.get(mandate.id).status is MandateStatus.EXPIRED  # type: ignore[union-attr]
    assert jobs.market_scenarios(retried_tick, None) == {
        "job": "market-scenarios",
        "as_of": "2025-01-10T00:00:00+00:00",
        "events_applied": 0,
        "mandates_truncated": 0,
    }
