"""The service's own metrics, as CloudWatch will read them: embedded metric format (EMF) lines on
stdout, in the namespace and with the dimensions the alarms and the dashboard use
(infrastructure/stack.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.services import market
from functions import jobs
from tests.support.http import Http
from tests.support.readings import batch, day_readings
from tests.support.world import World, customer_with_meter, ean, grant

EDV = "0123456749"
AUTUMN = "2025-10-26"  # 100 quarter-hours


def emitted(output: str) -> list[tuple[str, float, dict[str, str]]]:
    """(metric, value, dimensions) of every EMF line printed."""
    found = []
    for line in output.splitlines():
        if not line.startswith('{"_aws"'):
            continue
        document: dict[str, Any] = json.loads(line)
        (directive,) = document["_aws"]["CloudWatchMetrics"]
        assert directive["Namespace"] == "EdvPlatform"
        (dimension_set,) = directive["Dimensions"]
        dimensions = {name: document[name] for name in dimension_set}
        for metric in directive["Metrics"]:
            (value,) = document[metric["Name"]]
            found.append((metric["Name"], value, dimensions))
    return found


SERVICE = {"service": "edv-platform"}


def test_mandates_reads_and_ingest_are_counted(
    http: Http, capsys: pytest.CaptureFixture[str]
) -> None:
    world = World(http)
    edv = world.active(EDV, "Zonnig")
    karel = customer_with_meter(world, "karel", ean(1))
    capsys.readouterr()
    mandate = grant(world, karel, EDV, ean(1), period_start="2025-01-01", period_end="2026-01-01")
    assert ("MandatesGranted", 1.0, SERVICE) in emitted(capsys.readouterr().out)

    rows = day_readings(datetime.fromisoformat(AUTUMN).date())
    rows[0]["status"] = "bogus"
    ingest_answer = http.post(
        "/v1/ops/readings",
        token=world.operator,
        json_body=[batch(ean(1), rows)],
    )
    assert ingest_answer.status == 200
    counted = emitted(capsys.readouterr().out)
    assert ("IngestRowsAccepted", 99.0, SERVICE) in counted
    assert ("IngestRowsRejected", 1.0, SERVICE) in counted

    answer = http.get(
        f"/v1/organisations/{EDV}/access-points/{ean(1)}/volumes"
        f"?from={AUTUMN}&to=2025-10-27&resolution=quarter_hour",
        token=edv.member,
    )
    assert answer.status == 200
    assert ("ReadsServed", 1.0, {**SERVICE, "face": "portal"}) in emitted(capsys.readouterr().out)

    http.post(f"/v1/me/mandates/{mandate['id']}/end", token=karel.token)
    assert ("MandatesEnded", 1.0, SERVICE) in emitted(capsys.readouterr().out)


def test_a_refused_read_counts_nothing(http: Http, capsys: pytest.CaptureFixture[str]) -> None:
    world = World(http)
    edv = world.active(EDV, "Zonnig")
    customer_with_meter(world, "karel", ean(1))  # no mandate
    capsys.readouterr()
    answer = http.get(
        f"/v1/organisations/{EDV}/access-points/{ean(1)}/volumes"
        f"?from={AUTUMN}&to=2025-10-27&resolution=day",
        token=edv.member,
    )
    assert answer.status in (403, 404)
    assert emitted(capsys.readouterr().out) == []


def test_job_runs_durations_and_failures(
    http: Http, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    tick = {"source": "aws.scheduler", "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}
    jobs.mandate_expiry(tick, None)
    counted = emitted(capsys.readouterr().out)
    job = {**SERVICE, "job": "mandate-expiry"}
    assert ("JobRuns", 1.0, job) in counted
    assert [d for name, _, d in counted if name == "JobDuration"] == [job]

    def broken(as_of: datetime) -> tuple[int, int]:
        raise ConnectionError("DynamoDB unreachable")

    monkeypatch.setattr(market, "apply_due", broken)
    with pytest.raises(ConnectionError):
        jobs.market_scenarios(tick, None)  # the failure goes on to Lambda: retries, then DLQ
    counted = emitted(capsys.readouterr().out)
    assert ("JobFailures", 1.0, {**SERVICE, "job": "market-scenarios"}) in counted
    assert not [name for name, _, _ in counted if name == "JobRuns"]
