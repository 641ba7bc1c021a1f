"""What the operators' console reads: the signed contract of an application, an access point's
grid users with the scenarios reported on it and the mandates each cut short, and the job runs."""

from __future__ import annotations

import pytest

from tests.support.http import Http
from tests.support.world import World, a_pdf, customer_with_meter, ean, grant, register_access_point

EDV = "0123456749"


@pytest.fixture
def world(http: Http) -> World:
    return World(http)


def test_the_operator_opens_the_signed_contract_as_uploaded(http: Http, world: World) -> None:
    edv = world.signed(EDV, "Zonnig")
    answer = http.get(f"/v1/ops/edv-applications/{EDV}/signed-contract", token=world.operator)
    assert answer.status == 200
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.body == a_pdf()
    assert "-ondertekend.pdf" in answer.headers["content-disposition"]
    mine = http.get(f"/v1/ops/edv-applications/{EDV}/signed-contract", token=edv.admin)
    assert mine.status == 403  # the applicant has its own copy; this route is the operator's
    world.organisation("0987654394", "Nog niet")
    missing = http.get("/v1/ops/edv-applications/0987654394/signed-contract", token=world.operator)
    assert missing.code == "not_found"


def test_an_access_point_shows_its_grid_users_events_and_what_they_cut_short(
    http: Http, world: World
) -> None:
    world.active(EDV, "Zonnig")
    karel = customer_with_meter(world, "karel", ean(1), since="2021-05-01")
    mandate = grant(world, karel, EDV, ean(1), period_start="2024-01-01", period_end="2027-01-01")
    register_access_point(
        world, ean(1), grid_user={"sub": "anna"}, since="2025-03-30", scenario="move_in"
    )
    answer = http.get(f"/v1/ops/access-points/{ean(1)}", token=world.operator)
    assert answer.status == 200, answer.body
    found = answer.json
    assert [(t["grid_user"]["id"], t["since"]) for t in found["access_point"]["tenures"]] == [
        ("karel", "2021-05-01"),
        ("anna", "2025-03-30"),
    ]
    [event] = found["market_events"]
    assert (event["scenario"], event["effective_date"], event["status"]) == (
        "move_in",
        "2025-03-30",
        "applied",
    )
    assert event["truncated"] == [mandate["id"]]
    [on_point] = found["mandates"]
    assert (on_point["edv"], on_point["period_end"]) == (EDV, "2025-03-30")
    assert http.get(f"/v1/ops/access-points/{ean(2)}", token=world.operator).code == "not_found"
    assert http.get(f"/v1/ops/access-points/{ean(1)}", token=karel.token).status == 403


def test_every_job_run_is_listed_newest_first_with_what_it_did(http: Http, world: World) -> None:
    for job in ("mandate-expiry", "market-scenarios", "mandate-expiry"):
        assert http.post(f"/v1/ops/jobs/{job}/run", token=world.operator).status == 200
    runs = http.get("/v1/ops/job-runs", token=world.operator).json["items"]
    assert [r["job"] for r in runs] == ["mandate-expiry", "market-scenarios", "mandate-expiry"]
    assert runs[0]["outcome"] == "ok" and runs[0]["counts"] == {
        "expired": 0,
        "expiring_announced": 0,
    }
    assert runs[1]["counts"] == {"events_applied": 0, "mandates_truncated": 0}
    one = http.get("/v1/ops/job-runs?job=market-scenarios", token=world.operator).json["items"]
    assert [r["job"] for r in one] == ["market-scenarios"]
    assert http.get("/v1/ops/job-runs?job=nope", token=world.operator).code == "not_found"
