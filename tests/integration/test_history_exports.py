"""History exports: the history of an EDV's mandates in one job, read back with pyarrow (and as
pyarrow reads it, with polars and DuckDB) and equal to the volumes endpoint for the same ranges,
logged per EAN, the same request while it runs the same job, and a job interrupted halfway that
continues and writes the same files."""

from __future__ import annotations

import csv
import gzip
import io
import json
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import polars
import pyarrow.parquet as pq
import pytest

from chalicelib import invoke
from chalicelib.aws import s3
from chalicelib.config import settings
from chalicelib.domain import exports as rules
from chalicelib.domain.brussels import brussels_date
from chalicelib.domain.exports import MAX_RUNNING_PER_EDV, ExportRequest
from chalicelib.services import export_job
from chalicelib.store import exports as exports_store
from chalicelib.store.base import ContendedError
from chalicelib.store.exports import ExportJobItem
from tests.support.http import Http
from tests.support.machine import secret_client
from tests.support.readings import batch, days_readings
from tests.support.world import World, customer, customer_with_meter, ean, grant, ingest

EDV, OTHER = "0123456749", "0765432146"
KAREL, GREET, BERT, OTHER_EAN = ean(1), ean(2), ean(3), ean(4)
SPRING = date(2025, 3, 30)  # 92 quarter-hours
FROM, TO = date(2025, 3, 28), date(2025, 4, 1)


@pytest.fixture
def world(http: Http) -> World:
    world = World(http)
    world.edv = world.active(EDV, "Zonnig")
    world.other = world.active(OTHER, "Warmte Coach")
    karel = customer_with_meter(world, "karel", KAREL)
    greet = customer_with_meter(world, "greet", GREET, energy="gas", direction="offtake")
    bert = customer_with_meter(world, "bert", BERT)
    grant(world, karel, EDV, KAREL)
    grant(world, greet, EDV, GREET, granularity="hour")
    grant(world, bert, EDV, BERT, granularity="day")
    readings = days_readings(FROM, TO)
    ingest(world, [batch(KAREL, readings), batch(KAREL, readings, channel="injection")])
    ingest(
        world, [batch(GREET, days_readings(FROM, TO, 60, day_hour=6), resolution="hour", unit="m3")]
    )
    ingest(world, [batch(BERT, readings)])
    return world


def ask(http: Http, world: World, **body: Any) -> Any:
    return http.post(
        f"/v1/organisations/{EDV}/exports",
        token=world.edv.admin,
        json_body={"from": FROM.isoformat(), "to": TO.isoformat(), **body},
    )


def stored(job_id: str, name: str) -> bytes:
    job = exports_store.get(job_id)
    assert job is not None
    key = str(job.files[name]["key"])
    return bytes(s3().get_object(Bucket=settings().exports_bucket, Key=key)["Body"].read())


def volumes(http: Http, world: World, ean_code: str, resolution: str, unit: str) -> list[Any]:
    answer = http.get(
        f"/v1/organisations/{EDV}/access-points/{ean_code}/volumes?from={FROM}&to={TO}"
        f"&resolution={resolution}&unit={unit}",
        token=world.edv.admin,
    )
    assert answer.status == 200, answer.body
    return [
        (channel, datetime.fromisoformat(p["start"]), p.get("value"), p["status"])
        for channel, points in answer.json["channels"].items()
        for p in points
    ]


def test_every_mandate_in_one_parquet_file_equal_to_the_volumes_endpoint(
    http: Http, world: World
) -> None:
    answer = ask(http, world)
    assert answer.status == 202, answer.body
    job = answer.json
    assert job["limits"] == {"jobs_at_once": MAX_RUNNING_PER_EDV, "eans_per_job": 5000}
    status = http.get(
        f"/v1/organisations/{EDV}/exports/{job['id']}",
        token=world.edv.admin,
    ).json
    assert (status["status"], status["eans"], status["done"]) == ("ready", 3, 3)
    assert set(status["files"]) == {
        "history.parquet",
        "history-electricity.csv.gz",
        "history-gas.csv.gz",
        "manifest.json",
    }
    table = pq.read_table(io.BytesIO(stored(job["id"], "history.parquet")))
    # What readers rely on, written out: a change here breaks their code, so it must break this.
    assert [(field.name, str(field.type)) for field in table.schema] == [
        ("ean", "string"),
        ("channel", "string"),
        ("start", "timestamp[ms, tz=UTC]"),
        ("end", "timestamp[ms, tz=UTC]"),
        ("value", "double"),
        ("value_kwh", "double"),
        ("unit", "string"),
        ("status", "string"),
    ]
    rows = table.to_pylist()
    for ean_code, resolution, unit in (
        (KAREL, "quarter_hour", "kWh"),
        (GREET, "hour", "m3"),
        (BERT, "day", "kWh"),
    ):
        exported = [
            (r["channel"], r["start"], r["value"], r["status"])
            for r in rows
            if r["ean"] == ean_code
        ]
        assert exported == volumes(http, world, ean_code, resolution, unit), ean_code
    spring = [r for r in rows if r["ean"] == KAREL and r["channel"] == "offtake"]
    assert sum(1 for r in spring if r["start"].date() in (date(2025, 3, 29), SPRING)) >= 92
    manifest = json.loads(stored(job["id"], "manifest.json"))
    assert [entry["ean"] for entry in manifest["eans"]] == sorted([KAREL, GREET, BERT])
    assert sum(entry["rows"] for entry in manifest["eans"]) == len(rows) == manifest["rows"]
    for name, listed in manifest["files"].items():
        import hashlib

        assert hashlib.sha256(stored(job["id"], name)).hexdigest() == listed["sha256"]
    text = gzip.decompress(stored(job["id"], "history-electricity.csv.gz")).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert lines[0][0] == "Van (datum)" and sum(1 for line in lines if line[0] == lines[0][0]) == 1
    # Every read is in each customer's access log, as an export.
    log = http.get("/v1/me/access-log", token=customer(world, "karel").token).json["items"]
    assert any(entry.get("face") == "export" for entry in log)
    # Grouped into sessions, as the customer reads them and downloads them, it says so too.
    sessions = http.get("/v1/me/access-log/sessions", token=customer(world, "karel").token).json[
        "items"
    ]
    assert "export" in {session["face"] for session in sessions}
    download = http.get(
        "/v1/me/access-log/sessions?format=csv&lang=en",
        token=customer(world, "karel").token,
    )
    assert ";history export;" in download.body.decode("utf-8-sig")


def test_polars_and_duckdb_read_the_files_as_pyarrow_does(
    http: Http, world: World, tmp_path: Path
) -> None:
    """What an EDV's data team reads them with: polars and DuckDB, on the Parquet file and on the
    gzip CSV (a gzip member per EAN and chunk, which every reader must join)."""
    job = ask(http, world).json["id"]
    parquet = tmp_path / "history.parquet"
    parquet.write_bytes(stored(job, "history.parquet"))
    expected = pq.read_table(parquet).to_pylist()
    assert len(expected) > 500
    assert polars.read_parquet(parquet).to_dicts() == expected
    relation = duckdb.read_parquet(str(parquet))
    assert [
        dict(zip(relation.columns, row, strict=True)) for row in relation.fetchall()
    ] == expected
    assert relation.types[relation.columns.index("start")] == "TIMESTAMP WITH TIME ZONE"

    electricity = tmp_path / "history-electricity.csv.gz"
    electricity.write_bytes(stored(job, "history-electricity.csv.gz"))
    text = gzip.decompress(electricity.read_bytes()).decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert len(rows) > 500

    def as_text(found: list[tuple[Any, ...]]) -> list[list[str]]:
        return [["" if value is None else value for value in row] for row in found]  # empty: null

    read = polars.read_csv(electricity, separator=";", infer_schema=False)
    assert read.columns == header and as_text(read.rows()) == rows
    found = duckdb.read_csv(str(electricity), sep=";", header=True, all_varchar=True)
    assert found.columns == header and as_text(found.fetchall()) == rows


def test_the_same_request_while_it_runs_is_the_same_job_and_the_limit_is_published(
    http: Http, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(invoke, "start", lambda function, event: None)  # stays queued
    first = ask(http, world).json
    again = ask(http, world).json
    assert again["id"] == first["id"] and again["status"] == "queued"
    second = ask(http, world, eans=[KAREL]).json
    assert second["id"] != first["id"]
    third = ask(http, world, eans=[GREET])
    assert (third.status, third.json["code"]) == (429, "too_many_exports")
    assert third.json["limits"]["jobs_at_once"] == MAX_RUNNING_PER_EDV
    assert third.headers["retry-after"] == "30"


def test_a_job_interrupted_halfway_continues_and_writes_the_same_files(
    http: Http, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    clean = ask(http, world).json
    parquet, csv_gz = (
        stored(clean["id"], "history.parquet"),
        stored(clean["id"], "history-electricity.csv.gz"),
    )
    reads = {"n": 0}
    original = export_job._read

    def dies_on_the_second_ean(job: Any, ean_code: str, now: datetime) -> Any:
        reads["n"] += 1
        if reads["n"] == 2:
            raise TimeoutError("the function ran out of time")
        return original(job, ean_code, now)

    monkeypatch.setattr(export_job, "_read", dies_on_the_second_ean)
    interrupted = ask(http, world).json  # the same request, finished: a new run of it
    assert (interrupted["id"], interrupted["run"]) == (clean["id"], 2)
    job = exports_store.get(clean["id"])
    assert job is not None and (job.status.value, job.done) == ("running", 1)
    resumed = export_job.run(clean["id"], datetime.now().astimezone())  # Lambda's retry
    assert resumed is not None and resumed.status.value == "ready"
    assert stored(clean["id"], "history.parquet") == parquet
    assert stored(clean["id"], "history-electricity.csv.gz") == csv_gz


def test_only_the_edvs_own_members_and_client_see_its_exports(http: Http, world: World) -> None:
    job = ask(http, world).json
    other_admin = world.other.admin
    assert http.get(f"/v1/organisations/{EDV}/exports/{job['id']}", token=other_admin).status == 403
    assert (
        http.get(f"/v1/organisations/{OTHER}/exports/{job['id']}", token=other_admin).status == 404
    )
    mine = secret_client(http, world.edv)
    seen = mine.get(f"/extensions/exports/{job['id']}")
    assert seen.status == 200 and seen.json["data"]["status"] == "ready"
    theirs = secret_client(http, world.other)
    assert theirs.get(f"/extensions/exports/{job['id']}").status == 404


def test_the_history_lists_every_export_newest_first_with_files_while_they_are_kept(
    http: Http, world: World
) -> None:
    everything = ask(http, world).json
    karel = ask(http, world, eans=[KAREL], resolution="day", channels=["offtake"]).json
    path = f"/v1/organisations/{EDV}/exports"
    listed = http.get(f"{path}?limit=1", token=world.edv.member)
    assert listed.status == 200
    (newest,) = listed.json["items"]
    assert newest["id"] == karel["id"]
    assert (newest["resolution"], newest["channels"], newest["from"]) == (
        "day",
        ["offtake"],
        FROM.isoformat(),
    )
    assert newest["status"] == "ready" and "history.parquet" in newest["files"]
    following = http.get(
        f"{path}?limit=1&cursor={listed.json['next_cursor']}", token=world.edv.member
    ).json
    assert [job["id"] for job in following["items"]] == [everything["id"]]
    assert following["next_cursor"] is None
    assert http.get(path, token=world.other.admin).status == 403  # another EDV's staff
    # A day after it finished the bucket has let its files go: the history says so, no dead links.
    finished = datetime.fromisoformat(newest["finished_at"])
    assert datetime.fromisoformat(newest["files_until"]) == finished + rules.FILES_KEPT
    item = ExportJobItem.get(karel["id"])
    item.update(actions=[ExportJobItem.finished_at.set(finished - timedelta(days=2))])
    gone = http.get(path, token=world.edv.member).json["items"][0]
    assert gone["files"] == {} and gone["status"] == "ready"


def test_the_machine_api_exports_through_its_extension(http: Http, world: World) -> None:
    client = secret_client(http, world.edv)
    answer = client.post(
        "/extensions/exports", {"eans": [KAREL], "from": FROM.isoformat(), "to": TO.isoformat()}
    )
    assert answer.status == 200, answer.body
    data = answer.json["data"]
    assert (data["status"], data["eans"]) == ("ready", 1)
    rows = pq.read_table(io.BytesIO(stored(data["exportId"], "history.parquet"))).num_rows
    assert rows == 2 * (4 * 96 - 4)  # two channels, four days with the spring clock change


def test_a_run_near_its_time_limit_hands_over_to_the_next_run(
    http: Http, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[dict[str, Any]] = []
    monkeypatch.setattr(invoke, "start", lambda function, event: started.append(event))
    job = ask(http, world).json  # queued: its start was only recorded
    assert started == [{"job": job["id"]}]
    past = time.monotonic() - 1  # its time is up at once: it hands over before the first EAN
    handed = export_job.run(job["id"], datetime.now().astimezone(), stop_by=past)
    assert handed is not None and (handed.status.value, handed.done) == ("running", 0)
    assert started == [{"job": job["id"]}] * 2
    finished = export_job.run(job["id"], datetime.now().astimezone())  # the next run
    assert finished is not None and finished.status.value == "ready" and finished.done == 3


def test_usage_counts_each_exported_ean_once_at_the_tariffs_rate(
    http: Http, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    tariff = {
        "valid_from": "2020-01-01",
        "valid_to": None,
        "per_ean_day": {"day": "0", "hour": "0", "quarter_hour": "0"},
        "per_exported_ean": "0.0150",
        "decision": "VREG-2025-07",
    }
    table = {"based_on_revision": 0, "entries": [tariff]}
    assert http.put("/v1/ops/tariffs", token=world.operator, json_body=table).status == 200
    started: list[dict[str, Any]] = []
    monkeypatch.setattr(invoke, "start", lambda function, event: started.append(event))
    job = ask(http, world, eans=[KAREL, GREET, OTHER_EAN]).json  # one EAN it holds no mandate on
    now = datetime.now().astimezone()
    assert export_job.run(job["id"], now) is not None
    export_job.run(job["id"], now)  # a retried function finds the job done: nothing more counts
    month = brussels_date(now).isoformat()[:7]
    admin = world.edv.admin
    usage = http.get(f"/v1/organisations/{EDV}/usage?month={month}", token=admin).json
    assert usage["exported_eans"] == 2  # served, not skipped
    line = next(line for line in usage["lines"] if line["kind"] == "exported_eans")
    assert (line["quantity"], line["rate"], line["amount"]) == (2, "0.0150", "0.03")
    other_admin = world.other.admin
    other = http.get(f"/v1/organisations/{OTHER}/usage?month={month}", token=other_admin)
    assert other.json["exported_eans"] == 0
    sheet = http.get(f"/v1/ops/usage?month={month}&format=csv", token=world.operator).body.decode()
    assert "geëxporteerde EAN's;;" in sheet


def test_an_ean_without_the_channels_asked_for_is_skipped_with_the_reason(
    http: Http, world: World
) -> None:
    job = ask(http, world, eans=[KAREL, GREET], channels=["injection"]).json
    table = pq.read_table(io.BytesIO(stored(job["id"], "history.parquet")))
    assert set(table.column("channel").to_pylist()) == {"injection"}
    assert set(table.column("ean").to_pylist()) == {KAREL}
    manifest = json.loads(stored(job["id"], "manifest.json"))
    greet = next(entry for entry in manifest["eans"] if entry["ean"] == GREET)
    assert (greet["skipped"], greet["rows"]) == ("channel_not_measured", 0)
    assert "history-gas.csv.gz" not in manifest["files"]
    log = http.get("/v1/me/access-log", token=customer(world, "greet").token).json
    assert not [entry for entry in log["items"] if entry.get("face") == "export"]
    karel = http.get("/v1/me/access-log", token=customer(world, "karel").token).json
    assert [entry for entry in karel["items"] if entry.get("face") == "export"]


def test_a_run_keeps_its_plan_apart_so_each_save_stays_small(aws: None) -> None:
    """The job is saved after every EAN and DynamoDB charges a write by the item's size: with
    the plan in the job, a 5,000-EAN export wrote ~100 kB per EAN (~500,000 write units). The
    plan is written once per run; a save is about a kilobyte; a new run brings its own plan."""
    now = datetime.now().astimezone()
    plan = [ean(serial) for serial in range(5000)]
    request = ExportRequest(EDV, tuple(plan), None, ("offtake",), None, None)  # all named
    job = exports_store.save_run(rules.new_job(request, plan, "admin", now), plan)
    job = exports_store.save(rules.advanced(rules.started(job, now), plan, plan[0], now))
    saved = ExportJobItem.get(job.id, consistent_read=True).serialize()
    assert len(json.dumps(saved)) < 2_000
    assert (job.eans, job.done, exports_store.plan_of(job)) == (5000, 1, tuple(plan))

    finished = exports_store.save(rules.finished(job, {}, now))
    again_asked = rules.again(finished, request, plan[:2], "admin", now)
    again = exports_store.save_run(again_asked, plan[:2])
    assert again.id == job.id  # the same request, a new run
    assert (again.run, exports_store.plan_of(again)) == (2, tuple(plan[:2]))
    with pytest.raises(ContendedError):  # a function still on run 1 stops: run 2 has its plan
        exports_store.plan_of(job)
