"""The machine API's sandbox (/esco-sbx/v3): mock mandates an EDV makes for itself and generated
data for them, isolated from live data and from other EDVs."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from tests.support.http import Http
from tests.support.machine import MachineClient, secret_client
from tests.support.world import World, customer_with_meter, ean, grant

EDV, OTHER = "0123456749", "0987654394"
DIGITAL_GAS, DIGITAL_ELECTRICITY, AMR_ELECTRICITY = (
    "541448860000000011",
    "541448860000000028",
    "541448860000000509",
)
SANDBOX = "/esco-sbx/v3/api"


@pytest.fixture
def world(http: Http) -> World:
    world = World(http)
    world.edv = world.active(EDV, "Zonnig")
    world.other = world.active(OTHER, "Andere")
    return world


@pytest.fixture
def sandbox(http: Http, world: World) -> MachineClient:
    return replace(secret_client(http, world.edv), base=SANDBOX)


def mock(client: MachineClient, ean_code: str, **extra: str) -> None:
    body = {"referenceNumber": f"ref-{ean_code[-4:]}", "ean": ean_code, **extra}
    body.setdefault("dataServiceType", "VH_kwartier_uur")
    answer = client.post("/mandate/mock", body)
    assert (answer.status, answer.json["data"]) == (200, {"status": "success"}), answer.body


def test_mock_mandates_are_the_edvs_own_and_never_live(
    http: Http, world: World, sandbox: MachineClient
) -> None:
    karel = customer_with_meter(world, "karel", ean(1))
    grant(world, karel, EDV, ean(1))
    mock(sandbox, DIGITAL_GAS, status="Approved", renewalStatus="RenewalRequested")
    mock(sandbox, DIGITAL_ELECTRICITY, status="Rejected")
    mandates = sandbox.get("/mandate").json["data"]["mandates"]
    assert [(m["ean"], m["status"], m["energyType"]) for m in mandates] == [
        (DIGITAL_GAS, "Approved", "G"),
        (DIGITAL_ELECTRICITY, "Rejected", "E"),
    ]
    assert mandates[0]["renewalStatus"] == "RenewalRequested"
    assert [m["ean"] for m in sandbox.get("/mandate?status=Rejected").json["data"]["mandates"]] == [
        DIGITAL_ELECTRICITY
    ]
    live = replace(sandbox, base="/esco-live/v3/api")
    assert [m["ean"] for m in live.get("/mandate").json["data"]["mandates"]] == [ean(1)]
    other = replace(secret_client(http, world.other), base=SANDBOX)
    assert other.get("/mandate").json["code"] == "Mandates.NotFound"
    assert (
        other.get(f"/mandate/energy?ean={DIGITAL_GAS}&periodType=readTime").json["code"]
        == "Mandates.NotFound"
    )
    # A live EAN's data is not in the sandbox either.
    assert (
        sandbox.get(f"/mandate/energy?ean={ean(1)}&periodType=readTime").json["code"]
        == "Mandates.NotFound"
    )
    bad = sandbox.post(
        "/mandate/mock", {"referenceNumber": "x", "ean": "123", "dataServiceType": "VH_dag"}
    )
    assert bad.status == 400 and bad.json["code"] == "ModelValidation.Failed"


def test_generated_quarter_hours_have_the_clock_change_days_and_a_day_split(
    sandbox: MachineClient,
) -> None:
    mock(sandbox, DIGITAL_ELECTRICITY, dataPeriodFrom="2025-01-01T00:00:00Z")
    spring = sandbox.get(
        f"/mandate/energy?ean={DIGITAL_ELECTRICITY}&periodType=readTime"
        "&from=2025-03-29T23:00:00Z&to=2025-03-30T22:00:00Z"
    ).json["data"]["headpoint"]["physicalMeters"][0]
    slots = spring["quarterHourlyEnergy"]
    assert 85 <= len(slots) <= 92  # 92 quarter-hours, less an occasional gap
    assert {"offtake", "injection"} <= set(slots[40]["measurements"][0])
    [day] = spring["dailyEnergy"]
    assert set(day["measurements"][0]["offtake"]) == {"day", "night"}
    assert day["measurements"][0]["offtake"]["day"]["validationState"] in ("READ", "EST")


def test_gas_days_and_estimates_validated_later(sandbox: MachineClient) -> None:
    mock(sandbox, DIGITAL_GAS, dataPeriodFrom="2025-01-01T00:00:00Z")
    autumn = sandbox.get(
        f"/mandate/energy?ean={DIGITAL_GAS}&periodType=readTime&granularity=daily"
        "&from=2025-10-24T22:00:00Z&to=2025-10-26T23:00:00Z"
    ).json["data"]["headpoint"]["physicalMeters"][0]["dailyEnergy"]
    assert (autumn[0]["start"], autumn[0]["end"]) == (
        "2025-10-25T04:00:00Z",
        "2025-10-26T05:00:00Z",
    )
    now = datetime.now(UTC).replace(microsecond=0)
    window = (
        (now - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        now.strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
    changed = sandbox.get(
        f"/mandate/energy?ean={DIGITAL_GAS}&periodType=insertTime&granularity=hourly_quarterhourly"
        f"&from={window[0]}&to={window[1]}"
    ).json["data"]["headpoint"]["physicalMeters"][0]["hourlyEnergy"]
    states = {piece["measurements"][0]["offtake"]["total"]["validationState"] for piece in changed}
    assert states == {"READ", "EST"}  # yesterday's estimates, and older hours validated since


def test_amr_and_day_mandates_as_on_the_live_face(sandbox: MachineClient) -> None:
    mock(sandbox, AMR_ELECTRICITY, dataServiceType="VH_dag")
    answer = sandbox.get(
        f"/mandate/energy?ean={AMR_ELECTRICITY}&periodType=readTime&granularity=hourly_quarterhourly"
    )
    assert answer.status == 403, answer.body
    daily = sandbox.get(
        f"/mandate/energy?ean={AMR_ELECTRICITY}&periodType=readTime&granularity=daily"
        "&from=2025-06-01T00:00:00Z&to=2025-06-03T00:00:00Z"
    ).json["data"]["headpoint"]
    assert "physicalMeters" not in daily and len(daily["dailyEnergy"]) == 2


def test_an_edvs_administrator_makes_mock_mandates_in_the_portal(
    http: Http, world: World, sandbox: MachineClient
) -> None:
    """What the portal's "API en webhooks" page makes is what the EDV's software then finds."""
    admin = world.edv.admin
    path = f"/v1/organisations/{EDV}/sandbox/mandates"
    made = http.post(
        path, token=admin, json_body={"ean": DIGITAL_GAS, "reference_number": "test-1"}
    )
    assert made.status == 201, made.body
    assert (made.json["energy"], made.json["granularity"], made.json["status"]) == (
        "gas",
        "hour",
        "active",
    )
    http.post(path, token=admin, json_body={"ean": AMR_ELECTRICITY, "granularity": "day"})
    listed = http.get(path, token=admin).json["items"]
    assert [(m["ean"], m["meter_type"]) for m in listed] == [
        (AMR_ELECTRICITY, "amr"),
        (DIGITAL_GAS, "digital"),
    ]
    seen = sandbox.get("/mandate").json["data"]["mandates"]
    assert {m["ean"] for m in seen} == {DIGITAL_GAS, AMR_ELECTRICITY}
    # Not the members', not another EDV's, not an EDV on the portal channel; a bad EAN is a 422.
    assert http.get(path, token=world.edv.member).status == 403
    assert http.get(path, token=world.other.admin).code == "not_a_member"
    assert (
        http.get(f"/v1/organisations/{OTHER}/sandbox/mandates", token=world.other.admin).json[
            "items"
        ]
        == []
    )
    portal_only = world.active("0200000043", "Alleen Portaal", channel="portal")
    refused = http.get("/v1/organisations/0200000043/sandbox/mandates", token=portal_only.admin)
    assert refused.code == "api_not_enabled"
    bad = http.post(path, token=admin, json_body={"ean": "541448860000000012"})
    assert bad.status == 422


def test_a_mocks_renewal_status_is_the_state_a_live_mandate_would_be_in(
    sandbox: MachineClient,
) -> None:
    """Read through the live filters: ToBeRenewed is approved in its last 90 days, Expired has
    passed its validity (so Finished); no other status can be due for renewal."""
    mock(sandbox, DIGITAL_GAS, renewalStatus="ToBeRenewed")
    mock(sandbox, DIGITAL_ELECTRICITY, renewalStatus="Expired")
    due = sandbox.get("/mandate?renewalStatus=ToBeRenewed").json["data"]["mandates"]
    assert [(m["ean"], m["status"]) for m in due] == [(DIGITAL_GAS, "Approved")]
    expiry = datetime.fromisoformat(due[0]["mandateExpirationDate"].replace("Z", "+00:00"))
    assert timedelta(0) < expiry - datetime.now(UTC) <= timedelta(days=90)
    lapsed = sandbox.get("/mandate?renewalStatus=Expired").json["data"]["mandates"]
    assert [(m["ean"], m["status"]) for m in lapsed] == [(DIGITAL_ELECTRICITY, "Finished")]
    assert (
        sandbox.get(f"/mandate/energy?ean={DIGITAL_ELECTRICITY}&periodType=readTime").json["code"]
        == "Mandates.NotFound"
    )
    refused = sandbox.post(
        "/mandate/mock",
        {
            "referenceNumber": "x",
            "ean": AMR_ELECTRICITY,
            "dataServiceType": "VH_dag",
            "status": "Requested",
            "renewalStatus": "RenewalRequested",
        },
    )
    assert (refused.status, refused.json["code"]) == (400, "ModelValidation.Failed")
