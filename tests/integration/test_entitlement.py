"""No path around a mandate (R5-R9, R12): the three holes an attacker's probes found, each closed,
and every meter-data door reading through the one entitlement."""

from __future__ import annotations

import ast
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from chalicelib.domain.brussels import BRUSSELS, day_start_utc
from chalicelib.domain.vocabulary import Resolution, Scenario
from chalicelib.services import market, meterdata
from tests.support.http import Http
from tests.support.readings import batch, day_readings
from tests.support.world import Customer, World, customer_with_meter, ean, grant, ingest

EDV = "0123456749"
METER = ean(1)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def world(http: Http) -> World:
    world = World(http)
    world.edv = world.active(EDV, "Zonnig")
    return world


@pytest.fixture
def karel(world: World) -> Customer:
    return customer_with_meter(world, "karel", METER, since="2023-05-01")


def quarter_hours(http: Http, world: World, first: str, to: str) -> tuple[int, list[str]]:
    answer = http.get(
        f"/v1/organisations/{EDV}/access-points/{METER}/volumes"
        f"?from={first}&to={to}&resolution=quarter_hour",
        token=world.edv.member,
    )
    points = answer.json.get("channels", {}).get("offtake", []) if answer.status == 200 else []
    return answer.status, sorted({p["start"][:10] for p in points if p["status"] != "missing"})


def test_an_operator_cannot_hand_an_ean_over_without_a_scenario(
    http: Http, world: World, karel: Customer
) -> None:
    grant(world, karel, EDV, METER, period_start="2025-01-01", period_end="2030-01-01")
    for day in (date(2025, 3, 1), date(2025, 3, 2)):
        ingest(world, batch(METER, day_readings(day)))
    body = {
        "energy": "electricity",
        "meter_type": "digital",
        "direction": "both",
        "address": "Kerkstraat 1, 9000 Gent",
        "meter_number": "1SAG1100000292",
        "grid_user": {"sub": "anna"},
        "grid_user_since": "2025-03-02",
    }
    refused = http.put(f"/v1/ops/access-points/{METER}", token=world.operator, json_body=body)
    assert (refused.status, refused.code) == (409, "grid_user_change_needs_scenario")
    # Nothing changed: Karel is still the grid user, and his EDV still reads both days.
    assert [p["ean"] for p in http.get("/v1/me/access-points", token=karel.token).json["items"]]
    assert quarter_hours(http, world, "2025-03-01", "2025-03-03") == (
        200,
        ["2025-03-01", "2025-03-02"],
    )
    # Named as the scenario it is, the move is carried out as if reported: the mandate is cut
    # at the move, the EDV reads nothing of Anna's days, and her log stays empty.
    moved = http.put(
        f"/v1/ops/access-points/{METER}",
        token=world.operator,
        json_body={**body, "scenario": "move_in"},
    )
    assert moved.status == 200
    assert quarter_hours(http, world, "2025-03-01", "2025-03-03") == (200, ["2025-03-01"])
    assert quarter_hours(http, world, "2025-03-02", "2025-03-03")[0] == 403
    anna = http.token("anna")
    assert http.get("/v1/me/access-log", token=anna).json["items"] == []


def test_a_scenario_holds_from_its_effective_date_before_its_job_runs(
    http: Http, world: World, karel: Customer
) -> None:
    grant(world, karel, EDV, METER, period_start="2025-01-01", period_end="2030-01-01")
    now = datetime.now(UTC)
    today = now.astimezone(BRUSSELS).date()
    moving_out = today + timedelta(days=3)
    for day in (moving_out - timedelta(days=1), moving_out):
        ingest(world, batch(METER, day_readings(day)))  # readings for the future: estimates
    report = market.report(METER, Scenario.MOVE_OUT, moving_out, None, now)
    assert report.event.status.value == "pending" and report.truncated == 0
    # Four days on, the job has not run: the move already holds.
    later = now + timedelta(days=4)
    served = meterdata.volumes(
        f"member-{EDV}",
        EDV,
        METER,
        moving_out - timedelta(days=1),
        moving_out + timedelta(days=1),
        Resolution.QUARTER_HOUR,
        later,
    )
    assert (served.served_first, served.served_end) == (moving_out - timedelta(days=1), moving_out)
    assert all(
        start < day_start_utc(moving_out).astimezone(BRUSSELS).isoformat()
        for start in served.channels["offtake"].starts
    )


def test_a_day_mandate_gives_each_months_peak_with_its_date_not_its_time(
    http: Http, world: World, karel: Customer
) -> None:
    ingest(
        world,
        batch(METER, day_readings(date(2025, 3, 30), value=lambda i: 0.9 if i == 40 else 0.2)),
    )
    path = f"/v1/organisations/{EDV}/access-points/{METER}/peak-power?from=2025-03-01&to=2025-04-01"
    token = world.edv.member
    grant(world, karel, EDV, METER, granularity="day", period_start="2025-01-01")
    daily = http.get(path, token=token).json["peaks"]
    assert daily == [{"month": "2025-03", "kw": 3.6, "date": "2025-03-30", "at": None}]
    grant(world, karel, EDV, METER, granularity="quarter_hour", period_start="2025-01-01")
    detailed = http.get(path, token=token).json["peaks"]
    assert detailed[0]["at"] == "2025-03-30T11:00:00+02:00"  # slot 40 of the 92-slot day


def test_every_meter_data_door_reads_through_the_one_entitlement() -> None:
    """A reader can see it: the services that hand out meter data call entitlements.of, and no
    service but that one decides from a mandate's period or status what is readable."""
    callers = set()
    for path in (ROOT / "chalicelib" / "services").glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and node.attr == "of"
                and isinstance(node.value, ast.Name)
                and node.value.id == "entitlements"
            ):
                callers.add(path.stem)
    assert callers == {"meterdata", "webhooks"}  # machine_api reads through meterdata.authorise
    machine = (ROOT / "chalicelib" / "services" / "machine_api.py").read_text()
    assert "meterdata.authorise(" in machine and "period_start" not in machine
    assert "period_start" not in (ROOT / "chalicelib" / "services" / "meterdata.py").read_text()
