"""Ingest (R10): one parser for the ops API and the ingest bucket; bad rows reported, good rows
stored, the same data twice changes nothing, newer values replace older ones."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from typing import Any

import orjson
import pytest

from chalicelib.aws import s3
from chalicelib.config import settings
from chalicelib.domain.readings import Quality
from chalicelib.services import ingest
from chalicelib.store import readings as store
from functions import ingest as ingest_function
from tests.support.http import Http
from tests.support.readings import batch, day_readings, days_readings
from tests.support.world import World, customer_with_meter, ean, register_access_point

DAY = date(2025, 3, 30)  # 92 quarter-hours
ELECTRICITY, GAS, AMR_INJECTION = ean(1), ean(2), ean(3)

MARCH = date(2025, 3, 1)


@pytest.fixture
def world(http: Http) -> World:
    world = World(http)
    customer_with_meter(world, "karel", ELECTRICITY)
    customer_with_meter(world, "greet", GAS, energy="gas", direction="offtake")
    register_access_point(
        world, AMR_INJECTION, grid_user={"sub": "bert"}, meter_type="amr", direction="injection"
    )
    return world


def post(http: Http, world: World, body: object) -> tuple[int, dict[str, Any]]:
    answer = http.post(
        "/v1/ops/readings",
        token=world.operator,
        body=orjson.dumps(body),
        headers={"Content-Type": "application/json"},
    )
    return answer.status, answer.json


def stored_day(ean_code: str, day: date, channel: str = "offtake") -> tuple[list[int], list[int]]:
    days = store.days_between(ean_code, channel, day, day)
    series = days[day]
    return list(series.values), list(series.qualities)


def test_a_batch_is_stored_and_reported(http: Http, world: World) -> None:
    status, report = post(http, world, batch(ELECTRICITY, day_readings(DAY)))
    assert status == 200
    assert (report["status"], report["rows"], report["accepted"], report["rejected"]) == (
        "ok",
        92,
        92,
        0,
    )
    assert report["batches"][0]["days_written"] == 1
    values, qualities = stored_day(ELECTRICITY, DAY)
    assert values == list(range(1, 93)) and set(qualities) == {Quality.VALIDATED}
    assert (
        http.get(f"/v1/ops/ingest-reports/{report['report_id']}", token=world.operator).json
        == report
    )


def test_bad_rows_are_reported_and_good_rows_stored(http: Http, world: World) -> None:
    rows = day_readings(DAY)
    rows[3]["status"] = "guessed"
    rows[4]["value"] = -1
    rows[5]["start"] = "2025-03-30T00:07:00+01:00"
    rows[6]["value"] = None
    rows[7]["start"] = "2025-03-30T00:00:00"
    rows[8]["start"] = rows[9]["start"]
    rows[10] = {"start": rows[10]["start"], "value": 1.0, "status": "missing"}
    status, report = post(http, world, batch(ELECTRICITY, rows))
    assert status == 200
    assert (report["status"], report["accepted"], report["rejected"]) == ("partial", 85, 7)
    problems = {(e["row"], e["field"]) for e in report["errors"]}
    assert problems == {
        (4, "status"),
        (5, "value"),
        (6, "start"),
        (7, "value"),
        (8, "start"),
        (10, "start"),
        (11, "value"),
    }
    values, qualities = stored_day(ELECTRICITY, DAY)
    assert qualities[3] == Quality.MISSING and qualities[0] == Quality.VALIDATED
    assert values[9] == 9  # the first of the two rows for that slot wins; the second is reported
    assert qualities[8] == Quality.MISSING  # row 9 moved to slot 9: slot 8 got nothing


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (batch(ean(99), day_readings(DAY)), "not a registered access point"),
        (batch(AMR_INJECTION, day_readings(DAY)), "carries no offtake"),
        (
            batch(GAS, day_readings(DAY), channel="injection", resolution="hour"),
            "carries no injection",
        ),
        (batch(GAS, day_readings(DAY)), "not quarter_hour"),
        (batch(ELECTRICITY, day_readings(DAY), unit="m3"), "electricity comes in kWh"),
        (batch(GAS, day_readings(DAY, 60), resolution="hour", unit="kWh"), "conversion_factor"),
        (batch("5414", day_readings(DAY)), "invalid EAN"),
        ({"ean": ELECTRICITY, "readings": []}, "not a readings batch"),
    ],
)
def test_a_batch_that_cannot_be_stored_is_422_with_its_reason(
    http: Http, world: World, body: object, reason: str
) -> None:
    answer = http.post(
        "/v1/ops/readings",
        token=world.operator,
        body=orjson.dumps(body),
        headers={"Content-Type": "application/json"},
    )
    assert answer.status == 422
    assert answer.code == "validation_error"
    assert reason in answer.json["detail"]
    assert answer.json["report_id"]


def test_malformed_json_is_reported_not_500(http: Http, world: World) -> None:
    answer = http.post(
        "/v1/ops/readings",
        token=world.operator,
        body=b"{nope",
        headers={"Content-Type": "application/json"},
    )
    assert (answer.status, answer.code) == (422, "validation_error")
    assert "not valid JSON" in answer.json["detail"]


def test_only_operators_ingest(http: Http, world: World) -> None:
    answer = http.post(
        "/v1/ops/readings",
        token=http.token("karel"),
        body=orjson.dumps(batch(ELECTRICITY, day_readings(DAY))),
        headers={"Content-Type": "application/json"},
    )
    assert answer.code == "forbidden"
    assert store.days_between(ELECTRICITY, "offtake", DAY, DAY) == {}


def test_the_same_data_again_changes_nothing(http: Http, world: World) -> None:
    body = batch(ELECTRICITY, days_readings(date(2025, 1, 1), date(2025, 1, 4)))
    post(http, world, body)
    first = store.days_between(ELECTRICITY, "offtake", date(2025, 1, 1), date(2025, 1, 3))
    _, again = post(http, world, body)
    assert again["batches"][0]["days_written"] == 0 and again["batches"][0]["months_written"] == 0
    second = store.days_between(ELECTRICITY, "offtake", date(2025, 1, 1), date(2025, 1, 3))
    assert {d: (s.values, s.qualities, s.updated_at) for d, s in first.items()} == {
        d: (s.values, s.qualities, s.updated_at) for d, s in second.items()
    }


def test_newer_values_replace_older_but_never_downgrade(http: Http, world: World) -> None:
    post(http, world, batch(ELECTRICITY, day_readings(DAY, value=1.0, status="estimated")))
    validated = day_readings(DAY, value=2.0)[:10]
    post(http, world, batch(ELECTRICITY, validated))
    values, qualities = stored_day(ELECTRICITY, DAY)
    assert values[:10] == [2000] * 10 and set(qualities[:10]) == {Quality.VALIDATED}
    assert values[10] == 1000 and qualities[10] == Quality.ESTIMATED
    post(http, world, batch(ELECTRICITY, day_readings(DAY, value=3.0, status="estimated")))
    values, _ = stored_day(ELECTRICITY, DAY)
    assert values[:10] == [2000] * 10 and values[10] == 3000  # estimates replace estimates only
    post(
        http,
        world,
        batch(
            ELECTRICITY,
            [{"start": r["start"], "value": None, "status": "missing"} for r in day_readings(DAY)],
        ),
    )
    assert stored_day(ELECTRICITY, DAY)[0][:11] == [2000] * 10 + [3000]  # missing erases nothing


def test_gas_in_kwh_is_kept_in_m3_with_its_factor(http: Http, world: World) -> None:
    gas_day = DAY - timedelta(days=1)  # Saturday 06:00 to Sunday 06:00, over the clock change
    rows = day_readings(gas_day, 60, value=11.0)
    assert rows[0]["start"] == "2025-03-29T06:00:00+01:00"
    status, _ = post(
        http, world, batch(GAS, rows, resolution="hour", unit="kWh", conversion_factor=11.0)
    )
    assert status == 200
    values, _ = stored_day(GAS, gas_day)
    assert len(values) == 23 and set(values) == {1000}  # 1 m³ an hour
    assert store.months_between(GAS, "offtake", MARCH, MARCH)[MARCH].gas_factor == 11.0


def _drop(key: str, body: bytes) -> dict[str, Any]:
    bucket = settings().ingest_bucket
    put = s3().put_object(Bucket=bucket, Key=key, Body=body)
    return {
        "source": "aws.s3",
        "detail-type": "Object Created",
        "time": "2025-04-01T06:00:00Z",
        "detail": {
            "bucket": {"name": bucket},
            "object": {"key": key, "etag": put["ETag"].strip('"')},
        },
    }


def test_a_file_in_the_ingest_bucket_goes_through_the_same_parser(http: Http, world: World) -> None:
    rows = day_readings(DAY)
    rows[0]["status"] = "bogus"
    event = _drop("drops/2025-03-30.json", orjson.dumps([batch(ELECTRICITY, rows)]))
    result = ingest_function.handler(event, None)
    assert (result["status"], result["accepted"], result["rejected"]) == ("partial", 91, 1)
    report = http.get(f"/v1/ops/ingest-reports/{result['report_id']}", token=world.operator).json
    assert report["source"] == f"s3://{settings().ingest_bucket}/drops/2025-03-30.json"
    assert report["errors"] == [
        {"row": 1, "field": "status", "message": "status must be validated, estimated or missing"}
    ]
    # The same delivery again: the same report, nothing more written.
    again = ingest_function.handler(event, None)
    assert again["report_id"] == result["report_id"]
    day_list = http.get("/v1/ops/ingest-reports?day=2025-04-01", token=world.operator).json["items"]
    assert [r["report_id"] for r in day_list] == [result["report_id"]]


def test_an_unreadable_file_is_reported(http: Http, world: World) -> None:
    result = ingest_function.handler(_drop("drops/garbage.bin", b"\x00\x01 not readings"), None)
    assert result["status"] == "failed"
    report = http.get(f"/v1/ops/ingest-reports/{result['report_id']}", token=world.operator).json
    assert "history download header" in report["file_error"]


@pytest.mark.parametrize("start", ["0001-01-01T00:00:00+00:00", "9999-12-31T23:45:00+00:00"])
def test_a_file_with_rows_at_the_calendars_ends_gets_a_report(
    http: Http, world: World, start: str
) -> None:
    """Such rows once raised inside the parser: no report, and the event retried for ever."""
    rows = [{"start": start, "value": 1.0, "status": "validated"}]
    event = _drop("drops/ends.json", orjson.dumps([batch(ELECTRICITY, rows)]))
    result = ingest_function.handler(event, None)
    assert (result["status"], result["rejected"]) == ("failed", 1)
    report = http.get(f"/v1/ops/ingest-reports/{result['report_id']}", token=world.operator).json
    assert report["errors"] == [
        {"row": 1, "field": "start", "message": "start lies outside the supported years 2000-2100"}
    ]


def test_overlapping_ingests_at_once_lose_nothing(world: World) -> None:
    """Two files for the same day, each with half of the slots, ingested at the same moment."""
    rows = day_readings(DAY)
    halves = [rows[0::2], rows[1::2]]
    start = threading.Barrier(2)
    reports = []

    def one(half: list[dict[str, object]], index: int) -> None:
        start.wait()
        reports.append(
            ingest.ingest(
                orjson.dumps(batch(ELECTRICITY, half)), "test", f"r{index}", datetime.now(UTC)
            )
        )

    threads = [threading.Thread(target=one, args=(half, i)) for i, half in enumerate(halves)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.accepted for r in reports) == [46, 46]
    values, qualities = stored_day(ELECTRICITY, DAY)
    assert values == list(range(1, 93)) and set(qualities) == {Quality.VALIDATED}
    month = store.months_between(ELECTRICITY, "offtake", MARCH, MARCH)[MARCH]
    assert month.day_value(DAY) == (sum(range(1, 93)), Quality.VALIDATED, True)


def test_a_posted_batch_is_parsed_by_the_ingest_function_and_leaves_nothing_staged(
    http: Http, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The API carries no numpy: it stages the body and waits for the ingest function."""
    handed: list[dict[str, object]] = []
    handler = ingest_function.handler

    def handing(event: dict[str, object], context: object) -> object:
        handed.append(event)
        return handler(event, context)

    monkeypatch.setattr(ingest_function, "handler", handing)
    status, report = post(http, world, batch(ELECTRICITY, day_readings(DAY)))
    assert (status, report["accepted"]) == (200, 92)
    (event,) = handed
    upload = event["upload"]
    assert isinstance(upload, dict) and upload["report_id"] == report["report_id"]
    listed = s3().list_objects_v2(Bucket=settings().exports_bucket, Prefix="ingest-uploads/")
    assert listed.get("KeyCount") == 0


def test_a_throttled_ingest_is_a_503_and_the_retry_stores_the_batch(
    http: Http, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from botocore.exceptions import ClientError

    def throttled(*args: object, **kwargs: object) -> None:
        error = {
            "Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow down"}
        }
        raise ClientError(error, "TransactWriteItems")

    body = orjson.dumps(batch(ELECTRICITY, day_readings(DAY)))
    headers = {"Content-Type": "application/json"}
    with monkeypatch.context() as patched:
        patched.setattr(store, "write_month", throttled)
        answer = http.post("/v1/ops/readings", token=world.operator, body=body, headers=headers)
    assert (answer.status, answer.json["code"]) == (503, "service_unavailable")
    assert answer.headers["retry-after"] == "2"
    status, report = post(http, world, batch(ELECTRICITY, day_readings(DAY)))
    assert (status, report["accepted"]) == (200, 92)
    assert stored_day(ELECTRICITY, DAY)[0] == list(range(1, 93))


def test_a_file_of_many_batches_lists_500_and_counts_the_rest_exactly(
    http: Http, world: World
) -> None:
    """A report is one DynamoDB item: it lists the first 500 batches and counts the others, and its
    totals stay exact. Here 520 batches of EANs nobody registered, and one good one at the end."""
    unknown = [batch(ean(1000 + n), day_readings(DAY)) for n in range(520)]
    body = orjson.dumps([*unknown, batch(ELECTRICITY, day_readings(DAY))])
    result = ingest_function.handler(_drop("drops/many.json", body), None)
    assert (result["status"], result["accepted"], result["rejected"]) == ("partial", 92, 520 * 92)
    path = f"/v1/ops/ingest-reports/{result['report_id']}"
    report = http.get(path, token=world.operator).json
    assert len(report["batches"]) == 500 and report["batches_not_listed"] == 21
    assert report["rows"] == 521 * 92
    assert "is not a registered access point" in report["batches"][0]["error"]
    assert store.days_between(ELECTRICITY, "offtake", DAY, DAY)  # the last batch was stored


def test_a_file_larger_than_ingest_reads_is_refused_with_a_report(
    http: Http, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib.domain import ingest as ingest_rules

    monkeypatch.setattr(ingest_function, "MAX_FILE_BYTES", 1000)  # the real limit is 50 MB
    body = orjson.dumps([batch(ELECTRICITY, day_readings(DAY))])
    assert len(body) > 1000
    result = ingest_function.handler(_drop("drops/huge.json", body), None)
    assert (result["status"], result["accepted"]) == ("failed", 0)
    report = http.get(f"/v1/ops/ingest-reports/{result['report_id']}", token=world.operator).json
    assert report["file_error"] == ingest_rules.TOO_LARGE
    assert not store.days_between(ELECTRICITY, "offtake", DAY, DAY)
