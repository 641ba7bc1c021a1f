"""What a day of ingest costs the operator (decision 0012), as on-demand DynamoDB charges it: a
series-day (an EAN's channel, a day of quarter-hours) writes at most 3 units to the readings
table, the same file again writes nothing, and every reading expires the stage's retention after
its day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import orjson
import pytest

from chalicelib.config import readings_retention
from chalicelib.domain.brussels import day_end_utc
from chalicelib.services import ingest
from chalicelib.store.readings import ReadingItem, series_key
from tests.support.counting import capacity_units
from tests.support.http import Http
from tests.support.readings import batch, day_readings
from tests.support.world import World, customer_with_meter, ean

METER = ean(71)
FIRST = date(2025, 3, 29)  # the days around the spring clock change


@pytest.fixture
def world(http: Http) -> World:
    world = World(http)
    customer_with_meter(world, "karel", METER)
    return world


def test_a_series_day_writes_at_most_three_units_and_a_repeat_none(world: World) -> None:
    now = datetime.now(UTC)
    for offset in range(3):
        day = FIRST + timedelta(days=offset)
        body = orjson.dumps(
            [batch(METER, day_readings(day), channel) for channel in ("offtake", "injection")]
        )
        with capacity_units() as units:
            report = ingest.ingest(body, "test", f"units-{day}", now)
        assert report.status == "ok"
        assert units["write edv-local-readings"] <= 3 * 2, units
        with capacity_units() as again:
            ingest.ingest(body, "test", f"units-{day}", now)
        assert again["write edv-local-readings"] == 0, again


def test_readings_expire_the_retention_after_their_day(world: World) -> None:
    ingest.ingest(
        orjson.dumps(batch(METER, day_readings(FIRST))), "test", "expiry", datetime.now(UTC)
    )
    item = ReadingItem.get(series_key(METER, "offtake"), f"F#{FIRST.isoformat()}")
    assert item.expires_at == day_end_utc(FIRST) + readings_retention()
    month = ReadingItem.get(series_key(METER, "offtake"), "M#2025-03")
    assert month.expires_at == day_end_utc(date(2025, 3, 31)) + readings_retention()
