"""Expiry (R7, R9): refused from valid_until on at read time; the job marks and reports it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from chalicelib.domain.vocabulary import Energy, Granularity, MandateStatus
from chalicelib.jobs import run
from chalicelib.services import entitlements, mandates
from chalicelib.store import mandates as store
from chalicelib.store.mandates import MandateItem, expiry_shard
from tests.support.counting import dynamodb_reads
from tests.support.http import Http
from tests.support.world import World, customer_with_meter, ean

EDV = "0123456749"
GRANTED = datetime(2022, 3, 1, 9, 0, tzinfo=UTC)  # valid until 2025-03-01 10:00 Brussels


@pytest.fixture
def world(http: Http) -> World:
    world = World(http)
    world.edv = world.active(EDV, "Zonnig")
    return world


def old_mandate(world: World, serial: int, sub: str = "karel") -> str:
    customer_with_meter(world, sub, ean(serial), since="2020-01-01")
    request = mandates.GrantRequest(
        EDV, ean(serial), Granularity.DAY, date(2021, 1, 1), date(2023, 1, 1)
    )
    return mandates.grant(sub, request, GRANTED).id


def test_an_expired_mandate_gives_no_access_before_the_job_runs(http: Http, world: World) -> None:
    mandate_id = old_mandate(world, 1)
    karel = http.token("karel")
    view = http.get(f"/v1/me/mandates/{mandate_id}", token=karel).json
    assert (view["status"], view["end_reason"]) == ("expired", "expired")
    assert view["ended_at"] == view["valid_until"] == "2025-03-01T10:00:00+01:00"
    stored = store.get(mandate_id)
    assert stored is not None and stored.status is MandateStatus.ACTIVE  # the job has not run
    with pytest.raises(Exception) as refused:
        entitlements.of(EDV, ean(1), datetime.now(UTC))
    assert getattr(refused.value, "code", None) == "no_mandate"
    edv = world.edv
    listed = http.get(f"/v1/organisations/{EDV}/access-points", token=edv.member).json["items"]
    assert [(i["ean"], i["status"], i["address"]) for i in listed] == [(ean(1), "expired", None)]
    assert (
        http.get(f"/v1/organisations/{EDV}/access-points?status=active", token=edv.member).json[
            "items"
        ]
        == []
    )
    assert (
        len(
            http.get(
                f"/v1/organisations/{EDV}/access-points?status=expired", token=edv.member
            ).json["items"]
        )
        == 1
    )


def test_the_job_marks_expired_and_emits_events_once(http: Http, world: World) -> None:
    expired = old_mandate(world, 1)
    customer_with_meter(world, "greet", ean(2))
    fresh = mandates.grant(
        "greet",
        mandates.GrantRequest(EDV, ean(2), Granularity.DAY, date(2024, 1, 1), date(2025, 1, 1)),
        datetime.now(UTC),
    ).id
    just_before = datetime(2025, 3, 1, 8, 59, 59, tzinfo=UTC)
    # A second before its end it is announced as expiring (once), then it expires.
    counts = {"expired": 0, "expiring_announced": 1}
    assert run("mandate-expiry", just_before).counts == counts
    at_end = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
    assert run("mandate-expiry", at_end).counts == {"expired": 1, "expiring_announced": 0}
    assert run("mandate-expiry", datetime.now(UTC)).counts == {
        "expired": 0,
        "expiring_announced": 0,
    }
    assert store.get(expired).status is MandateStatus.EXPIRED  # type: ignore[union-attr]
    assert store.get(fresh).status is MandateStatus.ACTIVE  # type: ignore[union-attr]
    edv = world.edv
    events = http.get(f"/v1/organisations/{EDV}/mandate-events", token=edv.member).json["items"]
    assert [(e["type"], e["mandate_id"]) for e in events] == [
        ("granted", expired),
        ("granted", fresh),
        ("expiring", expired),
        ("expired", expired),
        ("purge_due", expired),  # everything its period held
    ]
    assert events[-2]["details"] == {"end_reason": "expired"}
    duty = events[-1]["details"]
    assert (duty["reason"], duty["from"], duty["to"], duty["keep"]) == (
        "expired",
        "2021-01-01",
        "2023-01-01",
        None,
    )


def test_the_job_runs_over_http_with_as_of(http: Http, world: World) -> None:
    old_mandate(world, 1)
    answer = http.post(
        "/v1/ops/jobs/mandate-expiry/run",
        token=world.operator,
        json_body={"as_of": "2025-06-01T00:00:00+02:00"},
    )
    assert answer.status == 200
    assert answer.json["counts"] == {"expired": 1, "expiring_announced": 0}
    assert answer.json["as_of"] == "2025-06-01T00:00:00+02:00"
    assert http.post("/v1/ops/jobs/mandate-expiry/run", token=world.operator).json["counts"] == {
        "expired": 0,
        "expiring_announced": 0,
    }
    naive = http.post(
        "/v1/ops/jobs/mandate-expiry/run",
        token=world.operator,
        json_body={"as_of": "2025-06-01T00:00:00"},
    )
    assert naive.status == 422


def test_the_job_reads_what_is_due_not_all_mandates(world: World) -> None:
    """1,000 active mandates, 10 due: the job's reads grow with the 10 (bench/ does 10,000)."""
    now = datetime(2025, 6, 1, tzinfo=UTC)
    with MandateItem.batch_write() as batch:
        for index in range(1000):
            is_due = index % 100 == 0
            until = now - timedelta(hours=1) if is_due else now + timedelta(days=30 + index)
            mandate_id = f"m-{index:05d}"
            batch.save(
                MandateItem(
                    mandate_id,
                    ean=ean(index),
                    edv=EDV,
                    edv_ean=f"{EDV}#{ean(index)}",
                    edv_facet=store.facet(
                        EDV, MandateStatus.ACTIVE, Energy.ELECTRICITY, Granularity.DAY
                    ),
                    granularity="day",
                    period_start="2024-01-01",
                    period_end="2025-01-01",
                    granted_at=until - timedelta(days=3 * 365),
                    valid_until=until,
                    status="active",
                    granted_by="someone",
                    grid_user_key="person:someone",
                    energy="electricity",
                    expiry_shard=expiry_shard(mandate_id),
                    version=1,
                )
            )
    with dynamodb_reads() as reads:
        due = list(store.due_for_expiry(now))
    assert len(due) == 10
    assert reads["items"] == 10
    assert reads["requests"] == store.EXPIRY_SHARDS
