"""Market scenarios (R8): cut periods short at the effective date, in the past or the future."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from chalicelib.domain.brussels import BRUSSELS
from tests.support.clock import app_clock
from tests.support.http import Http
from tests.support.world import Customer, World, customer_with_meter, ean, grant

EDV = "0123456749"
OTHER_EDV = "0987654394"


@pytest.fixture
def world(http: Http) -> World:
    world = World(http)
    world.edv = world.active(EDV, "Zonnig")
    world.active(OTHER_EDV, "Andere")
    return world


@pytest.fixture
def karel(world: World) -> Customer:
    return customer_with_meter(world, "karel", ean(1), since="2023-05-01")


def today() -> date:
    return datetime.now(UTC).astimezone(BRUSSELS).date()


def report(http: Http, world: World, **fields: object) -> tuple[int, dict[str, Any]]:
    body = {"ean": ean(1), **fields}
    answer = http.post("/v1/ops/market-events", token=world.operator, json_body=body)
    return answer.status, answer.json


def mandate(http: Http, customer: Customer, mandate_id: str) -> dict[str, Any]:
    return dict(http.get(f"/v1/me/mandates/{mandate_id}", token=customer.token).json)


def feed(http: Http, world: World, edv: str = EDV) -> list[dict[str, Any]]:
    token = world.edv.member if edv == EDV else None
    return list(
        http.get(f"/v1/organisations/{edv}/mandate-events?limit=500", token=token).json["items"]
    )


def test_a_supplier_switch_changes_nothing(http: Http, world: World, karel: Customer) -> None:
    granted = grant(world, karel, EDV, ean(1), period_end="2030-01-01")
    status, event = report(http, world, scenario="supplier_switch", effective_date="2025-01-01")
    assert status == 201
    assert event["mandates_truncated"] == 0
    after = mandate(http, karel, str(granted["id"]))
    assert after["period_end"] == "2030-01-01" and after["period_adjustments"] == []
    assert [e["type"] for e in feed(http, world)] == ["granted"]


def test_a_move_out_in_the_past_truncates_and_owes_a_purge(
    http: Http, world: World, karel: Customer
) -> None:
    granted = grant(world, karel, EDV, ean(1), period_start="2024-01-01", period_end="2030-01-01")
    other = grant(
        world, karel, OTHER_EDV, ean(1), period_start="2024-01-01", period_end="2024-06-01"
    )
    effective = (today() - timedelta(days=40)).isoformat()
    status, event = report(
        http, world, scenario="move_out", effective_date=effective, new_grid_user={"sub": "anna"}
    )
    assert status == 201
    assert (event["status"], event["mandates_truncated"], event["replayed"]) == (
        "applied",
        1,
        False,
    )
    after = mandate(http, karel, str(granted["id"]))
    assert after["status"] == "active"  # not ended: the EDV still reads up to the effective date
    assert after["period_end"] == effective
    [adjustment] = after["period_adjustments"]
    assert adjustment["previous_end"] == "2030-01-01"
    assert adjustment["new_end"] == effective
    assert adjustment["scenario"] == "move_out"
    assert adjustment["effective_date"] == effective
    assert mandate(http, karel, str(other["id"]))["period_end"] == "2024-06-01"  # ended before
    truncations = [e for e in feed(http, world) if e["type"] == "period_truncated"]
    assert len(truncations) == 1
    assert truncations[0]["details"]["purge_from"] == effective
    assert truncations[0]["mandate_id"] == granted["id"]
    # The grid user changed: Anna is connected now, Karel no longer.
    anna = http.token("anna")
    assert [p["ean"] for p in http.get("/v1/me/access-points", token=anna).json["items"]] == [
        ean(1)
    ]
    assert http.get("/v1/me/access-points", token=karel.token).json["items"] == []


def test_replaying_the_same_event_changes_nothing_more(
    http: Http, world: World, karel: Customer
) -> None:
    grant(world, karel, EDV, ean(1), period_end="2030-01-01")
    effective = (today() - timedelta(days=3)).isoformat()
    fields = {
        "scenario": "customer_switch",
        "effective_date": effective,
        "new_grid_user": {"sub": "anna"},
    }
    first_status, first = report(http, world, **fields)
    events_after_first = feed(http, world)
    second_status, second = report(http, world, **fields)
    assert (first_status, second_status) == (201, 200)
    assert second["replayed"] is True and second["event_id"] == first["event_id"]
    assert feed(http, world) == events_after_first


def test_a_future_event_waits_for_the_job(http: Http, world: World, karel: Customer) -> None:
    granted = grant(world, karel, EDV, ean(1), period_end="2035-01-01")
    effective_day = today() + timedelta(days=10)
    status, event = report(
        http,
        world,
        scenario="combined_switch",
        effective_date=effective_day.isoformat(),
        new_grid_user={"sub": "anna"},
    )
    assert (status, event["status"], event["mandates_truncated"]) == (201, "pending", 0)
    assert mandate(http, karel, str(granted["id"]))["period_end"] == "2035-01-01"

    def run(as_of: datetime) -> dict[str, int]:
        """The operator runs the job now, on that day (a job never runs ahead of the clock)."""
        with app_clock(as_of):
            operator = http.token("ops-olivia", roles=["ops"])
            answer = http.post("/v1/ops/jobs/market-scenarios/run", token=operator)
        assert answer.status == 200, answer.body
        return dict(answer.json["counts"])

    the_day_before = datetime.combine(
        effective_day - timedelta(days=1), datetime.min.time(), BRUSSELS
    )
    assert run(the_day_before.replace(hour=12)) == {"events_applied": 0, "mandates_truncated": 0}
    on_the_day = datetime.combine(effective_day, datetime.min.time(), BRUSSELS).replace(hour=1)
    assert run(on_the_day) == {"events_applied": 1, "mandates_truncated": 1}
    assert run(on_the_day) == {"events_applied": 0, "mandates_truncated": 0}  # idempotent
    after = mandate(http, karel, str(granted["id"]))
    assert after["period_end"] == effective_day.isoformat()
    [truncation] = [e for e in feed(http, world) if e["type"] == "period_truncated"]
    assert truncation["details"]["purge_from"] is None  # reported ahead: nothing fetched to purge


def test_a_period_wholly_after_the_effective_date_becomes_empty(
    http: Http, world: World, karel: Customer
) -> None:
    granted = grant(world, karel, EDV, ean(1), period_start="2025-06-01", period_end="2030-01-01")
    report(http, world, scenario="physical_disconnection", effective_date="2025-01-01")
    after = mandate(http, karel, str(granted["id"]))
    assert (after["period_start"], after["period_end"]) == ("2025-06-01", "2025-06-01")


def test_the_new_grid_users_mandates_are_left_alone(
    http: Http, world: World, karel: Customer
) -> None:
    effective = (today() - timedelta(days=20)).isoformat()
    report(http, world, scenario="move_in", effective_date=effective, new_grid_user={"sub": "anna"})
    anna = Customer("anna", http.token("anna"))
    mine = grant(world, anna, EDV, ean(1), period_start=effective, period_end="2031-01-01")
    # A late report of the same kind on another day does not cut Anna's own mandate.
    report(
        http,
        world,
        scenario="move_in",
        effective_date=(today() - timedelta(days=2)).isoformat(),
        new_grid_user={"sub": "anna"},
    )
    assert mandate(http, anna, str(mine["id"]))["period_end"] == "2031-01-01"


@pytest.mark.parametrize(
    "fields",
    [
        {"scenario": "customer_switch", "effective_date": "2025-01-01"},  # who comes in?
        {"scenario": "move_in", "effective_date": "2025-01-01"},
        {
            "scenario": "supplier_switch",
            "effective_date": "2025-01-01",
            "new_grid_user": {"sub": "x"},
        },
        {"scenario": "earthquake", "effective_date": "2025-01-01"},
        {"scenario": "move_out", "effective_date": "not-a-date"},
    ],
)
def test_malformed_events_are_refused(
    http: Http, world: World, karel: Customer, fields: dict[str, object]
) -> None:
    status, body = report(http, world, **fields)
    assert status == 422, body


def test_market_events_are_for_operators_on_known_eans(
    http: Http, world: World, karel: Customer
) -> None:
    answer = http.post(
        "/v1/ops/market-events",
        token=karel.token,
        json_body={"ean": ean(1), "scenario": "move_out", "effective_date": "2025-01-01"},
    )
    assert answer.code == "forbidden"
    unknown = http.post(
        "/v1/ops/market-events",
        token=world.operator,
        json_body={"ean": ean(77), "scenario": "move_out", "effective_date": "2025-01-01"},
    )
    assert unknown.code == "not_found"
    assert http.post("/v1/ops/jobs/market-scenarios/run", token=karel.token).code == "forbidden"
    assert http.post("/v1/ops/jobs/nonsense/run", token=world.operator).code == "not_found"
