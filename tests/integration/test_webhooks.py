"""Webhooks against a real receiver on 127.0.0.1: Standard Webhooks signatures (verified with the
`standardwebhooks` package), retries through a receiver that fails or is down, the dead-letter
queue, order per mandate, and nothing lost or doubled beyond what the webhook-id lets go."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest

from chalicelib.domain import webhooks as rules
from chalicelib.services import webhooks
from tests.support.http import Http
from tests.support.webhook_receiver import Receiver, drain, receiving, serve
from tests.support.world import Customer, World, customer_with_meter, ean, grant

EDV = "0123456749"


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEBHOOK_BACKOFF_SCALE", "0")  # a day of back-off, in no time


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    with receiving() as listening:
        yield listening


@pytest.fixture
def world(http: Http) -> World:
    world = World(http)
    world.edv = world.active(EDV, "Zonnig")
    return world


@pytest.fixture
def karel(world: World) -> Customer:
    return customer_with_meter(world, "karel", ean(1))


def register(http: Http, world: World, url: str, types: list[str] | None = None) -> dict[str, Any]:
    answer = http.post(
        f"/v1/organisations/{EDV}/webhooks",
        token=world.edv.admin,
        json_body={"url": url, "event_types": types or list(rules.EVENT_TYPES)},
    )
    assert answer.status == 201, answer.body
    return dict(answer.json)


def mandate_changes(http: Http, world: World, karel: Customer) -> list[str]:
    """granted, replaced (ended + granted), ended, and the duty to delete what the second held:
    five feed events over two mandates (the replacement keeps more: no duty)."""
    first = grant(world, karel, EDV, ean(1), granularity="day")
    second = grant(world, karel, EDV, ean(1))
    ended = http.post(f"/v1/me/mandates/{second['id']}/end", token=karel.token)
    assert ended.status == 200
    return [str(first["id"]), str(second["id"])]


def test_signed_deliveries_survive_a_failing_receiver_in_order(
    http: Http, world: World, karel: Customer, receiver: tuple[Receiver, str]
) -> None:
    target, url = receiver
    created = register(http, world, url)
    assert created["secret"].startswith("whsec_")
    target.secret, target.fail_first = created["secret"], 3
    first, second = mandate_changes(http, world, karel)
    drain()

    assert target.bad_signatures == 0
    ids = [delivery["id"] for delivery in target.accepted]
    assert sorted(ids) == sorted(rules.event_id(EDV, seq) for seq in (1, 2, 3, 4, 5))  # none lost
    assert len(ids) == len(set(ids))  # each accepted once
    assert all(count == 4 for count in target.attempts.values())  # 3 failures, then accepted
    per_mandate = {
        mandate: [d["type"] for d in target.accepted if d["data"]["mandate_id"] == mandate]
        for mandate in (first, second)
    }
    assert per_mandate == {
        first: ["granted", "ended"],
        second: ["granted", "ended", "purge_due"],
    }
    ended = next(
        d for d in target.accepted if d["data"]["mandate_id"] == first and d["type"] == "ended"
    )
    assert ended["data"]["end_reason"] == "replaced"

    log = http.get(
        f"/v1/organisations/{EDV}/webhooks/{created['id']}/deliveries",
        token=world.edv.admin,
    ).json["items"]
    assert {(d["status"], d["attempts"], d["last_status"]) for d in log} == {("delivered", 4, 204)}


def test_a_receiver_down_for_a_while_gets_everything_after(
    http: Http, world: World, karel: Customer
) -> None:
    target = Receiver()
    probe = serve(target)
    port = int(probe.server_address[1])
    probe.shutdown()
    probe.server_close()  # nothing listens on the port now: connection refused
    created = register(http, world, f"http://127.0.0.1:{port}/hooks")
    target.secret = created["secret"]
    mandate_changes(http, world, karel)
    for _ in range(3):
        webhooks.run_worker_once(wait_seconds=0)
    log = http.get(
        f"/v1/organisations/{EDV}/webhooks/{created['id']}/deliveries",
        token=world.edv.admin,
    ).json["items"]
    # The first event of each mandate was tried; what follows it waits its turn.
    assert sorted(d["status"] for d in log) == [
        "queued",
        "queued",
        "queued",
        "retrying",
        "retrying",
    ]
    # A category, not the exception's text: the log must not make us a port scanner.
    assert {d["last_error"] for d in log if d["status"] == "retrying"} == {"refused"}
    server = serve(target, port)
    try:
        drain()
    finally:
        server.shutdown()
    assert sorted(d["id"] for d in target.accepted) == sorted(
        rules.event_id(EDV, seq) for seq in (1, 2, 3, 4, 5)
    )


def test_after_the_last_attempt_the_message_is_dead_lettered_and_the_endpoint_failing(
    http: Http, world: World, karel: Customer, receiver: tuple[Receiver, str]
) -> None:
    target, url = receiver
    created = register(http, world, url, ["granted"])
    target.secret, target.always_fail = created["secret"], True
    grant(world, karel, EDV, ean(1))
    drain()
    assert target.attempts == {rules.event_id(EDV, 1): rules.MAX_ATTEMPTS}
    admin = world.edv.admin
    endpoint = http.get(f"/v1/organisations/{EDV}/webhooks/{created['id']}", token=admin).json
    assert endpoint["status"] == "failing"
    assert endpoint["last_error"] == "http_503"
    (delivery,) = http.get(
        f"/v1/organisations/{EDV}/webhooks/{created['id']}/deliveries", token=admin
    ).json["items"]
    assert (delivery["status"], delivery["attempts"]) == ("dead", rules.MAX_ATTEMPTS)
    dead = webhooks._sqs().receive_message(QueueUrl=webhooks.dead_letter_queue_url())
    assert json.loads(dead["Messages"][0]["Body"])["id"] == rules.event_id(EDV, 1)

    # The receiver is fixed; a test event gets through and the endpoint is healthy again.
    target.always_fail = False
    sent = http.post(f"/v1/organisations/{EDV}/webhooks/{created['id']}/test", token=admin)
    assert sent.status == 202
    drain()
    assert target.accepted[-1]["type"] == rules.TEST_EVENT
    assert target.accepted[-1]["id"] == sent.json["webhook_id"]
    endpoint = http.get(f"/v1/organisations/{EDV}/webhooks/{created['id']}", token=admin).json
    assert (endpoint["status"], endpoint["last_error"]) == ("active", None)


def test_events_queued_by_nobody_are_caught_up_by_the_sweep(
    http: Http,
    world: World,
    karel: Customer,
    receiver: tuple[Receiver, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target, url = receiver
    target.secret = register(http, world, url, ["granted"])["secret"]
    with monkeypatch.context() as patched:
        patched.setattr(webhooks, "dispatch", _broken)
        grant(world, karel, EDV, ean(1))  # committed; queueing failed
    drain()
    assert target.accepted == []
    ran = http.post("/v1/ops/jobs/webhook-dispatch/run", token=world.operator)
    assert ran.json["counts"] == {"queued": 1}
    assert http.post("/v1/ops/jobs/webhook-dispatch/run", token=world.operator).json["counts"] == {
        "queued": 0
    }
    drain()
    assert [d["id"] for d in target.accepted] == [rules.event_id(EDV, 1)]


def _broken(edv: str, now: object) -> int:
    raise ConnectionError("SQS unavailable")


def test_only_the_edvs_administrators_manage_its_webhooks(http: Http, world: World) -> None:
    other = world.active("0987654394", "Andere")
    base = f"/v1/organisations/{EDV}/webhooks"
    body = {"url": "https://edv.example/hooks", "event_types": ["granted"]}
    member = http.post(base, token=world.edv.member, json_body=body)
    assert (member.status, member.code) == (403, "forbidden")
    stranger = http.post(base, token=other.admin, json_body=body)
    assert (stranger.status, stranger.code) == (403, "not_a_member")
    created = http.post(base, token=world.edv.admin, json_body=body).json
    assert http.get(f"{base}/{created['id']}", token=other.admin).code == "not_a_member"
    listed = http.get(base, token=world.edv.admin).json["items"]
    assert [e["id"] for e in listed] == [created["id"]]
    assert "secret" not in listed[0]
    plain = http.post(
        base,
        token=world.edv.admin,
        json_body={"url": "http://edv.example/hooks", "event_types": ["granted"]},
    )
    assert (plain.status, plain.code) == (422, "validation_error")
    unknown = http.post(
        base,
        token=world.edv.admin,
        json_body={"url": "https://edv.example/hooks", "event_types": ["everything"]},
    )
    assert unknown.status == 422
    gone = http.delete(f"{base}/{created['id']}", token=world.edv.admin)
    assert gone.status == 204
    assert http.get(f"{base}/{created['id']}", token=world.edv.admin).status == 404


def test_the_back_off_lasts_more_than_a_day() -> None:
    assert rules.total_retry_window() > timedelta(hours=24)
    assert [rules.retry_delay(n) for n in (1, 2, 9, 10)] == [30, 120, 43200, 43200]


def test_new_data_in_the_mandates_period_is_announced_once(
    http: Http, world: World, karel: Customer, receiver: tuple[Receiver, str]
) -> None:
    from tests.support.readings import batch, day_readings
    from tests.support.world import ingest

    target, url = receiver
    target.secret = register(http, world, url, ["data_available"])["secret"]
    granted = grant(world, karel, EDV, ean(1), period_start="2025-01-01", period_end="2026-01-01")
    autumn = batch(ean(1), day_readings(date(2025, 10, 26)))  # the 100-quarter-hour day
    ingest(world, [autumn])
    ingest(world, [autumn])  # the same again: nothing written, nothing announced
    ingest(world, [batch(ean(1), day_readings(date(2024, 6, 1)))])  # before the period
    drain()
    assert [(d["type"], d["data"]) for d in target.accepted] == [
        (
            "data_available",
            {
                "mandate_id": granted["id"],
                "ean": ean(1),
                "channel": "offtake",
                "from": "2025-10-26",
                "to": "2025-10-27",
            },
        )
    ]


def test_one_poisoned_record_never_holds_up_another_edvs_deliveries(
    http: Http, world: World, karel: Customer, receiver: tuple[Receiver, str]
) -> None:
    """A batch with a record that cannot be handled at all, and one for an endpoint stored with
    a port that does not exist (before registration parsed the URL): each fails alone, the bad
    endpoint is marked failing, and the other EDV's event is delivered, once."""
    from chalicelib.store.webhooks import EndpointItem

    target, url = receiver
    target.secret = register(http, world, url, ["granted"])["secret"]
    other = world.active("0987654394", "Andere")
    created = http.post(
        "/v1/organisations/0987654394/webhooks",
        token=other.admin,
        json_body={"url": "https://andere.example/hooks", "event_types": ["granted"]},
    ).json
    EndpointItem("0987654394", created["id"]).update(
        actions=[EndpointItem.url.set("https://andere.example:99999/hooks")]
    )
    grant(world, karel, EDV, ean(1))
    grant(world, karel, "0987654394", ean(1))
    received = webhooks._sqs().receive_message(
        QueueUrl=webhooks.queue_url(), MaxNumberOfMessages=10, AttributeNames=["All"]
    )["Messages"]
    poison = {"messageId": "poison", "receiptHandle": "none", "body": "{", "attributes": {}}
    records = [poison] + [
        {
            "messageId": m["MessageId"],
            "receiptHandle": m["ReceiptHandle"],
            "body": m["Body"],
            "attributes": m["Attributes"],
        }
        for m in received
    ]
    assert len(records) == 3
    assert webhooks.deliver(records) == ["poison"]  # tried again later, alone
    assert [d["id"] for d in target.accepted] == [rules.event_id(EDV, 1)]  # delivered, once
    # The address no delivery can reach: dead-lettered at once, the endpoint marked failing.
    path = f"/v1/organisations/0987654394/webhooks/{created['id']}"
    marked = http.get(path, token=other.admin).json
    assert (marked["status"], marked["last_error"]) == ("failing", "invalid_url")
    log = http.get(f"{path}/deliveries", token=other.admin).json["items"]
    assert [(d["status"], d["attempts"]) for d in log] == [("dead", 1)]


def test_test_events_are_limited_per_endpoint_and_endpoints_per_edv(
    http: Http, world: World
) -> None:
    from chalicelib.domain import quotas

    admin = world.edv.admin
    base = f"/v1/organisations/{EDV}/webhooks"
    created = [
        http.post(
            base,
            token=admin,
            json_body={"url": f"https://edv.example/hooks/{n}", "event_types": ["granted"]},
        )
        for n in range(quotas.WEBHOOK_ENDPOINTS + 1)
    ]
    assert [answer.status for answer in created[:-1]] == [201] * quotas.WEBHOOK_ENDPOINTS
    refused = created[-1]
    assert (refused.status, refused.code) == (409, "quota_exceeded")
    assert (refused.json["quota"], refused.json["limit"]) == ("webhook_endpoints", 10)
    test = f"{base}/{created[0].json['id']}/test"
    sent = [http.post(test, token=admin) for _ in range(quotas.WEBHOOK_TESTS_PER_HOUR + 1)]
    assert [answer.status for answer in sent[:-1]] == [202] * quotas.WEBHOOK_TESTS_PER_HOUR
    assert (sent[-1].status, sent[-1].code, sent[-1].json["limit"]) == (429, "rate_limited", 10)
    assert 0 < int(sent[-1].headers["retry-after"]) <= 3600
    # Another endpoint has its own.
    assert http.post(f"{base}/{created[1].json['id']}/test", token=admin).status == 202
