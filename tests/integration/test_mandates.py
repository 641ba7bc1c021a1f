"""Granting and ending mandates (R5, R7) over HTTP, refusal by refusal, and the wrong callers."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from chalicelib.domain.vocabulary import EndReason, Granularity, MandateStatus
from chalicelib.services import mandates
from chalicelib.store import feed as feed_store
from chalicelib.store import mandates as store
from tests.support.http import Http
from tests.support.world import (
    Customer,
    World,
    customer_with_meter,
    ean,
    grant,
    register_access_point,
)

EDV = "0123456749"
OTHER_EDV = "0987654394"
BAKERY = "0444444496"


@pytest.fixture
def world(http: Http) -> World:
    world = World(http)
    world.edv = world.active(EDV, "Zonnig Advies BV")
    return world


@pytest.fixture
def karel(world: World) -> Customer:
    return customer_with_meter(world, "karel", ean(1), since="2023-05-01")


def body(**overrides: str) -> dict[str, str]:
    base = {
        "edv": EDV,
        "ean": ean(1),
        "granularity": "quarter_hour",
        "period_start": "2024-01-01",
        "period_end": "2026-01-01",
    }
    base.update(overrides)
    return base


def test_a_grant_gives_a_three_year_mandate(http: Http, world: World, karel: Customer) -> None:
    answer = http.post("/v1/me/mandates", token=karel.token, json_body=body())
    assert answer.status == 201
    mandate = answer.json
    assert mandate["status"] == "active"
    assert (mandate["ean"], mandate["edv"], mandate["granularity"]) == (ean(1), EDV, "quarter_hour")
    assert (mandate["period_start"], mandate["period_end"]) == ("2024-01-01", "2026-01-01")
    granted = datetime.fromisoformat(mandate["granted_at"])
    until = datetime.fromisoformat(mandate["valid_until"])
    assert until.year == granted.year + 3
    assert (until.month, until.day, until.hour, until.minute) == (
        granted.month,
        granted.day,
        granted.hour,
        granted.minute,
    )
    assert mandate["end_reason"] is None and mandate["period_adjustments"] == []
    assert [m["id"] for m in http.get("/v1/me/mandates", token=karel.token).json["items"]] == [
        mandate["id"]
    ]


@pytest.mark.parametrize(
    ("overrides", "status", "code"),
    [
        ({"ean": ean(99)}, 403, "not_grid_user"),  # unknown EAN: the same answer, no probing
        ({"edv": OTHER_EDV}, 403, "edv_not_active"),
        ({"edv": "0000000097"}, 403, "edv_not_active"),
        ({"granularity": "hour"}, 422, "invalid_granularity"),
        ({"period_end": "2024-01-01"}, 422, "invalid_period"),
        ({"period_end": "2023-12-31"}, 422, "invalid_period"),
        ({"period_start": "2023-04-30"}, 422, "period_before_grid_user"),
        ({"ean": "541448820000000016"}, 422, "invalid_ean"),
        ({"edv": "0123456748"}, 422, "invalid_enterprise_number"),
        ({"period_start": "2024-13-01"}, 422, "validation_error"),
    ],
)
def test_each_refusal_has_its_code(
    http: Http, world: World, karel: Customer, overrides: dict[str, str], status: int, code: str
) -> None:
    world.signed(OTHER_EDV, "Nog niet actief")
    answer = http.post("/v1/me/mandates", token=karel.token, json_body=body(**overrides))
    assert (answer.status, answer.code) == (status, code), answer.body
    assert http.get("/v1/me/mandates", token=karel.token).json["items"] == []


def test_gas_takes_hours_not_quarter_hours(http: Http, world: World) -> None:
    greet = customer_with_meter(world, "greet", ean(2), energy="gas", direction="offtake")
    refused = http.post("/v1/me/mandates", token=greet.token, json_body=body(ean=ean(2)))
    assert refused.code == "invalid_granularity"
    assert (
        http.post(
            "/v1/me/mandates", token=greet.token, json_body=body(ean=ean(2), granularity="hour")
        ).status
        == 201
    )


def test_only_the_current_grid_user_grants(http: Http, world: World, karel: Customer) -> None:
    mallory = http.token("mallory")
    assert http.post("/v1/me/mandates", token=mallory, json_body=body()).code == "not_grid_user"
    # Karel moves out; Anna moves in and may grant from her own start date only.
    register_access_point(
        world, ean(1), grid_user={"sub": "anna"}, since="2025-02-01", scenario="move_in"
    )
    assert http.post("/v1/me/mandates", token=karel.token, json_body=body()).code == "not_grid_user"
    anna = http.token("anna")
    early = http.post("/v1/me/mandates", token=anna, json_body=body(period_start="2025-01-31"))
    assert early.code == "period_before_grid_user"
    assert (
        http.post("/v1/me/mandates", token=anna, json_body=body(period_start="2025-02-01")).status
        == 201
    )


def test_an_administrator_grants_for_the_grid_user_organisation(http: Http, world: World) -> None:
    http.link(BAKERY, "bert", "admin", "Bakkerij")
    http.link(BAKERY, "bart", "member", "Bakkerij")
    register_access_point(
        world,
        ean(3),
        grid_user={"enterprise_number": BAKERY},
        meter_type="amr",
        direction="offtake",
    )
    # A member may not grant alone: the consent is asked of the organisation (R5).
    asked = http.post("/v1/me/mandates", token=http.token("bart"), json_body=body(ean=ean(3)))
    assert (asked.status, asked.json["status"]) == (201, "requested")
    granted = http.post("/v1/me/mandates", token=http.token("bert"), json_body=body(ean=ean(3)))
    assert granted.status == 201


def test_a_new_grant_replaces_the_active_one(http: Http, world: World, karel: Customer) -> None:
    first = grant(world, karel, EDV, ean(1))
    second = grant(world, karel, EDV, ean(1), granularity="day")
    mine = {m["id"]: m for m in http.get("/v1/me/mandates", token=karel.token).json["items"]}
    assert mine[first["id"]]["status"] == "ended"
    assert mine[first["id"]]["end_reason"] == "replaced"
    assert mine[second["id"]]["status"] == "active"
    # Another EDV's mandate on the same EAN is not touched.
    world.active(OTHER_EDV, "Andere")
    third = grant(world, karel, OTHER_EDV, ean(1))
    mine = {m["id"]: m for m in http.get("/v1/me/mandates", token=karel.token).json["items"]}
    assert mine[second["id"]]["status"] == "active" and mine[third["id"]]["status"] == "active"


def test_twenty_simultaneous_grants_leave_exactly_one_active(world: World, karel: Customer) -> None:
    """Racing grants on one pair: five a day pass (the pair's limit, counted in the grants'
    own transactions), the others are refused; one is active, the rest replaced, and the feed
    has one event per change, gapless."""
    now = datetime.now(UTC)
    request = mandates.GrantRequest(
        EDV, ean(1), Granularity.DAY, datetime(2024, 1, 1).date(), datetime(2025, 1, 1).date()
    )
    start = threading.Barrier(20)
    errors: list[BaseException] = []

    def one_grant() -> None:
        start.wait()
        try:
            mandates.grant("karel", request, now)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=one_grant) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [getattr(error, "code", error) for error in errors] == ["too_many_changes"] * 15
    all_mandates = store.of_ean(ean(1))
    assert len(all_mandates) == 5
    statuses = sorted(m.status for m in all_mandates)
    assert statuses.count(MandateStatus.ACTIVE) == 1
    assert all(
        m.end_reason is EndReason.REPLACED for m in all_mandates if m.status is MandateStatus.ENDED
    )
    events = feed_store.page(EDV, 0, 100)
    assert [e.seq for e in events] == list(range(1, 10))
    assert sum(e.type.value == "granted" for e in events) == 5
    assert sum(e.type.value == "ended" for e in events) == 4
    # The same period and granularity each time: nothing to delete.
    assert not any(e.type.value == "purge_due" for e in events)


def test_the_granting_customer_ends_a_mandate(http: Http, world: World, karel: Customer) -> None:
    mandate = grant(world, karel, EDV, ean(1))
    ended = http.post(f"/v1/me/mandates/{mandate['id']}/end", token=karel.token)
    assert ended.status == 200
    assert (ended.json["status"], ended.json["end_reason"]) == ("ended", "revoked_by_customer")
    assert ended.json["ended_at"] is not None
    again = http.post(f"/v1/me/mandates/{mandate['id']}/end", token=karel.token)
    assert again.status == 409
    assert again.code == "conflict"


def test_the_grid_user_ends_a_mandate_they_did_not_grant(
    http: Http, world: World, karel: Customer
) -> None:
    """A co-occupant asked, the grid user approved: the grid user it was granted for ends it."""
    anna = http.token("anna")
    asked = http.post(
        "/v1/me/mandates",
        token=anna,
        json_body={
            "edv": EDV,
            "ean": ean(1),
            "granularity": "day",
            "period_start": "2024-01-01",
            "period_end": "2025-01-01",
            "meter_number": "1SAG1100000292",
        },
    )
    assert asked.json["status"] == "requested", asked.body
    approved = http.post(f"/v1/me/mandates/{asked.json['id']}/approve", token=karel.token)
    assert approved.json["status"] == "active"
    ended = http.post(f"/v1/me/mandates/{asked.json['id']}/end", token=karel.token)
    assert (ended.json["status"], ended.json["end_reason"]) == ("ended", "revoked_by_grid_user")


def test_a_later_occupant_neither_sees_nor_ends_the_previous_occupants_mandate(
    http: Http, world: World, karel: Customer
) -> None:
    """After a move the old mandate stays active up to the move (R8), the EDV's window on
    Karel's days; Anna, grid user since, is not shown it and cannot end it (404)."""
    mandate = grant(world, karel, EDV, ean(1))
    register_access_point(
        world, ean(1), grid_user={"sub": "anna"}, since="2025-02-01", scenario="move_in"
    )
    anna = http.token("anna")
    assert http.get("/v1/me/mandates", token=anna).json["items"] == []
    assert http.get(f"/v1/me/mandates/{mandate['id']}", token=anna).code == "not_found"
    refused = http.post(f"/v1/me/mandates/{mandate['id']}/end", token=anna)
    assert (refused.status, refused.code) == (404, "not_found")
    still = http.get(f"/v1/me/mandates/{mandate['id']}", token=karel.token).json
    assert (still["status"], still["period_end"]) == ("active", "2025-02-01")


def test_nobody_else_ends_a_mandate_and_the_edv_has_no_way_to(
    http: Http, world: World, karel: Customer
) -> None:
    mandate = grant(world, karel, EDV, ean(1))
    edv = world.edv
    for token in (http.token("mallory"), edv.admin, edv.member):
        answer = http.post(f"/v1/me/mandates/{mandate['id']}/end", token=token)
        assert (answer.status, answer.code) == (404, "not_found")  # to them it does not exist
        assert http.get(f"/v1/me/mandates/{mandate['id']}", token=token).code == "not_found"
    assert (
        http.get(f"/v1/me/mandates/{mandate['id']}", token=karel.token).json["status"] == "active"
    )
    from app import app

    organisation_routes = [
        (path, method)
        for path, entries in app.routes.items()
        # The sandbox's mock mandates are the EDV's own test data, not customers' mandates.
        if path.startswith("/v1/organisations/") and "mandate" in path and "/sandbox/" not in path
        for method, entry in entries.items()
        if entry.view_name != "method_not_allowed"
    ]
    assert organisation_routes == [("/v1/organisations/{en}/mandate-events", "GET")]
    assert http.post(f"/v1/organisations/{EDV}/mandates/{mandate['id']}/end").status == 404


def test_termination_ends_all_the_edvs_mandates(http: Http, world: World, karel: Customer) -> None:
    greet = customer_with_meter(world, "greet", ean(2))
    first, second = grant(world, karel, EDV, ean(1)), grant(world, greet, EDV, ean(2))
    edv = world.edv
    http.post(f"/v1/organisations/{EDV}/edv-application/terminate", token=edv.admin)
    for customer, mandate in ((karel, first), (greet, second)):
        view = http.get(f"/v1/me/mandates/{mandate['id']}", token=customer.token).json
        assert (view["status"], view["end_reason"]) == ("ended", "edv_terminated")
    feed = http.get(f"/v1/organisations/{EDV}/mandate-events", token=edv.member).json["items"]
    ends = [(e["type"], e["details"].get("end_reason")) for e in feed if e["type"] == "ended"]
    assert ends == [("ended", "edv_terminated"), ("ended", "edv_terminated")]
    # Each ended mandate leaves a duty to delete what the EDV fetched, up to the day it ended.
    duties = http.get(f"/v1/organisations/{EDV}/purge-duties", token=edv.member).json["items"]
    assert sorted((d["ean"], d["from"], d["reason"], d["keep"]) for d in duties) == [
        (ean(1), "2024-01-01", "edv_terminated", None),
        (ean(2), "2024-01-01", "edv_terminated", None),
    ]
