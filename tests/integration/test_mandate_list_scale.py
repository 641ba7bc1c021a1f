"""The machine API's mandate list for a large EDV: a lookup by EAN or reference number reads by
key, whatever the EDV's size; a status, renewal, expiry, energy or granularity filter reads its
own facet and stretch of validity, not the EDV's history nor its other energy (the guard of
tests/support/counting); an unfiltered list that would have to look through more mandates than
one answer holds is a 400 naming the filters that narrow it, not a 6 MB failure."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.api.esco import mandate_filters, mandate_pages_scope
from chalicelib.api.esco_models import MandatesQuery
from chalicelib.services import machine_api
from chalicelib.serving.paging import decode_cursor, encode_cursor
from chalicelib.store import api_clients as api_clients_store
from tests.support.counting import dynamodb_reads, reads_follow_the_answer
from tests.support.http import Http
from tests.support.machine import MachineClient, secret_client
from tests.support.world import World, customer_with_meter, ean, grant

EDV = "0123456749"
MANDATES = 30  # active
HISTORY = range(MANDATES + 1, MANDATES + 11)  # ended by their customers


@pytest.fixture
def client(http: Http) -> MachineClient:
    world = World(http)
    edv = world.active(EDV, "Zonnig")
    for serial in (*range(1, MANDATES + 1), *HISTORY):
        customer = customer_with_meter(world, f"customer-{serial}", ean(serial))
        granted = grant(world, customer, EDV, ean(serial))
        if serial in HISTORY:
            ended = http.post(f"/v1/me/mandates/{granted['id']}/end", token=customer.token)
            assert ended.status == 200, ended.body
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
    assert len(client.get("/mandate").json["data"]["mandates"]) == MANDATES + len(HISTORY)
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


def pages(client: MachineClient, query: str) -> Iterator[tuple[list[str], Counter[str]]]:
    """Every page of `/mandate?{query}` with our paging extension: its EANs and its reads."""
    path = f"/mandate?{query}"
    while True:
        with dynamodb_reads() as reads:
            answer = client.get(path)
        assert answer.status == 200, answer.body
        data = answer.json["data"]
        yield [mandate["ean"] for mandate in data["mandates"]], reads
        token = data.get("continuationToken")
        if token is None:
            return
        path = f"/mandate?{query}&continuationToken={token}"


def test_any_edv_pages_through_its_mandates_with_the_extension(
    client: MachineClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(machine_api, "MAX_MANDATES_READ", 20)  # unpaged, it is "too large"
    seen: list[str] = []
    for eans, reads in pages(client, "pageSize=7&status=Approved"):
        seen += eans
        assert len(eans) <= 7 and reads["items"] < 7 + 10, reads
    assert sorted(seen) == sorted(ean(serial) for serial in range(1, MANDATES + 1))
    # Bound to the filters and the EDV: another filter, or an altered token, is refused.
    first = client.get("/mandate?pageSize=7&status=Approved").json["data"]["continuationToken"]
    for refused in (
        f"/mandate?pageSize=7&status=Rejected&continuationToken={first}",
        f"/mandate?pageSize=7&status=Approved&continuationToken={first[:-2]}xx",
    ):
        answer = client.get(refused)
        assert (answer.status, answer.json["code"]) == (400, "ContinuationToken.Invalid")


def lists_what_it_reads(client: MachineClient, query: str, expected: list[int]) -> None:
    """`/mandate?{query}` lists the mandates of the `expected` serials, reading no more than the
    guard allows for them."""
    client.token()
    with dynamodb_reads() as reads:
        answer = client.get(f"/mandate?{query}")
    found = answer.json["data"]["mandates"] if answer.status == 200 else []
    assert answer.status == (200 if expected else 404), answer.body
    assert sorted(m["ean"] for m in found) == sorted(ean(serial) for serial in expected)
    assert reads_follow_the_answer(reads, len(found)), reads


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=Finished", list(HISTORY)),
        ("status=Rejected", []),
        ("status=Requested", []),
        ("renewalStatus=ToBeRenewed", []),  # none in its last 90 days
        ("renewalStatus=Expired", []),
        ("status=Approved&mandateExpirationDate=2025-01-01T00:00:00Z", []),
    ],
)
def test_a_status_or_expiry_filter_reads_what_it_returns(
    client: MachineClient, query: str, expected: list[int]
) -> None:
    """Before the status index, each of these read all 40 of the EDV's mandates."""
    lists_what_it_reads(client, query, expected)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("energyType=G", [91, 92]),
        ("dataServiceTypes=VH_dag", [93]),
        ("energyType=E&dataServiceTypes=VH_dag", [93]),
        ("energyType=G&status=Approved&dataServiceTypes=VH_kwartier_uur", [91, 92]),
        ("dataServiceTypes=IG", []),  # installation data: no mandate is of that type
        ("energyType=G&dataServiceTypes=VH_dag", []),
    ],
)
def test_an_energy_or_granularity_filter_reads_what_it_returns(
    http: Http, client: MachineClient, query: str, expected: list[int]
) -> None:
    """Gas among 40 electricity mandates: before the facet index, each read all of them."""
    world = World(http)
    for serial in (91, 92):
        gas = customer_with_meter(
            world, f"gas-{serial}", ean(serial), energy="gas", direction="offtake"
        )
        grant(world, gas, EDV, ean(serial), granularity="hour")
    daily = customer_with_meter(world, "daily-93", ean(93))
    grant(world, daily, EDV, ean(93), granularity="day")
    lists_what_it_reads(client, query, expected)


def test_a_token_from_an_earlier_index_layout_is_refused(client: MachineClient) -> None:
    """A position names an index read; one signed before the reads changed (the status index
    was keyed by status alone) would resume in the wrong partition: refused, not misread."""
    first = client.get("/mandate?pageSize=3&status=Finished").json["data"]["continuationToken"]
    query = MandatesQuery.model_validate({"status": "Finished"})
    position = decode_cursor(mandate_pages_scope(EDV, query), first)
    assert position is not None
    earlier = encode_cursor(mandate_pages_scope(EDV, query, layout="esco-mandates"), position)
    answer = client.get(f"/mandate?pageSize=3&status=Finished&continuationToken={earlier}")
    assert (answer.status, answer.json["code"]) == (400, "ContinuationToken.Invalid")


def test_finished_pages_through_each_stored_form_once(client: MachineClient) -> None:
    """Finished is stored three ways (ended, expired, active past its validity): one page goes
    on from one to the next, and no page reads another's rows."""
    seen: list[str] = []
    for eans, reads in pages(client, "pageSize=3&status=Finished"):
        seen += eans
        assert reads_follow_the_answer(reads, len(eans)), reads
    assert sorted(seen) == sorted(ean(serial) for serial in HISTORY)


def test_a_mandate_past_its_validity_is_finished_before_the_job_ends_it(
    client: MachineClient,
) -> None:
    """Three years and a day on, before the expiry job has run: the 30 active mandates are read
    as Finished (from their stored form, active past valid_until), and none as Approved."""
    later = datetime.now(UTC) + timedelta(days=3 * 366 + 1)
    stored = api_clients_store.get(client.client_id)
    assert stored is not None

    def listed(status: str) -> list[str]:
        filters = mandate_filters(MandatesQuery.model_validate({"status": status}))
        assert filters is not None
        return [m.ean for m in machine_api.mandates(stored, filters, later)]

    assert sorted(listed("Finished")) == sorted(ean(s) for s in (*range(1, MANDATES + 1), *HISTORY))
    assert listed("Approved") == []


def test_a_lookup_by_reference_number_reads_by_key(http: Http, client: MachineClient) -> None:
    admin = http.token(f"admin-{EDV}")
    contract = http.get(f"/v1/organisations/{EDV}/edv-application", token=admin).json[
        "contract_number"
    ]
    session = client.post(
        "/shortUrlIdentifier",
        {"dataAccessContractNumber": contract, "referenceNumber": "zonnig-4711", "flow": "B2C"},
    ).json["data"]["shortUrlIdentifier"]
    world = World(http)
    grant(world, customer_with_meter(world, "late", ean(99)), EDV, ean(99), session=session)
    client.token()
    with dynamodb_reads() as reads:
        listed = client.get("/mandate?referenceNumber=zonnig-4711")
    assert [m["ean"] for m in listed.json["data"]["mandates"]] == [ean(99)]
    assert reads_follow_the_answer(reads, 1), reads
