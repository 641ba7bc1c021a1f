"""Our history download read by the readers people already use (tests/support/public_parsers.py):
every row of a digital meter, an AMR meter and a gas meter, with the totals the portal shows."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from tests.support.http import Http
from tests.support.public_parsers import by_position, home_assistant_import
from tests.support.readings import batch, day_readings
from tests.support.world import World, customer_with_meter, ean, grant, ingest

EDV = "0123456749"
DIGITAL, AMR, GAS = ean(41), ean(42), ean(43)
DAY = date(2025, 3, 3)  # a Monday: day and night tariff


@pytest.fixture
def world(http: Http) -> World:
    world = World(http)
    world.edv = world.active(EDV, "Zonnig")
    karel = customer_with_meter(world, "karel", DIGITAL)
    anna = customer_with_meter(world, "anna", AMR, meter_type="amr", direction="offtake")
    greet = customer_with_meter(world, "greet", GAS, energy="gas", direction="offtake")
    for customer, code, granularity in (
        (karel, DIGITAL, "quarter_hour"),
        (anna, AMR, "quarter_hour"),
        (greet, GAS, "hour"),
    ):
        grant(world, customer, EDV, code, granularity=granularity)
    value = lambda i: (i % 7) / 100  # noqa: E731 - distinct small values
    ingest(world, batch(DIGITAL, day_readings(DAY, value=value)))
    ingest(world, batch(DIGITAL, day_readings(DAY, value=0.01), channel="injection"))
    ingest(world, batch(AMR, day_readings(DAY, value=value)))
    ingest(
        world,
        batch(
            GAS,
            day_readings(DAY, 60, value=value),
            resolution="hour",
            unit="m3",
            conversion_factor=10.0,
        ),
    )
    return world


def export(http: Http, world: World, code: str, resolution: str, fmt: str) -> Any:
    answer = http.get(
        f"/v1/organisations/{EDV}/access-points/{code}/volumes?from={DAY}&to={DAY + timedelta(days=1)}"
        f"&resolution={resolution}&format={fmt}&unit=m3",
        token=world.edv.member,
    )
    assert answer.status == 200, answer.body
    return answer.body if fmt == "csv" else answer.json


def total(body: Any, channel: str) -> float:
    return round(sum(p["value"] or 0 for p in body["channels"][channel]), 3)


def test_a_digital_meter_read_by_both(http: Http, world: World) -> None:
    data = export(http, world, DIGITAL, "quarter_hour", "csv")
    shown = export(http, world, DIGITAL, "quarter_hour", "json")
    assert isinstance(data, bytes)
    imported = home_assistant_import(data)
    day_rows, day_total = imported["elec_feed_in_tariff_1"]
    night_rows, night_total = imported["elec_feed_in_tariff_2"]
    assert day_rows + night_rows == 96 and day_rows == 60  # 07:00-22:00 on a weekday
    assert round(day_total + night_total, 3) == total(shown, "offtake")
    out = imported["elec_feed_out_tariff_1"][1] + imported["elec_feed_out_tariff_2"][1]
    assert round(out, 3) == total(shown, "injection") == 0.96
    positional = by_position(data)
    assert round(
        positional[("Afname Dag", "kWh")] + positional[("Afname Nacht", "kWh")], 3
    ) == total(shown, "offtake")


def test_an_amr_meter_read_by_register(http: Http, world: World) -> None:
    data = export(http, world, AMR, "quarter_hour", "csv")
    shown = export(http, world, AMR, "quarter_hour", "json")
    assert isinstance(data, bytes)
    assert by_position(data) == {("Afname Actief", "kWh"): total(shown, "offtake")}
    rows = [line for line in data.decode("utf-8-sig").splitlines()[1:] if ";Afname Actief;" in line]
    assert len(rows) == 96 and all(";Gevalideerd;" in line for line in rows)


def test_a_gas_meter_read_by_both(http: Http, world: World) -> None:
    data = export(http, world, GAS, "hour", "csv")
    shown = export(http, world, GAS, "hour", "json")
    assert isinstance(data, bytes)
    rows, m3 = home_assistant_import(data)["gas"]
    assert (rows, m3) == (24, total(shown, "offtake"))
    positional = by_position(data)
    assert positional[("Afname", "m³")] == total(shown, "offtake")
    assert positional[("Afname", "kWh")] == round(total(shown, "offtake") * 10, 3)
