"""The machine API's mandate list for a large EDV: a lookup by EAN reads by key, whatever the
EDV's size, and an unfiltered list that would have to look through more mandates than one answer
holds is a 400 naming the filters that narrow it, not a 6 MB failure."""

from __future__ import annotations

import pytest

from chalicelib.services import machine_api
from tests.support.counting import dynamodb_reads
from tests.support.http import Http
from tests.support.machine import MachineClient, secret_client
from tests.support.world import World, customer_with_meter, ean, grant

EDV = "0123456749"
MANDATES = 30


@pytest.fixture
def client(http: Http) -> MachineClient:
    world = World(http)
    edv = world.active(EDV, "Zonnig")
    for serial in range(1, MANDATES + 1):
        customer = customer_with_meter(world, f"customer-{serial}", ean(serial))
        grant(world, customer, EDV, ean(serial))
    return secret_client(http, edv)


def test_a_lookup_by_ean_reads_by_key(client: MachineClient) -> None:
    client.token()  # the token's own reads are not the lookup's
    with dynamodb_reads() as reads:
        answer = client.get(f"/mandate?ean={ean(17)}")
    assert answer.status == 200, answer.body
    (mandate,) = answer.json["data"]["mandates"]
    assert mandate["ean"] == ean(17)
    assert set(answer.json["data"]) == {"mandates"}  # the reference's shape, unpaged
    # the client, its EDV, the rate window, the mandate: not the EDV's other 29 mandates
    assert reads["items"] < 10, reads


def test_too_many_to_look_through_is_a_400_naming_the_filters(
    client: MachineClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert len(client.get("/mandate").json["data"]["mandates"]) == MANDATES
    monkeypatch.setattr(machine_api, "MAX_MANDATES_READ", 20)
    answer = client.get("/mandate")
    assert answer.status == 400, answer.body
    assert answer.json["code"] == "Mandates.TooManyToAnswer"
    assert "lastUpdatedFrom" in answer.json["message"] and "ean" in answer.json["message"]
    assert client.get(f"/mandate?ean={ean(3)}").status == 200  # a client that filters: unchanged


def test_changes_since_a_moment_are_read_by_the_update_index(
    http: Http, client: MachineClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A daily sync (`lastUpdatedFrom` = its last run) reads only what changed since."""
    from datetime import UTC, datetime

    monkeypatch.setattr(machine_api, "MAX_MANDATES_READ", 20)  # the EDV is "too large" to list
    since = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    world = World(http)
    late = customer_with_meter(world, "late", ean(99))
    grant(world, late, EDV, ean(99))
    client.token()
    with dynamodb_reads() as reads:
        answer = client.get(f"/mandate?lastUpdatedFrom={since}")
    assert answer.status == 200, answer.body
    assert [m["ean"] for m in answer.json["data"]["mandates"]] == [ean(99)]
    assert reads["items"] < 10, reads


def test_any_edv_pages_through_its_mandates_with_the_extension(
    client: MachineClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(machine_api, "MAX_MANDATES_READ", 20)  # unpaged, it is "too large"
    seen: list[str] = []
    path = "/mandate?pageSize=7&status=Approved"
    while True:
        with dynamodb_reads() as reads:
            answer = client.get(path)
        assert answer.status == 200, answer.body
        data = answer.json["data"]
        seen += [mandate["ean"] for mandate in data["mandates"]]
        assert len(data["mandates"]) <= 7 and reads["items"] < 7 + 10, reads
        token = data.get("continuationToken")
        if token is None:
            break
        path = f"/mandate?pageSize=7&status=Approved&continuationToken={token}"
    assert sorted(seen) == sorted(ean(serial) for serial in range(1, MANDATES + 1))
    # Bound to the filters and the EDV: another filter, or an altered token, is refused.
    first = client.get("/mandate?pageSize=7&status=Approved").json["data"]["continuationToken"]
    for refused in (
        f"/mandate?pageSize=7&status=Rejected&continuationToken={first}",
        f"/mandate?pageSize=7&status=Approved&continuationToken={first[:-2]}xx",
    ):
        answer = client.get(refused)
        assert (answer.status, answer.json["code"]) == (400, "ContinuationToken.Invalid")
