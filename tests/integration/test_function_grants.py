"""Each deployed function's role grants what its code touches, and no more is needed: run the
code under emulation, record every table and bucket operation, and hold it against
infrastructure/permissions.py (what the stack grants). An AccessDenied in AWS is found here."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import orjson
import pytest

from chalicelib import invoke
from chalicelib.aws import s3
from chalicelib.config import settings, table_name
from chalicelib.services import downloads
from chalicelib.services.ingest_reports import UPLOAD_PREFIX
from chalicelib.store import onboarding as onboarding_store
from functions import ingest as ingest_function
from functions import jobs
from infrastructure.permissions import (
    ADDING_OR_READING,
    API,
    APPEND_ONLY,
    DELETE,
    EXPORT,
    INGEST,
    JOBS,
    PUT,
    S3_OPERATIONS,
    Grants,
)
from tests.support.counting import resources_touched
from tests.support.http import Http
from tests.support.readings import batch, day_readings
from tests.support.world import World, customer_with_meter, ean, grant, ingest

EDV = "0123456749"


def bucket_names() -> dict[str, str]:
    config = settings()
    return {
        config.pages_bucket: "pages",
        config.contracts_bucket: "contracts",
        config.exports_bucket: "exports",
        config.ingest_bucket: "ingest",
    }


def assert_granted(touched: dict[str, set[str]], grants: Grants) -> None:
    tables = {name.removeprefix(table_name("")) for name in touched["tables"]}
    if grants.tables is not None:
        assert tables <= grants.tables, f"not granted: {tables - grants.tables}"
    for call in touched["table_operations"]:  # the records: added to and read, nothing else
        table, operation = call.split()
        if table.removeprefix(table_name("")) in APPEND_ONLY:
            assert operation in ADDING_OR_READING, f"not granted: {call}"
    names = bucket_names()
    for call in touched["buckets"]:
        bucket, operation = call.split()
        granted = grants.buckets.get(names[bucket], frozenset())
        assert S3_OPERATIONS[operation] in granted, f"not granted: {call}"
    for call in touched["objects"]:  # writes only under the bucket's prefix, where it has one
        bucket, operation, key = call.split(" ", 2)
        prefix = grants.write_prefixes.get(names[bucket], "")
        if S3_OPERATIONS[operation] in (PUT, DELETE):
            assert key.startswith(prefix), f"not granted: {call}"


@pytest.fixture
def world(http: Http) -> World:
    world = World(http)
    world.edv = world.active(EDV, "Zonnig")
    karel = customer_with_meter(world, "karel", ean(1), since="2023-05-01")
    grant(world, karel, EDV, ean(1), period_start="2023-06-01", period_end="2024-06-01")
    grant(world, karel, EDV, ean(1), granularity="day", period_start="2024-01-01")
    return world


def at(moment: datetime) -> dict[str, str]:
    return {"source": "aws.scheduler", "time": moment.strftime("%Y-%m-%dT%H:%M:%SZ")}


def test_the_jobs_need_only_their_grants(http: Http, world: World) -> None:
    now = datetime.now(UTC)
    move_out = {
        "ean": ean(1),
        "scenario": "move_out",
        "effective_date": (now + timedelta(days=2)).date().isoformat(),
    }
    assert (
        http.post("/v1/ops/market-events", token=world.operator, json_body=move_out).status == 201
    )
    onboarding_store.mark_pages_pending(EDV)
    runs: list[tuple[Callable[..., dict[str, int]], datetime, str]] = [
        (jobs.market_scenarios, now + timedelta(days=3), "mandates_truncated"),
        (jobs.mandate_expiry, now + timedelta(days=4 * 365), "expired"),
        (jobs.publish_pages, now, "published"),
    ]
    for handler, moment, count in runs:
        with resources_touched() as touched:
            result = handler(at(moment), None)
        assert result[count] >= 1  # the job did real work, so its calls are the real ones
        assert_granted(touched, JOBS)


def test_ingest_needs_only_its_grants(world: World) -> None:
    bucket = settings().ingest_bucket
    body = orjson.dumps([batch(ean(1), day_readings(date(2025, 10, 26)))])  # 100 quarter-hours
    put = s3().put_object(Bucket=bucket, Key="drops/day.json", Body=body)
    event = {
        "source": "aws.s3",
        "detail-type": "Object Created",
        "time": "2025-10-27T06:00:00Z",
        "detail": {
            "bucket": {"name": bucket},
            "object": {"key": "drops/day.json", "etag": put["ETag"].strip('"')},
        },
    }
    with resources_touched() as touched:
        assert ingest_function.handler(event, None)["accepted"] == 100
    assert_granted(touched, INGEST)
    assert any(call.endswith("GetObject") for call in touched["buckets"])


def test_ingest_of_a_batch_the_api_staged_needs_only_its_grants(world: World) -> None:
    body = orjson.dumps(batch(ean(1), day_readings(date(2025, 3, 30))))  # 92 quarter-hours
    key = f"{UPLOAD_PREFIX}report-1"
    s3().put_object(Bucket=settings().exports_bucket, Key=key, Body=body)
    upload = {"key": key, "report_id": "report-1", "received_at": "2025-03-31T06:00:00+00:00"}
    with resources_touched() as touched:
        assert ingest_function.handler({"upload": upload}, None)["status"] == "ok"
    assert_granted(touched, INGEST)
    operations = {call.split()[1] for call in touched["buckets"]}
    assert {"GetObject", "DeleteObject"} <= operations


def test_a_history_export_needs_only_its_grants(http: Http, world: World) -> None:
    from chalicelib.domain.exports import ExportRequest
    from chalicelib.services import export_job, exports

    request = ExportRequest(EDV, None, None, ("offtake", "injection"), None, None)
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(invoke, "start", lambda function, event: None)
        job = exports.request(request, "edv-admin", datetime.now(UTC))
    with resources_touched() as touched:
        finished = export_job.run(job.id, datetime.now(UTC))
    assert finished is not None and finished.status.value == "ready"
    assert_granted(touched, EXPORT)
    assert "access_log" in {name.removeprefix(table_name("")) for name in touched["tables"]}


def test_the_api_needs_only_its_bucket_grants(http: Http) -> None:
    with resources_touched() as touched:
        world = World(http)
        edv = world.active("0765432146", "Warmte Coach")  # contract upload, pages published
        http.post("/v1/organisations/0765432146/edv-application/terminate", token=edv.admin)
        downloads.stage(b"{}", "application/json", "volumes.json")  # a large export, staged
    operations = {call.split()[1] for call in touched["buckets"]}
    assert {"PutObject", "DeleteObject"} <= operations
    assert_granted(touched, API)


def test_the_api_only_adds_to_the_access_log_and_the_feed(http: Http, world: World) -> None:
    """Grants, reads, a customer ending a mandate: each adds a record, none changes one."""
    ingest(world, [batch(ean(1), day_readings(date(2025, 10, 26)))])  # the ingest function's
    with resources_touched() as touched:
        greet = customer_with_meter(world, "greet", ean(2))
        mandate = grant(world, greet, EDV, ean(2))["id"]
        read = http.get(
            f"/v1/organisations/{EDV}/access-points/{ean(1)}/volumes"
            "?from=2025-10-26&to=2025-10-27&resolution=day",
            token=world.edv.admin,
        )
        assert read.status == 200, read.body
        ended = http.post(f"/v1/me/mandates/{mandate}/end", token=greet.token)
        assert ended.status == 200, ended.body
    records = {call.split()[0].removeprefix(table_name("")) for call in touched["table_operations"]}
    assert records >= APPEND_ONLY  # both were written: the check below is not vacuous
    assert_granted(touched, API)
