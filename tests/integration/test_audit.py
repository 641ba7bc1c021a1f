"""The audit trail: every operator action that changes what others rely on, with who, when and
what, readable by operators, newest first; and jobs never run ahead of the clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.support.http import Http
from tests.support.world import World, customer_with_meter, ean

EDV = "0123456749"


def test_operators_actions_are_in_the_audit_trail(http: Http) -> None:
    world = World(http)
    edv = world.active(EDV, "Zonnig")  # approved by the operator
    world.signed("0987654394", "Andere")
    rejected = http.post(
        "/v1/ops/edv-applications/0987654394/reject",
        token=world.operator,
        json_body={"reason": "Onvolledig"},
    )
    assert rejected.status == 200, rejected.body
    customer_with_meter(world, "karel", ean(1))  # registered by the operator
    reported = http.post(
        "/v1/ops/market-events",
        token=world.operator,
        json_body={"ean": ean(1), "scenario": "supplier_switch", "effective_date": "2025-06-01"},
    )
    assert reported.status == 201, reported.body
    assert http.post("/v1/ops/jobs/mandate-expiry/run", token=world.operator).status == 200
    # An active EDV's new return URL roots change where customers are sent: in the trail too.
    roots = http.put(
        f"/v1/organisations/{EDV}/edv-application/return-url-roots",
        token=edv.admin,
        json_body={"roots": ["https://zonnig.example/terug/"]},
    )
    assert roots.status == 200, roots.body
    trail = http.get("/v1/ops/audit?limit=50", token=world.operator)
    assert trail.status == 200, trail.body
    seen = [(e["action"], e["subject"]) for e in trail.json["items"]]
    assert seen == [
        ("return_url_roots_changed", EDV),
        ("job_run", "mandate-expiry"),
        ("market_event_reported", ean(1)),
        ("access_point_registered", ean(1)),
        ("application_rejected", "0987654394"),
        ("application_approved", EDV),
    ]
    assert {e["actor"] for e in trail.json["items"][1:]} == {"ops-olivia"}
    assert trail.json["items"][0]["actor"] == f"admin-{EDV}"
    assert trail.json["items"][0]["details"] == {
        "before": ["https://zonnig.example/"],
        "after": ["https://zonnig.example/terug/"],
    }
    # A replayed report changes nothing and adds nothing.
    again = http.post(
        "/v1/ops/market-events",
        token=world.operator,
        json_body={"ean": ean(1), "scenario": "supplier_switch", "effective_date": "2025-06-01"},
    )
    assert again.status == 200
    assert len(http.get("/v1/ops/audit", token=world.operator).json["items"]) == 6
    assert http.get("/v1/ops/audit", token=edv.admin).status == 403


def test_a_job_never_runs_ahead_of_the_clock(http: Http) -> None:
    """Expiring every mandate early cannot be undone: `as_of` is now or earlier (with five
    minutes of skew between clocks); a test that needs a later day moves the clock instead."""
    world = World(http)
    now = datetime.now(UTC)
    for ahead, status in ((timedelta(days=3650), 422), (timedelta(hours=1), 422)):
        answer = http.post(
            "/v1/ops/jobs/mandate-expiry/run",
            token=world.operator,
            json_body={"as_of": (now + ahead).isoformat()},
        )
        assert (answer.status, answer.code) == (status, "validation_error"), answer.body
    for fine in (timedelta(minutes=2), -timedelta(days=30)):
        answer = http.post(
            "/v1/ops/jobs/mandate-expiry/run",
            token=world.operator,
            json_body={"as_of": (now + fine).isoformat()},
        )
        assert answer.status == 200, answer.body
    runs = http.get("/v1/ops/audit", token=world.operator).json["items"]
    assert [e["action"] for e in runs] == ["job_run", "job_run"]  # the refused ones: none
