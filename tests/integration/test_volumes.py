"""Reading volumes (R9-R11, R14): refusal by refusal, the daylight-saving days at every
resolution, what each EAN carries, and what reaches the access log."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from chalicelib.domain.vocabulary import Granularity
from chalicelib.services import mandates
from tests.support.http import Answer, Http
from tests.support.readings import batch, day_readings, days_readings
from tests.support.world import (
    Customer,
    Edv,
    World,
    customer_with_meter,
    ean,
    grant,
    ingest,
    register_access_point,
)

EDV, OTHER_EDV = "0123456749", "0987654394"
DIGITAL, GAS_DIGITAL, GAS_AMR, AMR_OFF, AMR_INJ = ean(1), ean(2), ean(3), ean(4), ean(5)
SPRING, AUTUMN = date(2025, 3, 30), date(2025, 10, 26)


@pytest.fixture
def world(http: Http) -> World:
    world = World(http)
    world.edv = world.active(EDV, "Zonnig")
    world.other = world.active(OTHER_EDV, "Andere")
    return world


@pytest.fixture
def karel(world: World) -> Customer:
    customer = customer_with_meter(world, "karel", DIGITAL)
    grant(world, customer, EDV, DIGITAL, period_start="2025-01-01", period_end="2026-01-01")
    return customer


def volumes(
    http: Http, edv: Edv, ean_code: str, query: str, edv_number: str = EDV, **kwargs: object
) -> Answer:
    return http.get(
        f"/v1/organisations/{edv_number}/access-points/{ean_code}/volumes?{query}",
        token=edv.member,
        **kwargs,
    )


def points(answer: Answer, channel: str = "offtake") -> list[dict[str, Any]]:
    assert answer.status == 200, answer.body
    return list(answer.json["channels"][channel])


def total(series: list[dict[str, Any]]) -> int:
    """In thousandths, so that sums are exact."""
    return sum(round(float(p["value"]) * 1000) for p in series if p["value"] is not None)


def test_the_daylight_saving_days_at_every_resolution(
    http: Http, world: World, karel: Customer
) -> None:
    edv = world.edv
    for day in (SPRING, AUTUMN):
        ingest(world, batch(DIGITAL, day_readings(day)))
        ingest(
            world,
            batch(DIGITAL, day_readings(day, value=lambda i: (i % 7) / 1000), channel="injection"),
        )
    expected = {SPRING: (92, 23), AUTUMN: (100, 25)}
    for day, (quarters, hours) in expected.items():
        query = f"from={day}&to={day + timedelta(days=1)}"
        quarter_points = points(volumes(http, edv, DIGITAL, f"{query}&resolution=quarter_hour"))
        hour_points = points(volumes(http, edv, DIGITAL, f"{query}&resolution=hour"))
        assert (len(quarter_points), len(hour_points)) == (quarters, hours)
        assert total(quarter_points) == total(hour_points) == sum(range(1, quarters + 1))
        assert quarter_points[0]["start"] == f"{day}T00:00:00+0{1 if day == SPRING else 2}:00"
        assert (
            quarter_points[-1]["end"]
            == f"{day + timedelta(days=1)}T00:00:00+0{2 if day == SPRING else 1}:00"
        )
        assert (
            len({p["start"] for p in quarter_points}) == quarters
        )  # the repeated hour keeps its offset
        [day_point] = points(volumes(http, edv, DIGITAL, f"{query}&resolution=day"))
        assert round(float(day_point["value"]) * 1000) == total(quarter_points)
        assert day_point["status"] == "validated"
        for resolution in ("week", "month", "year"):
            coarse = points(
                volumes(
                    http,
                    edv,
                    DIGITAL,
                    f"from={day.replace(day=1)}&to={day.replace(day=28) + timedelta(days=4)}&resolution={resolution}",
                )
            )
            assert total(coarse) == total(quarter_points), resolution


def test_each_refusal_of_r9(http: Http, world: World, karel: Customer) -> None:
    edv, other = world.edv, world.other
    base = "from=2025-02-01&to=2025-02-08&resolution=day"

    def code(answer: Answer) -> tuple[int, str | None]:
        return answer.status, answer.code

    assert code(volumes(http, other, DIGITAL, base, OTHER_EDV)) == (403, "no_mandate")
    assert code(volumes(http, other, DIGITAL, base)) == (403, "not_a_member")
    assert code(volumes(http, edv, DIGITAL, "from=2026-02-01&to=2026-03-01&resolution=day")) == (
        403,
        "outside_mandate_period",
    )
    assert code(volumes(http, edv, DIGITAL, "from=2025-02-08&to=2025-02-01&resolution=day")) == (
        422,
        "invalid_period",
    )
    assert code(
        volumes(http, edv, DIGITAL, "from=2025-01-01&to=2026-01-03&resolution=quarter_hour")
    ) == (422, "range_too_large")
    assert code(volumes(http, edv, DIGITAL, "from=2020-01-01&to=2025-01-03&resolution=day")) == (
        422,
        "range_too_large",
    )
    assert (
        code(volumes(http, edv, DIGITAL, "from=2025-02-01&to=2025-02-08&resolution=fortnight"))[0]
        == 422
    )
    assert code(volumes(http, edv, ean(77), base)) == (403, "no_mandate")
    # A day mandate: days and coarser only.
    greet = customer_with_meter(world, "greet", GAS_DIGITAL, energy="gas", direction="offtake")
    grant(world, greet, EDV, GAS_DIGITAL, granularity="day", period_start="2025-01-01")
    gas_fine = "from=2025-02-01&to=2025-02-02&resolution=hour"
    assert code(volumes(http, edv, GAS_DIGITAL, gas_fine)) == (403, "granularity_not_consented")
    assert code(volumes(http, edv, GAS_DIGITAL, base))[0] == 200
    assert code(
        volumes(http, edv, GAS_DIGITAL, "from=2025-02-01&to=2025-02-02&resolution=quarter_hour")
    ) == (422, "invalid_granularity")
    # An ended mandate gives nothing at all; a terminated EDV neither.
    mandate_id = http.get("/v1/me/mandates", token=greet.token).json["items"][0]["id"]
    http.post(f"/v1/me/mandates/{mandate_id}/end", token=greet.token)
    assert code(volumes(http, edv, GAS_DIGITAL, base)) == (403, "no_mandate")
    http.post(f"/v1/organisations/{EDV}/edv-application/terminate", token=edv.admin)
    assert code(volumes(http, edv, DIGITAL, base)) == (403, "edv_not_active")
    assert code(http.get(f"/v1/organisations/{EDV}/access-points/{DIGITAL}/volumes?{base}")) == (
        401,
        "unauthenticated",
    )


def test_an_expired_mandate_reads_nothing_before_the_job_runs(http: Http, world: World) -> None:
    customer_with_meter(world, "anna", ean(9), since="2020-01-01")
    request = mandates.GrantRequest(
        EDV, ean(9), Granularity.QUARTER_HOUR, date(2021, 1, 1), date(2030, 1, 1)
    )
    mandates.grant("anna", request, datetime(2022, 1, 1, tzinfo=UTC))
    answer = volumes(http, world.edv, ean(9), "from=2021-02-01&to=2021-02-02&resolution=day")
    assert (answer.status, answer.code) == (403, "no_mandate")


def test_the_range_is_clipped_to_the_consumption_period(
    http: Http, world: World, karel: Customer
) -> None:
    edv = world.edv
    answer = volumes(http, edv, DIGITAL, "from=2024-12-30&to=2025-01-03&resolution=day")
    assert (answer.json["served_from"], answer.json["served_to"]) == ("2025-01-01", "2025-01-03")
    assert [p["start"][:10] for p in points(answer)] == ["2025-01-01", "2025-01-02"]
    assert answer.json["notice"].startswith("Opgelet: deze meetgegevens zijn informatief")


def test_a_move_cuts_what_is_served(http: Http, world: World, karel: Customer) -> None:
    edv = world.edv
    ingest(world, batch(DIGITAL, days_readings(date(2025, 5, 30), date(2025, 6, 3))))
    http.post(
        "/v1/ops/market-events",
        token=world.operator,
        json_body={"ean": DIGITAL, "scenario": "move_out", "effective_date": "2025-06-01"},
    )
    answer = volumes(http, edv, DIGITAL, "from=2025-05-30&to=2025-06-03&resolution=day")
    assert answer.json["served_to"] == "2025-06-01"
    assert [p["start"][:10] for p in points(answer)] == ["2025-05-30", "2025-05-31"]
    after = volumes(http, edv, DIGITAL, "from=2025-06-01&to=2025-06-03&resolution=quarter_hour")
    assert (after.status, after.code) == (403, "outside_mandate_period")


def test_an_amr_injection_ean_returns_injection_only(http: Http, world: World) -> None:
    edv = world.edv
    http.link("0444444496", "bert", "admin", "Bakkerij")
    bert = Customer("bert", http.token("bert"))
    for code, direction in ((AMR_OFF, "offtake"), (AMR_INJ, "injection")):
        register_access_point(
            world,
            code,
            grid_user={"enterprise_number": "0444444496"},
            meter_type="amr",
            direction=direction,
        )
        grant(world, bert, EDV, code, period_start="2025-01-01")
        ingest(world, batch(code, day_readings(SPRING), channel=direction))
    query = f"from={SPRING}&to={SPRING + timedelta(days=1)}&resolution=quarter_hour"
    assert list(volumes(http, edv, AMR_INJ, query).json["channels"]) == ["injection"]
    assert list(volumes(http, edv, AMR_OFF, query).json["channels"]) == ["offtake"]


def test_missing_values_are_points_without_a_value(
    http: Http, world: World, karel: Customer
) -> None:
    edv = world.edv
    rows = day_readings(date(2025, 2, 3))[:40]  # the rest of the day has not arrived yet
    rows[5] = {"start": rows[5]["start"], "value": None, "status": "missing"}
    rows[6]["status"] = "estimated"
    ingest(world, batch(DIGITAL, rows))
    answer = volumes(http, edv, DIGITAL, "from=2025-02-03&to=2025-02-04&resolution=quarter_hour")
    series = points(answer)
    assert len(series) == 96
    assert series[5] == {
        "start": "2025-02-03T01:15:00+01:00",
        "end": "2025-02-03T01:30:00+01:00",
        "value": None,
        "status": "missing",
    }
    assert series[6]["status"] == "estimated"
    assert all(p["value"] is None and p["status"] == "missing" for p in series[40:])
    assert (
        points(answer, "injection")[0]["status"] == "missing"
    )  # nothing ingested: nothing invented
    assert answer.json["data_complete_until"] == "2025-02-03T00:00:00+01:00"  # injection is empty
    [day] = points(volumes(http, edv, DIGITAL, "from=2025-02-03&to=2025-02-04&resolution=day"))
    assert day["status"] == "estimated"  # incomplete: a partial sum, flagged
    assert round(float(day["value"]) * 1000) == total(series)


def test_weeks_are_iso_weeks_clipped_to_the_range(
    http: Http, world: World, karel: Customer
) -> None:
    edv = world.edv
    answer = volumes(http, edv, DIGITAL, "from=2025-03-05&to=2025-03-20&resolution=week")
    bounds = [(p["start"][:10], p["end"][:10]) for p in points(answer)]
    assert bounds == [
        ("2025-03-05", "2025-03-10"),
        ("2025-03-10", "2025-03-17"),
        ("2025-03-17", "2025-03-20"),
    ]


def test_every_read_is_in_the_customers_access_log(
    http: Http, world: World, karel: Customer
) -> None:
    edv = world.edv
    volumes(http, edv, DIGITAL, "from=2024-12-01&to=2025-02-01&resolution=month")
    volumes(http, edv, DIGITAL, "from=2025-03-01&to=2025-03-02&resolution=quarter_hour&format=csv")
    http.get(
        f"/v1/organisations/{EDV}/access-points/{DIGITAL}/peak-power?from=2025-01-01&to=2025-03-01",
        token=edv.member,
    )
    volumes(http, world.other, DIGITAL, "from=2025-03-01&to=2025-03-02&resolution=day", OTHER_EDV)
    log = http.get("/v1/me/access-log", token=karel.token).json["items"]
    assert [
        (e["what"], e["resolution"], e["range_from"], e["range_to"], e["edv"]) for e in log
    ] == [
        ("peak_power", "month", "2025-01-01", "2025-03-01", EDV),
        ("volumes", "quarter_hour", "2025-03-01", "2025-03-02", EDV),
        ("volumes", "month", "2025-01-01", "2025-02-01", EDV),
    ]
