"""Consents that are not simply granted (R5): `requested` when asked by someone who may not grant
alone, until the grid user approves or refuses it; `rejected` when refused, or when the customer
declines an EDV's consent request. The portal API, the feed, webhooks and the machine API
(`Requested`, `Rejected`) tell the EDV the same."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.http import Http
from tests.support.machine import MachineClient, secret_client
from tests.support.world import (
    Customer,
    Edv,
    World,
    customer_with_meter,
    ean,
    register_access_point,
)

EDV = "0123456749"
BAKERY = "0456789034"  # an organisation that is grid user of its shop's meter
HOME, SHOP = ean(1), ean(2)
METER_NUMBER = "1SAG1100000292"  # what register_access_point gives every meter


@pytest.fixture
def world(http: Http) -> World:
    world = World(http)
    world.edv = world.active(EDV, "Zonnig")
    return world


@pytest.fixture
def karel(world: World) -> Customer:
    return customer_with_meter(world, "karel", HOME)


@pytest.fixture
def bakery(world: World) -> Edv:
    bakery = world.organisation(BAKERY, "Bakkerij")
    register_access_point(world, SHOP, grid_user={"enterprise_number": BAKERY})
    return bakery


def ask(http: Http, token: str, ean_code: str, **extra: Any) -> Any:
    body = {
        "edv": EDV,
        "ean": ean_code,
        "granularity": "day",
        "period_start": "2024-01-01",
        "period_end": "2025-01-01",
        **extra,
    }
    return http.post("/v1/me/mandates", token=token, json_body=body)


def feed_types(http: Http, world: World) -> list[tuple[str, str]]:
    feed = http.get(
        f"/v1/organisations/{EDV}/mandate-events",
        token=world.edv.member,
    )
    return [(event["type"], event["mandate_id"]) for event in feed.json["items"]]


def machine_status(client: MachineClient, ean_code: str) -> list[str]:
    answer = client.get(f"/mandate?ean={ean_code}")
    return [m["status"] for m in answer.json["data"]["mandates"]] if answer.status == 200 else []


def test_a_member_of_the_grid_user_organisation_asks_and_an_admin_approves(
    http: Http, world: World, bakery: Edv
) -> None:
    client = secret_client(http, world.edv)
    asked = ask(http, bakery.member, SHOP)
    assert (asked.status, asked.json["status"]) == (201, "requested")
    mandate_id = asked.json["id"]
    assert machine_status(client, SHOP) == ["Requested"]
    # Nothing to read while it is requested.
    read = http.get(
        f"/v1/organisations/{EDV}/access-points/{SHOP}/volumes?from=2024-01-01&to=2024-01-02&resolution=day",
        token=world.edv.member,
    )
    assert read.code == "no_mandate"
    # The member cannot decide; the administrator sees it in "Mijn mandaten" and approves.
    assert http.post(f"/v1/me/mandates/{mandate_id}/approve", token=bakery.member).status == 404
    mine = http.get("/v1/me/mandates", token=bakery.admin).json["items"]
    assert [(m["id"], m["status"], m["you_decide"]) for m in mine] == [
        (mandate_id, "requested", True)
    ]
    asked_by_me = http.get(f"/v1/me/mandates/{mandate_id}", token=bakery.member).json
    assert asked_by_me["you_decide"] is False
    approved = http.post(f"/v1/me/mandates/{mandate_id}/approve", token=bakery.admin)
    assert (approved.status, approved.json["status"]) == (200, "active")
    assert machine_status(client, SHOP) == ["Approved"]
    assert feed_types(http, world) == [("requested", mandate_id), ("granted", mandate_id)]
    again = http.post(f"/v1/me/mandates/{mandate_id}/refuse", token=bakery.admin)
    assert (again.status, again.code) == (409, "conflict")


def test_a_co_occupant_asks_with_the_meter_number_and_the_grid_user_refuses(
    http: Http, world: World, karel: Customer
) -> None:
    anna = http.token("anna", name="Anna")
    client = secret_client(http, world.edv)
    assert ask(http, anna, HOME).code == "not_grid_user"  # a stranger cannot even ask
    assert ask(http, anna, HOME, meter_number="1SAG0000000000").code == "not_grid_user"
    asked = ask(http, anna, HOME, meter_number=METER_NUMBER.lower())
    assert (asked.status, asked.json["status"]) == (201, "requested")
    mandate_id = asked.json["id"]
    # Another person cannot see or decide it; the requester cannot approve her own request.
    other = http.token("piet")
    assert http.post(f"/v1/me/mandates/{mandate_id}/refuse", token=other).status == 404
    assert http.post(f"/v1/me/mandates/{mandate_id}/approve", token=anna).status == 404
    assert http.get(f"/v1/me/mandates/{mandate_id}", token=anna).json["status"] == "requested"
    refused = http.post(f"/v1/me/mandates/{mandate_id}/refuse", token=karel.token)
    assert (refused.json["status"], refused.json["end_reason"]) == (
        "rejected",
        "refused_by_grid_user",
    )
    assert machine_status(client, HOME) == ["Rejected"]
    assert feed_types(http, world) == [("requested", mandate_id), ("rejected", mandate_id)]


def test_a_declined_edv_request_is_rejected_under_the_edvs_reference(
    http: Http, world: World, karel: Customer
) -> None:
    client = secret_client(http, world.edv)
    contract = http.get(
        f"/v1/organisations/{EDV}/edv-application",
        token=world.edv.member,
    ).json["contract_number"]
    session = client.post(
        "/shortUrlIdentifier",
        {
            "dataAccessContractNumber": contract,
            "referenceNumber": "offerte-9",
            "flow": "B2C",
            "dataServices": [{"dataServiceType": "VH_kwartier_uur"}],
            "returnUrlFailed": "https://zonnig.example/nee",
        },
    ).json["data"]["shortUrlIdentifier"]
    path = f"/v1/consent-sessions/{session}/decline"
    # Only for EANs of the caller's own.
    stranger = http.token("piet")
    assert http.post(path, token=stranger, json_body={"eans": [HOME]}).code == "not_grid_user"
    declined = http.post(path, token=karel.token, json_body={"eans": [HOME]})
    assert declined.status == 201, declined.body
    [mandate] = declined.json["mandates"]
    assert (mandate["status"], mandate["end_reason"], mandate["reference_number"]) == (
        "rejected",
        "declined_by_customer",
        "offerte-9",
    )
    assert declined.json["return_url_failed"] == "https://zonnig.example/nee"
    wire = client.get("/mandate?referenceNumber=offerte-9&status=rejected").json["data"]
    assert [(m["status"], m["ean"], m["referenceNumber"]) for m in wire["mandates"]] == [
        ("Rejected", HOME, "offerte-9")
    ]
    assert client.get("/mandate?status=Approved").json["code"] == "Mandates.NotFound"
    assert feed_types(http, world) == [("rejected", mandate["id"]), ("consent_declined", None)]
    # A declined request gave nothing and leaves any active mandate alone.
    assert http.get("/v1/me/mandates", token=karel.token).json["items"][0]["status"] == "rejected"
