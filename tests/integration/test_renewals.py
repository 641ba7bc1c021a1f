"""Renewal (R5): in the last 90 days of a mandate's validity the EDV asks, the customer renews in one
step, and the EDV sees `RenewalRequested`, then the renewed mandate, in the portal API, the machine
API, the feed and its webhooks; `expiring` goes out once, 30 days before the end."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from chalicelib.domain import mandates as rules
from chalicelib.domain.brussels import BRUSSELS
from chalicelib.domain.vocabulary import Granularity
from chalicelib.services import mandates
from chalicelib.store import mandates as mandates_store
from tests.support.http import Http
from tests.support.machine import MachineClient, secret_client
from tests.support.webhook_receiver import Receiver, drain, receiving
from tests.support.world import Customer, World, customer_with_meter, ean

EDV, OTHER = "0123456749", "0765432146"
METER = ean(1)


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEBHOOK_BACKOFF_SCALE", "0")


@pytest.fixture
def world(http: Http) -> World:
    world = World(http)
    world.edv = world.active(EDV, "Zonnig")
    world.other = world.active(OTHER, "Warmte Coach")
    return world


@pytest.fixture
def karel(world: World) -> Customer:
    return customer_with_meter(world, "karel", METER, since="2020-01-01")


def granted_ago(customer: Customer, left: timedelta, granularity: str = "quarter_hour") -> str:
    """A mandate granted so long ago that `left` of its three years remain."""
    now = datetime.now(UTC)
    granted_at = now - (rules.valid_until(now) - now) + left
    request = mandates.GrantRequest(
        edv=EDV,
        ean=METER,
        granularity=Granularity(granularity),
        period_start=date(2023, 1, 1),
        period_end=date(2026, 1, 1),
        reference_number="ref-karel",
    )
    return mandates.grant(customer.sub, request, granted_at).id


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    with receiving() as listening:
        yield listening


def subscribe(http: Http, world: World, url: str, receiver: Receiver) -> None:
    answer = http.post(
        f"/v1/organisations/{EDV}/webhooks",
        token=world.edv.admin,
        json_body={
            "url": url,
            "event_types": ["granted", "ended", "renewal_requested", "expiring"],
        },
    )
    assert answer.status == 201, answer.body
    receiver.secret = answer.json["secret"]


def feed(http: Http, world: World) -> list[dict[str, Any]]:
    answer = http.get(
        f"/v1/organisations/{EDV}/mandate-events?limit=100",
        token=world.edv.admin,
    )
    assert answer.status == 200, answer.body
    return list(answer.json["items"])


def machine_mandates(client: MachineClient, **query: str) -> list[dict[str, Any]]:
    suffix = "&".join(f"{k}={v}" for k, v in query.items())
    answer = client.get(f"/mandate?{suffix}")
    if answer.status == 404:
        return []
    assert answer.status == 200, answer.body
    return list(answer.json["data"]["mandates"])


def test_asked_by_the_edv_renewed_by_the_customer_seen_on_every_face(
    http: Http, world: World, karel: Customer, receiver: tuple[Receiver, str]
) -> None:
    target, url = receiver
    subscribe(http, world, url, target)
    old_id = granted_ago(karel, left=timedelta(days=60))
    client = secret_client(http, world.edv)
    assert [m["renewalStatus"] for m in machine_mandates(client, ean=METER)] == ["ToBeRenewed"]

    asked = http.post(
        f"/v1/organisations/{EDV}/access-points/{METER}/renewal-request",
        token=world.edv.admin,
    )
    assert asked.status == 200, asked.body
    assert asked.json["mandate"]["renewal"] == "requested"
    again = http.post(
        f"/v1/organisations/{EDV}/access-points/{METER}/renewal-request",
        token=world.edv.admin,
    )
    assert again.status == 200  # asking twice changes nothing
    assert [
        m["renewalStatus"] for m in machine_mandates(client, renewalStatus="RenewalRequested")
    ] == ["RenewalRequested"]
    mine = http.get("/v1/me/mandates", token=karel.token).json["items"]
    (shown,) = [m for m in mine if m["id"] == old_id]
    assert (shown["renewal"], shown["status"]) == ("requested", "active")

    renewed = http.post(f"/v1/me/mandates/{old_id}/renew", token=karel.token)
    assert renewed.status == 201, renewed.body
    new = renewed.json
    assert new["id"] != old_id and new["status"] == "active" and new["renewal"] is None
    assert (new["edv"], new["ean"], new["granularity"]) == (EDV, METER, "quarter_hour")
    assert (new["period_start"], new["period_end"]) == ("2023-01-01", "2026-01-01")
    until = datetime.fromisoformat(new["valid_until"]).astimezone(BRUSSELS)
    assert until.year == datetime.now(BRUSSELS).year + 3
    old = http.get(f"/v1/me/mandates/{old_id}", token=karel.token).json
    assert (old["status"], old["end_reason"]) == ("ended", "renewed")

    detail = http.get(
        f"/v1/organisations/{EDV}/access-points/{METER}",
        token=world.edv.admin,
    ).json
    assert detail["mandate"]["id"] == new["id"] and detail["previous_mandates"][0]["id"] == old_id
    (approved,) = machine_mandates(client, ean=METER, status="Approved")
    assert approved["referenceNumber"] == "ref-karel" and "renewalStatus" not in approved
    assert approved["mandateExpirationDate"].startswith(str(until.astimezone(UTC).year))
    assert machine_mandates(client, renewalStatus="RenewalRequested") == []

    events = [(e["type"], e["mandate_id"], e["details"]) for e in feed(http, world)]
    assert [(kind, mandate) for kind, mandate, _ in events][-3:] == [
        ("renewal_requested", old_id),
        ("ended", old_id),
        ("granted", new["id"]),
    ]
    assert events[-2][2]["end_reason"] == "renewed" and events[-1][2]["renews"] == old_id
    drain()
    delivered = [(m["type"], m["data"]["mandate_id"]) for m in target.accepted]
    assert delivered[-3:] == [
        ("renewal_requested", old_id),
        ("ended", old_id),
        ("granted", new["id"]),
    ]
    assert target.bad_signatures == 0


def test_the_machine_api_asks_through_its_extension(
    http: Http, world: World, karel: Customer
) -> None:
    granted_ago(karel, left=timedelta(days=80))
    client = secret_client(http, world.edv)
    answer = client.post("/extensions/mandate/renewal-request", {"ean": METER})
    assert answer.status == 200, answer.body
    assert answer.json["data"]["renewalStatus"] == "RenewalRequested"
    other = secret_client(http, world.other)
    refused = other.post("/extensions/mandate/renewal-request", {"ean": METER})
    assert (refused.status, refused.json["code"]) == (404, "Mandates.NotFound")


def test_before_the_last_90_days_the_request_is_refused_and_says_from_when(
    http: Http, world: World, karel: Customer
) -> None:
    granted_ago(karel, left=timedelta(days=200))
    answer = http.post(
        f"/v1/organisations/{EDV}/access-points/{METER}/renewal-request",
        token=world.edv.admin,
    )
    assert (answer.status, answer.json["code"]) == (409, "renewal_not_due")
    from_when = datetime.fromisoformat(answer.json["renewable_from"])
    assert timedelta(days=108) < from_when - datetime.now(UTC) < timedelta(days=111)  # 200 - 90
    client = secret_client(http, world.edv)
    machine = client.post("/extensions/mandate/renewal-request", {"ean": METER})
    assert (machine.status, machine.json["code"]) == (409, "Mandate.RenewalNotDue")
    assert feed(http, world)[-1]["type"] == "granted"  # nothing was asked


def test_the_customer_may_renew_unasked_and_no_one_else_may(
    http: Http, world: World, karel: Customer
) -> None:
    old_id = granted_ago(karel, left=timedelta(days=30))
    stranger = http.token("stranger", name="Someone Else")
    assert http.post(f"/v1/me/mandates/{old_id}/renew", token=stranger).status == 404
    renewed = http.post(f"/v1/me/mandates/{old_id}/renew", token=karel.token)
    assert renewed.status == 201, renewed.body
    twice = http.post(f"/v1/me/mandates/{old_id}/renew", token=karel.token)
    assert (twice.status, twice.json["code"]) == (409, "conflict")  # it ended as renewed


def test_a_mandate_of_a_previous_grid_user_cannot_be_renewed(
    http: Http, world: World, karel: Customer
) -> None:
    old_id = granted_ago(karel, left=timedelta(days=40))
    today = datetime.now(BRUSSELS).date()
    move = http.post(
        "/v1/ops/market-events",
        token=world.operator,
        json_body={
            "ean": METER,
            "scenario": "customer_switch",
            "effective_date": today.isoformat(),
            "new_grid_user": {"sub": "greet"},
        },
    )
    assert move.status == 201, move.body
    answer = http.post(f"/v1/me/mandates/{old_id}/renew", token=karel.token)
    assert (answer.status, answer.json["code"]) == (403, "not_grid_user"), answer.body
    assert mandates_store.get(old_id) is not None
    assert mandates_store.get(old_id).end_reason is None  # type: ignore[union-attr]


def test_expiring_goes_out_once_thirty_days_before_the_end_and_not_for_a_renewed_one(
    http: Http, world: World, karel: Customer, receiver: tuple[Receiver, str]
) -> None:
    target, url = receiver
    subscribe(http, world, url, target)
    near = granted_ago(karel, left=timedelta(days=20))
    now = datetime.now(UTC)
    assert mandates.announce_expiring(now) == 1
    assert mandates.announce_expiring(now + timedelta(hours=1)) == 0  # a rerun: once only
    (event,) = [e for e in feed(http, world) if e["type"] == "expiring"]
    assert (event["mandate_id"], event["details"]["renewal_requested"]) == (near, False)
    drain()
    assert [m["type"] for m in target.accepted].count("expiring") == 1
    renewed = http.post(f"/v1/me/mandates/{near}/renew", token=karel.token).json
    later = datetime.fromisoformat(renewed["valid_until"]) - timedelta(days=29)
    assert mandates.announce_expiring(now + timedelta(days=25)) == 0  # the old one ended
    assert mandates.announce_expiring(later) == 1  # the new one, three years on
