"""The access-point registry (operators) and a customer's own access points."""

from __future__ import annotations

import pytest

from tests.support.http import Http
from tests.support.world import World, customer_with_meter, ean, register_access_point

BAKERY = "0444444496"


@pytest.fixture
def world(http: Http) -> World:
    return World(http)


def registration(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "energy": "electricity",
        "meter_type": "digital",
        "direction": "both",
        "address": "Kerkstraat 1, 9000 Gent",
        "meter_number": "1SAG1100000292",
        "grid_user": {"sub": "karel"},
        "grid_user_since": "2021-03-01",
    }
    body.update(overrides)
    return body


def test_operators_register_and_update_access_points(http: Http, world: World) -> None:
    code = ean(1)
    created = http.put(
        f"/v1/ops/access-points/{code}", token=world.operator, json_body=registration()
    )
    assert created.status == 201
    assert created.json["tenures"] == [
        {"grid_user": {"kind": "person", "id": "karel"}, "since": "2021-03-01"}
    ]
    moved = http.put(
        f"/v1/ops/access-points/{code}",
        token=world.operator,
        json_body=registration(
            grid_user={"sub": "anna"}, grid_user_since="2024-07-01", scenario="move_in"
        ),
    )
    assert moved.status == 200
    assert [t["grid_user"]["id"] for t in moved.json["tenures"]] == ["karel", "anna"]


@pytest.mark.parametrize(
    "overrides",
    [
        {"energy": "gas", "direction": "both"},
        {"energy": "gas", "meter_type": "amr", "direction": "injection"},
        {"meter_type": "digital", "direction": "offtake"},
        {"meter_type": "amr", "direction": "both"},
        {"grid_user": {"sub": "a", "enterprise_number": BAKERY}},
        {"grid_user": {}},
        {"grid_user_since": "2999-01-01"},
    ],
)
def test_impossible_registrations_are_refused(
    http: Http, world: World, overrides: dict[str, object]
) -> None:
    answer = http.put(
        f"/v1/ops/access-points/{ean(2)}", token=world.operator, json_body=registration(**overrides)
    )
    assert answer.status == 422
    assert answer.code == "validation_error"


def test_registration_is_for_operators_and_valid_eans(http: Http, world: World) -> None:
    customer = http.token("karel")
    assert (
        http.put(f"/v1/ops/access-points/{ean(3)}", token=customer, json_body=registration()).code
        == "forbidden"
    )
    bad = http.put(
        "/v1/ops/access-points/541448820000000016", token=world.operator, json_body=registration()
    )
    assert bad.status == 422
    assert bad.code == "invalid_ean"


def test_a_customer_sees_the_access_points_they_are_grid_user_of(http: Http, world: World) -> None:
    karel = customer_with_meter(world, "karel", ean(10))
    register_access_point(
        world,
        ean(11),
        grid_user={"sub": "karel"},
        energy="gas",
        meter_type="digital",
        direction="offtake",
    )
    register_access_point(world, ean(12), grid_user={"sub": "someone-else"})
    mine = http.get("/v1/me/access-points", token=karel.token).json
    assert [item["ean"] for item in mine["items"]] == [ean(10), ean(11)]
    assert mine["items"][0] == {
        "ean": ean(10),
        "energy": "electricity",
        "meter_type": "digital",
        "direction": "both",
        "address": "Kerkstraat 1, 9000 Gent",
        "meter_number": "1SAG1100000292",
        "grid_user_since": "2020-01-01",
        "grid_user": {"kind": "person", "id": "karel"},
    }
    # After a move to someone else, it is no longer theirs.
    register_access_point(
        world, ean(10), grid_user={"sub": "anna"}, since="2024-01-01", scenario="move_in"
    )
    assert [
        i["ean"] for i in http.get("/v1/me/access-points", token=karel.token).json["items"]
    ] == [ean(11)]


def test_an_organisations_access_points_are_its_administrators(http: Http, world: World) -> None:
    http.link(BAKERY, "bert", "admin", "Bakkerij De Korst")
    http.link(BAKERY, "bart", "member", "Bakkerij De Korst")
    register_access_point(
        world,
        ean(20),
        grid_user={"enterprise_number": BAKERY},
        meter_type="amr",
        direction="offtake",
    )
    bert = http.get("/v1/me/access-points", token=http.token("bert")).json["items"]
    assert [(i["ean"], i["grid_user"]) for i in bert] == [(ean(20), {"kind": "org", "id": BAKERY})]
    assert http.get("/v1/me/access-points", token=http.token("bart")).json["items"] == []


def test_a_meter_number_cannot_carry_a_formula_or_a_line_break(http: Http, world: World) -> None:
    """It goes into every CSV export: a formula there would run in the EDV's spreadsheet."""
    hostile = registration(meter_number='=HYPERLINK("https://evil.example")\r\nEVIL;row')
    answer = http.put(f"/v1/ops/access-points/{ean(30)}", token=world.operator, json_body=hostile)
    assert (answer.status, answer.code) == (422, "validation_error")
    assert (
        http.put(
            f"/v1/ops/access-points/{ean(30)}",
            token=world.operator,
            json_body=registration(meter_number="1SAG-1100 000/292"),
        ).status
        == 201
    )
