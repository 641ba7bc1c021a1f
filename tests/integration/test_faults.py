"""Faults: AWS throttling or failing in the middle of a request, S3 failing during an export, a
Lambda retrying the same event. Each leaves no partial state behind, answers with a clear
problem (503 + Retry-After when trying again will help), and a retry converges to exactly what
one clean run would have produced."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from chalicelib.aws import s3
from chalicelib.config import settings
from chalicelib.serving import delivery
from chalicelib.store import mandates as mandates_store
from functions import ingest as ingest_function
from tests.support.faults import THROTTLED, aws_fault
from tests.support.http import Http
from tests.support.readings import batch, day_readings, days_readings
from tests.support.world import Customer, World, customer_with_meter, ean, grant, ingest

EDV, OTHER = "0123456749", "0765432146"
METER = ean(1)
GRANT = {
    "edv": EDV,
    "ean": METER,
    "granularity": "quarter_hour",
    "period_start": "2024-01-01",
    "period_end": "2027-01-01",
}


@pytest.fixture
def world(http: Http) -> World:
    world = World(http)
    world.edv = world.active(EDV, "Zonnig")
    world.other = world.active(OTHER, "Andere")
    return world


@pytest.fixture
def karel(world: World) -> Customer:
    return customer_with_meter(world, "karel", METER)


def feed(http: Http, world: World, edv: str = EDV) -> list[dict[str, Any]]:
    staff = world.edv if edv == EDV else world.other
    answer = http.get(f"/v1/organisations/{edv}/mandate-events", token=staff.member)
    return list(answer.json["items"])


def month_volume(http: Http, world: World, month: str) -> dict[str, Any]:
    answer = http.get(
        f"/v1/organisations/{EDV}/access-points/{METER}/volumes"
        f"?from={month}-01&to=2025-04-01&resolution=month",
        token=world.edv.member,
    )
    assert answer.status == 200, answer.body
    return dict(answer.json["channels"]["offtake"][0])


def test_a_throttled_grant_answers_503_and_stores_nothing(
    http: Http, world: World, karel: Customer
) -> None:
    with aws_fault("TransactWriteItems") as fault:
        answer = http.post("/v1/me/mandates", token=karel.token, json_body=GRANT)
    assert fault.failed == 1
    assert (answer.status, answer.code) == (503, "service_unavailable")
    assert answer.headers["retry-after"] == "2"
    assert answer.headers["content-type"] == "application/problem+json"
    assert http.get("/v1/me/mandates", token=karel.token).json["items"] == []
    assert feed(http, world) == []
    assert mandates_store.of_ean(METER) == []
    retried = http.post("/v1/me/mandates", token=karel.token, json_body=GRANT)
    assert retried.status == 201
    assert [m["status"] for m in http.get("/v1/me/mandates", token=karel.token).json["items"]] == [
        "active"
    ]
    assert [e["type"] for e in feed(http, world)] == ["granted"]


def test_a_read_failing_mid_request_is_a_503_and_not_a_500(
    http: Http, world: World, karel: Customer
) -> None:
    grant(world, karel, EDV, METER)
    with aws_fault("Query", "InternalServerError", table="mandates"):
        answer = http.get("/v1/me/mandates", token=karel.token)
    assert (answer.status, answer.code) == (503, "service_unavailable")
    # A fault that retrying will not cure is a 500, told plainly, with nothing leaked.
    with aws_fault("Query", "ValidationException", table="mandates"):
        broken = http.get("/v1/me/mandates", token=karel.token)
    assert (broken.status, broken.code) == (500, "internal_error")
    assert b"ValidationException" not in broken.body and b"injected" not in broken.body


def test_the_machine_api_answers_a_throttle_in_its_own_shape(
    http: Http, world: World, karel: Customer
) -> None:
    from tests.support.machine import secret_client

    grant(world, karel, EDV, METER)
    client = secret_client(http, world.edv)
    token = client.token()
    with aws_fault("Query", THROTTLED, table="mandates"):
        answer = client.get("/mandate", token=token)
    assert answer.status == 503
    assert answer.json["type"] == "ServiceUnavailableException"
    assert answer.headers["retry-after"] == "2"


def test_a_market_event_failing_halfway_is_finished_by_its_replay(
    http: Http, world: World, karel: Customer
) -> None:
    grant(world, karel, EDV, METER)
    grant(world, karel, OTHER, METER)
    move = {"ean": METER, "scenario": "move_out", "effective_date": "2025-06-01"}
    # The first mandate's truncation commits, the second's is throttled.
    with aws_fault("TransactWriteItems", skip=1) as fault:
        failed = http.post("/v1/ops/market-events", token=world.operator, json_body=move)
    assert fault.failed == 1
    assert (failed.status, failed.code) == (503, "service_unavailable")
    replayed = http.post("/v1/ops/market-events", token=world.operator, json_body=move)
    assert replayed.status == 200
    assert replayed.json["replayed"] is True and replayed.json["status"] == "applied"
    assert replayed.json["mandates_truncated"] == 1  # the one the failed attempt did not reach
    for edv in (EDV, OTHER):
        truncations = [e for e in feed(http, world, edv) if e["type"] == "period_truncated"]
        assert len(truncations) == 1, truncations
        assert truncations[0]["details"]["purge_from"] == "2025-06-01"
    assert all(m.period_end == date(2025, 6, 1) for m in mandates_store.of_ean(METER))
    again = http.post("/v1/ops/market-events", token=world.operator, json_body=move)
    assert (again.status, again.json["mandates_truncated"]) == (200, 0)


def test_ingest_failing_between_days_and_months_is_mended_by_its_retry(
    http: Http, world: World, karel: Customer
) -> None:
    grant(world, karel, EDV, METER)
    readings = batch(METER, days_readings(date(2025, 3, 1), date(2025, 3, 4)))
    # Days are stored, then writing the month's rollup is throttled.
    with aws_fault("PutItem", table="readings") as fault:
        failed = http.post(
            "/v1/ops/readings",
            token=world.operator,
            body=json.dumps(readings).encode(),
            headers={"Content-Type": "application/json"},
        )
    assert fault.failed == 1
    assert (failed.status, failed.code) == (503, "service_unavailable")
    report = ingest(world, readings)  # the operator (or the Lambda) sends it again
    assert report["accepted"] == 3 * 96
    march = month_volume(http, world, "2025-03")
    day_total = sum((i + 1) / 1000 for i in range(96))
    assert march["value"] == pytest.approx(3 * day_total, abs=1e-3)
    assert ingest(world, readings)["accepted"] == 3 * 96
    assert month_volume(http, world, "2025-03") == march  # a third time changes nothing


def test_an_ingest_lambda_retried_after_a_throttle_converges(
    http: Http, world: World, karel: Customer
) -> None:
    grant(world, karel, EDV, METER)
    bucket = settings().ingest_bucket
    body = json.dumps(batch(METER, day_readings(date(2025, 3, 30)))).encode()  # 92 quarter-hours
    put = s3().put_object(Bucket=bucket, Key="drop/spring.json", Body=body)
    event = {
        "time": "2025-04-01T06:00:00Z",
        "detail": {
            "bucket": {"name": bucket},
            "object": {"key": "drop/spring.json", "etag": put["ETag"].strip('"')},
        },
    }
    with aws_fault("PutItem", table="readings"), pytest.raises(Exception) as raised:
        ingest_function.handler(event, None)  # the Lambda fails: EventBridge will retry it
    assert "ProvisionedThroughputExceeded" in str(raised.value)
    first = ingest_function.handler(event, None)
    second = ingest_function.handler(event, None)  # an at-least-once redelivery
    assert first["report_id"] == second["report_id"]
    assert (first["accepted"], second["accepted"]) == (92, 92)
    answer = http.get(
        f"/v1/organisations/{EDV}/access-points/{METER}/volumes"
        "?from=2025-03-30&to=2025-03-31&resolution=quarter_hour",
        token=world.edv.member,
    )
    points = answer.json["channels"]["offtake"]
    assert len(points) == 92 and all(p["status"] == "validated" for p in points)


def test_an_s3_failure_staging_a_large_export_is_a_clear_503(
    http: Http, world: World, karel: Customer, monkeypatch: pytest.MonkeyPatch
) -> None:
    grant(world, karel, EDV, METER)
    ingest(world, batch(METER, days_readings(date(2025, 3, 1), date(2025, 3, 8))))
    monkeypatch.setattr(delivery, "INLINE_LIMIT", 1_000)  # any export is "large" now
    path = (
        f"/v1/organisations/{EDV}/access-points/{METER}/volumes"
        "?from=2025-03-01&to=2025-03-08&resolution=quarter_hour"
    )
    with aws_fault("PutObject", "InternalError", table=settings().exports_bucket):
        failed = http.get(path, token=world.edv.member)
    assert (failed.status, failed.code) == (503, "service_unavailable")
    listed = s3().list_objects_v2(Bucket=settings().exports_bucket)
    assert listed.get("KeyCount", 0) == 0
    staged = http.get(path, token=world.edv.member)
    assert staged.status == 303 and "X-Amz-Expires=900" in staged.headers["location"]
