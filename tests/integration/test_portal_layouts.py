"""History exported from the portal in each of its layouts loads through ingest (R10, R11): the
Dutch layout up to 2024, the Dutch 2025 one and the English 2025 one, electricity and gas, as
`POST /v1/ops/readings` with text/csv; what cannot be mapped is reported per line."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.support.http import Http
from tests.support.world import World, customer_with_meter, grant

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "fluvius"
EDV = "0123456749"
ELECTRICITY, GAS, AMR = "541448820000000909", "541448820000000916", "541448820000000923"


@pytest.fixture
def world(http: Http) -> World:
    world = World(http)
    world.edv = world.active(EDV, "Zonnig")
    karel = customer_with_meter(world, "karel", ELECTRICITY)
    greet = customer_with_meter(world, "greet", GAS, energy="gas", direction="offtake")
    grant(world, karel, EDV, ELECTRICITY, period_start="2021-01-01", period_end="2026-01-01")
    grant(world, greet, EDV, GAS, granularity="hour", period_start="2021-01-01")
    bert = customer_with_meter(world, "bert", AMR, meter_type="amr", direction="offtake")
    grant(world, bert, EDV, AMR, period_start="2021-01-01", period_end="2026-01-01")
    return world


def post_csv(http: Http, world: World, body: bytes) -> dict[str, Any]:
    answer = http.post(
        "/v1/ops/readings", token=world.operator, body=body, headers={"Content-Type": "text/csv"}
    )
    assert answer.status == 200, answer.body
    return dict(answer.json)


def points(http: Http, world: World, ean: str, day: str, resolution: str) -> dict[str, list[Any]]:
    following = date.fromisoformat(day) + timedelta(days=1)
    answer = http.get(
        f"/v1/organisations/{EDV}/access-points/{ean}/volumes?from={day}&to={following}"
        f"&resolution={resolution}&unit=m3",
        token=world.edv.member,
    )
    assert answer.status == 200, answer.body
    return {
        channel: [
            (p["start"][11:16], p["value"], p["status"]) for p in series if p["status"] != "missing"
        ]
        for channel, series in answer.json["channels"].items()
    }


@pytest.mark.parametrize(
    ("name", "day"),
    [
        ("nl-2024-electricity-quarter-hours.csv", "2022-05-25"),
        ("en-2025-electricity-quarter-hours.csv", "2023-10-22"),
    ],
)
def test_electricity_in_each_layout(http: Http, world: World, name: str, day: str) -> None:
    report = post_csv(http, world, (FIXTURES / name).read_bytes())
    assert (report["accepted"], report["rejected"], report["errors"]) == (8, 0, [])
    served = points(http, world, ELECTRICITY, day, "quarter_hour")
    assert served["offtake"] == [
        ("00:15", 0.173, "validated"),
        ("00:30", 0.162, "validated"),
        ("00:45", 0.149, "estimated"),
    ]
    assert served["injection"][-1] == ("00:45", 0.012, "estimated")


@pytest.mark.parametrize(
    ("name", "day", "m3", "factor"),
    [
        ("nl-2024-gas-hours.csv", "2022-01-10", [0.495, 0.455, 0.333], 11.0),
        ("en-2025-gas-hours.csv", "2023-10-22", [0.0, 0.364, 0.147, 0.091], 11.33),
    ],
)
def test_gas_in_each_layout_with_its_factor(
    http: Http, world: World, name: str, day: str, m3: list[float], factor: float
) -> None:
    report = post_csv(http, world, (FIXTURES / name).read_bytes())
    assert report["rejected"] == 0 and report["errors"] == [], report
    served = points(http, world, GAS, day, "hour")
    assert [value for _, value, _ in served["offtake"]] == m3
    assert served["offtake"][0][0] in ("06:00", "07:00")  # gas hours of a gas day
    # The kWh rows told the month's conversion factor: kWh served = m³ × factor.
    following = date.fromisoformat(day) + timedelta(days=1)
    kwh = http.get(
        f"/v1/organisations/{EDV}/access-points/{GAS}/volumes?from={day}&to={following}"
        "&resolution=hour",
        token=world.edv.member,
    ).json["channels"]["offtake"]
    by_hour = {p["start"][11:16]: p["value"] for p in kwh if p["status"] != "missing"}
    hour, value, _ = served["offtake"][1]
    assert abs(by_hour[hour] - value * factor) < 0.01, (hour, by_hour[hour], value)


def test_what_cannot_be_mapped_is_reported_by_line(http: Http, world: World) -> None:
    text = (FIXTURES / "nl-2024-electricity-quarter-hours.csv").read_text("utf-8").splitlines()
    text[3] = text[3].replace("Afname Nacht", "Productie Actief")
    text[4] = text[4].replace(";kWh;", ";kVArh;")
    report = post_csv(http, world, "\r\n".join(text).encode())
    lines = {error["row"]: error["message"] for error in report["errors"]}
    assert sorted(lines) == [4, 5]
    assert "Productie Actief" in lines[4] and "kVArh" in lines[5]
    assert report["accepted"] == 6


def test_our_english_export_reads_back_the_same(http: Http, world: World) -> None:
    post_csv(http, world, (FIXTURES / "en-2025-gas-hours.csv").read_bytes())
    answer = http.get(
        f"/v1/organisations/{EDV}/access-points/{GAS}/volumes?from=2023-10-22&to=2023-10-23"
        "&resolution=hour&format=csv&lang=en",
        token=world.edv.member,
    )
    header, first, second = answer.body.decode("utf-8-sig").split("\r\n")[:3]
    assert header == (
        "From (date);From (time);Until (date);Until (time);EAN code;Meter;Meter type;Register;"
        "Volume;Unit;Validation status;Caloric upper value;Description"
    )
    assert first.split(";")[:2] == ["22/10/2023", "06:00:00"]
    assert first.split(";")[8:12] == ["0,000", "m³", "Read", ""]  # m³ first, as in English
    assert second.split(";")[9:12] == ["kWh", "Read", "Final"]
    again = post_csv(http, world, answer.body)
    assert again["rejected"] == 0 and again["errors"] == []
    # The same values: nothing changes.
    assert [b["days_written"] for b in again["batches"]] == [0]


def test_the_dutch_2025_layout_digital_and_amr(http: Http, world: World) -> None:
    report = post_csv(
        http, world, (FIXTURES / "nl-2025-electricity-quarter-hours.csv").read_bytes()
    )
    assert (report["accepted"], report["rejected"]) == (8, 0)
    served = points(http, world, ELECTRICITY, "2025-09-02", "quarter_hour")
    assert served["offtake"][1] == ("00:15", 0.12, "validated")  # Uitgelezen: read, so validated
    amr = post_csv(http, world, (FIXTURES / "nl-2025-amr-quarter-hours.csv").read_bytes())
    # Reactive energy is not kept: each kVArh row is reported with its line, none dropped silently.
    assert amr["accepted"] == 3 and [e["row"] for e in amr["errors"]] == [3, 5, 7]
    assert all("kVArh" in e["message"] for e in amr["errors"])
    assert [v for _, v, _ in points(http, world, AMR, "2022-12-19", "quarter_hour")["offtake"]] == [
        3.179,
        3.078,
        2.95,
    ]
