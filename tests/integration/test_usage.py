"""Tariffs (operators, with history) and monthly usage (EDV administrators and operators), R13."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from chalicelib.domain.vocabulary import Granularity
from chalicelib.services import mandates
from tests.support.clock import brussels
from tests.support.http import Http
from tests.support.world import World, customer_with_meter, ean

EDV, OTHER = "0123456749", "0987654394"
TABLE: dict[str, Any] = {
    "based_on_revision": 0,
    "entries": [
        {
            "valid_from": "2025-01-01",
            "valid_to": "2025-03-16",
            "per_ean_day": {"day": "0.0100", "hour": "0.0200", "quarter_hour": "0.0300"},
            "yearly_fee": "0",
            "decision": "VREG-2025-01",
        },
        {
            "valid_from": "2025-03-16",
            "valid_to": None,
            "per_ean_day": {"day": "0.0125", "hour": "0.0250", "quarter_hour": "0.0350"},
            "yearly_fee": "0",
            "decision": "VREG-2025-02",
        },
    ],
}


@pytest.fixture
def world(http: Http) -> World:
    world = World(http)
    world.edv = world.active(EDV, "Zonnig")
    world.other = world.active(OTHER, "Andere")
    answer = http.put("/v1/ops/tariffs", token=world.operator, json_body=TABLE)
    assert answer.status == 200, answer.body
    return world


def grant(sub: str, serial: int, granularity: Granularity, at: datetime) -> str:
    request = mandates.GrantRequest(
        EDV, ean(serial), granularity, date(2025, 1, 1), date(2026, 1, 1)
    )
    return mandates.grant(sub, request, at).id


def test_operators_keep_a_dated_tariff_table_with_its_history(http: Http, world: World) -> None:
    current = http.get("/v1/ops/tariffs", token=world.operator).json
    assert current["revision"] == 1
    assert current["entries"][1]["per_ean_day"]["quarter_hour"] == "0.0350"  # exact, a string
    stale = http.put("/v1/ops/tariffs", token=world.operator, json_body=TABLE)  # based on 0
    assert (stale.status, stale.code) == (409, "conflict")
    changed = {**TABLE, "based_on_revision": 1, "entries": TABLE["entries"][:1]}
    assert (
        http.put("/v1/ops/tariffs", token=world.operator, json_body=changed).json["revision"] == 2
    )
    first = http.get("/v1/ops/tariffs?revision=1", token=world.operator).json
    assert len(first["entries"]) == 2  # the earlier revision is still there, as it was
    revisions = http.get("/v1/ops/tariffs/revisions", token=world.operator).json["items"]
    assert [r["revision"] for r in revisions] == [2, 1]
    assert http.get("/v1/ops/tariffs", token=world.edv.admin).status == 403


def test_a_bad_table_is_refused_whole(http: Http, world: World) -> None:
    overlapping = {
        "based_on_revision": 1,
        "entries": [
            {**TABLE["entries"][0], "valid_to": None},
            TABLE["entries"][1],
        ],
    }
    answer = http.put("/v1/ops/tariffs", token=world.operator, json_body=overlapping)
    assert (answer.status, answer.code) == (422, "validation_error")
    float_money = {**TABLE, "based_on_revision": 1}
    float_money["entries"] = [{**TABLE["entries"][0], "yearly_fee": "abc"}]
    assert http.put("/v1/ops/tariffs", token=world.operator, json_body=float_money).status == 422
    assert http.get("/v1/ops/tariffs", token=world.operator).json["revision"] == 1


def test_the_month_adds_up_for_the_edv_and_the_operators(http: Http, world: World) -> None:
    karel = customer_with_meter(world, "karel", ean(1))
    customer_with_meter(world, "greet", ean(2), energy="gas", direction="offtake")
    grant("karel", 1, Granularity.DAY, brussels(2025, 2, 10, 9, 0))  # all of March
    quarter = grant("karel", 1, Granularity.QUARTER_HOUR, brussels(2025, 3, 5, 10, 0))  # replaces
    mandates.end("karel", quarter, brussels(2025, 3, 20, 8, 0))  # 5–19 March
    grant("greet", 2, Granularity.HOUR, brussels(2025, 3, 31, 0, 30))  # 31 March (UTC: 30th)
    assert karel.token

    answer = http.get(f"/v1/organisations/{EDV}/usage?month=2025-03", token=world.edv.admin)
    assert answer.status == 200, answer.body
    usage = answer.json
    # Day mandate: 1–4 March (replaced on the 5th); quarter-hours 5–19; hours 31.
    assert usage["mandate_days"] == {"day": 4, "hour": 1, "quarter_hour": 15}
    assert [(line["granularity"], line["quantity"], line["amount"]) for line in usage["lines"]] == [
        ("day", 4, "0.04"),
        ("quarter_hour", 11, "0.33"),
        ("hour", 1, "0.03"),
        ("quarter_hour", 4, "0.14"),
    ]
    assert usage["total"] == "0.54"
    assert usage["tariff_revision"] == 1

    csv = http.get(
        f"/v1/organisations/{EDV}/usage?month=2025-03&format=csv",
        token=world.edv.admin,
    )
    assert csv.headers["content-type"].startswith("text/csv")
    text = csv.body.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Energiedienstverlener;Maand;Soort")
    assert text.splitlines()[-1] == '="0123456749";2025-03;totaal;;;;;;0,54;'

    everyone = http.get("/v1/ops/usage?month=2025-03", token=world.operator).json
    assert {item["edv"]: item["total"] for item in everyone["items"]} == {
        EDV: "0.54",
        OTHER: "0.00",
    }
    assert everyone["total"] == "0.54"


def test_only_the_edvs_administrators_see_its_usage(http: Http, world: World) -> None:
    member = http.get(f"/v1/organisations/{EDV}/usage?month=2025-03", token=world.edv.member)
    assert (member.status, member.code) == (403, "forbidden")
    other = http.get(f"/v1/organisations/{EDV}/usage?month=2025-03", token=world.other.admin)
    assert (other.status, other.code) == (403, "not_a_member")
    bad = http.get(f"/v1/organisations/{EDV}/usage?month=2025-13", token=world.edv.admin)
    assert (bad.status, bad.code) == (422, "validation_error")
    assert http.get("/v1/ops/usage?month=2025-03", token=world.edv.admin).status == 403


def test_the_counters_give_the_figures_the_mandates_give(http: Http, world: World) -> None:
    """Usage is counted as mandates change (domain/usage_counts.py); over months with grants, a
    replacement, ends, an expiry, a truncation and the spring clock change, the counters give
    exactly what the EDV's mandates themselves give."""
    from chalicelib.domain.tariffs import usage as from_mandates
    from chalicelib.domain.vocabulary import Scenario
    from chalicelib.services import market
    from chalicelib.services import usage as service
    from chalicelib.store import mandates as mandates_store
    from chalicelib.store import tariffs as tariffs_store

    for serial, sub in ((1, "karel"), (3, "bert"), (4, "ann")):
        customer_with_meter(world, sub, ean(serial), since="2020-01-01")
    customer_with_meter(world, "greet", ean(2), energy="gas", direction="offtake")
    old = mandates.GrantRequest(EDV, ean(3), Granularity.DAY, date(2022, 1, 1), date(2025, 6, 1))
    mandates.grant("bert", old, brussels(2022, 3, 3, 8, 0))  # valid until 3 March 2025
    mandates.expire_due(brussels(2025, 3, 4, 1, 0))  # the job, a day late
    grant("karel", 1, Granularity.DAY, brussels(2025, 2, 10, 9, 0))
    quarter = grant("karel", 1, Granularity.QUARTER_HOUR, brussels(2025, 3, 5, 10, 0))  # replaces
    mandates.end("karel", quarter, brussels(2025, 4, 20, 8, 0))
    grant("greet", 2, Granularity.HOUR, brussels(2025, 3, 30, 1, 30))  # the 23-hour day
    ann = grant("ann", 4, Granularity.DAY, brussels(2025, 3, 31, 23, 30))
    mandates.end("ann", ann, brussels(2025, 4, 1, 0, 10))  # granted and ended the same day
    market.report(ean(2), Scenario.MOVE_OUT, date(2025, 3, 15), None, brussels(2025, 4, 2, 9, 0))
    everything = [m for n in range(1, 5) for m in mandates_store.of_edv_and_ean(EDV, ean(n))]
    assert len(everything) == 5
    for month in ("2022-03", "2025-02", "2025-03", "2025-04", "2025-05", "2028-02"):
        counted = service.of_edv(EDV, month)
        expected = from_mandates(EDV, month, everything, [], tariffs_store.current())
        assert counted.mandate_days == expected.mandate_days, month
        mandate_lines = [line for line in counted.lines if line.kind == "mandate_days"]
        assert mandate_lines == [line for line in expected.lines if line.kind == "mandate_days"]
    assert service.of_edv(EDV, "2025-03").mandate_days[Granularity.QUARTER_HOUR] == 27
