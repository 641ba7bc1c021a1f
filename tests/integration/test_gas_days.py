"""Gas is counted in gas days (R14): 06:00 to 06:00 Brussels time, so the gas day before a clock
change has 23 or 25 hours. Every door serves the same gas days: the machine API's hours and days,
the portal's hours, days and months, and the CSV's day rows; daily values are the hours' sums."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from tests.support.http import Http
from tests.support.machine import MachineClient, secret_client
from tests.support.readings import batch, day_readings
from tests.support.world import World, customer_with_meter, ean, grant, ingest

EDV = "0123456749"
GAS = ean(28)
SPRING_GAS_DAY = date(2025, 3, 29)  # Saturday 06:00 CET to Sunday 06:00 CEST: 23 hours
AUTUMN_GAS_DAY = date(2025, 10, 25)  # Saturday 06:00 CEST to Sunday 06:00 CET: 25 hours


@pytest.fixture
def world(http: Http) -> World:
    world = World(http)
    world.edv = world.active(EDV, "Zonnig")
    greet = customer_with_meter(world, "greet", GAS, energy="gas", direction="offtake")
    grant(world, greet, EDV, GAS, granularity="hour", period_start="2025-01-01")
    for gas_day in (SPRING_GAS_DAY, AUTUMN_GAS_DAY):
        rows = [*day_readings(gas_day, 60, value=1.0), *day_readings(gas_day + timedelta(1), 60)]
        ingest(world, batch(GAS, rows, resolution="hour", unit="m3", conversion_factor=10.0))
    return world


def offtake(http: Http, world: World, query: str) -> list[dict[str, Any]]:
    """The portal's offtake points for a query, in m³."""
    answer = http.get(
        f"/v1/organisations/{EDV}/access-points/{GAS}/volumes?{query}&unit=m3",
        token=world.edv.member,
    )
    assert answer.status == 200, answer.body
    return answer.json["channels"]["offtake"]  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("gas_day", "hours", "begins", "ends"),
    [
        (SPRING_GAS_DAY, 23, "2025-03-29T06:00:00+01:00", "2025-03-30T06:00:00+02:00"),
        (AUTUMN_GAS_DAY, 25, "2025-10-25T06:00:00+02:00", "2025-10-26T06:00:00+01:00"),
    ],
)
def test_the_portal_serves_gas_days_from_six_to_six(
    http: Http, world: World, gas_day: date, hours: int, begins: str, ends: str
) -> None:
    span = f"from={gas_day}&to={gas_day + timedelta(days=1)}"
    hourly = offtake(http, world, f"{span}&resolution=hour")
    assert len(hourly) == hours
    assert (hourly[0]["start"], hourly[-1]["end"]) == (begins, ends)
    [day] = offtake(http, world, f"{span}&resolution=day")
    assert (day["start"], day["end"], day["value"]) == (begins, ends, float(hours))
    csv = http.get(
        f"/v1/organisations/{EDV}/access-points/{GAS}/volumes?{span}&resolution=day&format=csv",
        token=world.edv.member,
    ).body.decode("utf-8-sig")
    m3_row = csv.split("\r\n")[2].split(";")  # after the hour's kWh row, as the portal has it
    next_day = gas_day + timedelta(days=1)
    assert m3_row[:4] == [f"{gas_day:%d-%m-%Y}", "06:00:00", f"{next_day:%d-%m-%Y}", "06:00:00"]
    assert m3_row[8:10] == [f"{hours},000", "m³"]


def test_a_gas_month_begins_at_six_on_the_first(http: Http, world: World) -> None:
    [month] = offtake(http, world, "from=2025-03-01&to=2025-04-01&resolution=month")
    assert (month["start"], month["end"]) == (
        "2025-03-01T06:00:00+01:00",
        "2025-04-01T06:00:00+02:00",
    )


def test_the_machine_api_slices_gas_days_as_the_reference_does(world: World, http: Http) -> None:
    client: MachineClient = secret_client(http, world.edv)
    answer = client.get(
        f"/mandate/energy?ean={GAS}&periodType=readTime&granularity=daily"
        "&from=2025-03-29T00:00:00Z&to=2025-03-31T00:00:00Z"
    )
    assert answer.status == 200, answer.body
    [meter] = answer.json["data"]["headpoint"]["physicalMeters"]
    spring, sunday = meter["dailyEnergy"]
    assert (spring["start"], spring["end"]) == ("2025-03-29T05:00:00Z", "2025-03-30T04:00:00Z")
    assert spring["measurements"][0]["offtake"]["total"]["value"] == 23.0
    assert sunday["start"] == "2025-03-30T04:00:00Z"  # 06:00 summer time
    autumn = client.get(
        f"/mandate/energy?ean={GAS}&periodType=readTime&granularity=hourly_quarterhourly"
        "&from=2025-10-25T04:00:00Z&to=2025-10-26T05:00:00Z"
    ).json["data"]["headpoint"]["physicalMeters"][0]["hourlyEnergy"]
    assert len(autumn) == 25 and autumn[0]["start"] == "2025-10-25T04:00:00Z"


def test_a_daily_gas_reading_is_a_gas_day(http: Http, world: World) -> None:
    """Given as its 06:00 start or as its date, a daily reading is the gas day of that date; a
    reading that starts at another hour is refused with its row."""
    body = batch(
        GAS,
        [
            {"start": "2025-02-03T06:00:00+01:00", "value": 30.0, "status": "validated"},
            {"start": "2025-02-04", "value": 31.0, "status": "validated"},
            {"start": "2025-02-05T07:00:00+01:00", "value": 32.0, "status": "validated"},
        ],
        resolution="day",
        unit="m3",
    )
    report = ingest(world, body)
    assert (report["accepted"], report["rejected"]) == (2, 1)
    assert "06:00" in report["errors"][0]["message"]
    days = offtake(http, world, "from=2025-02-03&to=2025-02-05&resolution=day")
    assert [(d["start"], d["value"]) for d in days] == [
        ("2025-02-03T06:00:00+01:00", 30.0),
        ("2025-02-04T06:00:00+01:00", 31.0),
    ]
