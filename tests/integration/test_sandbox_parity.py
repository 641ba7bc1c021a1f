"""The sandbox is the live machine API over other sources, not a second implementation: the same
mandate, live and mock, gives the same answers. Live readings are the sandbox's generated ones,
ingested through the operators' API, so read-time answers are equal to the value; insert-time
answers (stored at other moments) have the same shapes; refusals are the same refusals."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from chalicelib.domain import sandbox as generated
from chalicelib.domain.brussels import day_start_utc
from chalicelib.domain.readings import QUALITY_NAMES, Quality
from chalicelib.domain.vocabulary import Energy
from tests.support.clock import app_clock
from tests.support.http import Answer, Http
from tests.support.machine import MachineClient, secret_client
from tests.support.world import Customer, World, customer_with_meter, grant, ingest

EDV = "0123456749"
DIGITAL_ELECTRICITY, DIGITAL_GAS, AMR_ELECTRICITY = (
    "541448860000000028",
    "541448860000000011",
    "541448860000000509",
)
LIVE, SANDBOX = "/esco-live/v3/api", "/esco-sbx/v3/api"
# The clock-change days, and the gas days around them (06:00 to 06:00).
SPRING, AUTUMN = date(2025, 3, 30), date(2025, 10, 26)


class Faces:
    """One EDV's live face and sandbox, each with its token."""

    def __init__(self, client: MachineClient) -> None:
        self.live = replace(client, base=LIVE)
        self.sandbox = replace(client, base=SANDBOX)
        self.token = client.token()

    def both(self, path: str) -> tuple[Answer, Answer]:
        return self.live.get(path, self.token), self.sandbox.get(path, self.token)

    def mock(self, ean: str, **fields: str) -> None:
        body = {"referenceNumber": f"ref-{ean[-4:]}", "ean": ean, **fields}
        answer = self.sandbox.post("/mandate/mock", body, self.token)
        assert answer.status == 200, answer.body


def generated_batches(ean: str, first: date, last: date) -> Iterator[dict[str, Any]]:
    """The sandbox's readings of [first, last] for `ean`, as the operators' ingest takes them."""
    point = generated.access_point(ean)
    source = generated.GeneratedReadings(datetime.now(UTC))
    gas = point.energy is Energy.GAS
    for channel in point.channels:
        readings = []
        days = source.days_between(ean, channel.value, first, last, point.day_hour)
        for day, series in sorted(days.items()):
            base, step = day_start_utc(day, point.day_hour), timedelta(minutes=series.minutes)
            for index, (value, quality) in enumerate(
                zip(series.values, series.qualities, strict=True)
            ):
                if quality:
                    start = (base + step * index).isoformat()
                    status = QUALITY_NAMES[Quality(quality)]
                    readings.append({"start": start, "value": value / 1000, "status": status})
        yield {
            "ean": ean,
            "channel": channel.value,
            "resolution": "hour" if gas else "quarter_hour",
            "unit": "m3" if gas else "kWh",
            **({"conversion_factor": generated.GAS_FACTOR} if gas else {}),
            "readings": readings,
        }


def live_and_mock(
    world: World,
    faces: Faces,
    ean: str,
    granularity: str,
    days: tuple[date, ...],
    until: str = "2026-01-01",
    **meter: str,
) -> Customer:
    """A live mandate on `ean` for 2025 (or up to `until`) with the generated readings of `days`
    (and the day on either side) ingested, and a mock of the same mandate."""
    customer = customer_with_meter(world, f"customer-{ean[-4:]}", ean, **meter)
    grant(world, customer, EDV, ean, granularity, "2025-01-01", until)
    for day in days:
        for batch in generated_batches(ean, day - timedelta(days=1), day + timedelta(days=1)):
            ingest(world, batch)
    live = faces.live.get(f"/mandate?ean={ean}", faces.token).json["data"]["mandates"][0]
    faces.mock(
        ean,
        dataServiceType=live["dataServiceType"],
        dataPeriodFrom=live["dataPeriodFrom"],
        dataPeriodTo=live["dataPeriodTo"],
    )
    return customer


def same_but_the_meter(live: dict[str, Any], mock: dict[str, Any]) -> None:
    """Equal to the value; only the meter's number is the registry's, not the sandbox's."""
    for meter in mock["data"]["headpoint"].get("physicalMeters", []):
        meter["meterID"] = live["data"]["headpoint"]["physicalMeters"][0]["meterID"]
    assert mock["data"] == live["data"]


def shape(value: Any, key: str = "") -> Any:
    """What a reader relies on: keys, kinds, units and vocabularies; not values or lengths."""
    if isinstance(value, dict):
        return {name: shape(item, name) for name, item in value.items()}
    if isinstance(value, list):
        return sorted({repr(shape(item)) for item in value})
    if key in ("value", "start", "end", "meterID", "validationState", "fetchTime"):
        return type(value).__name__
    return value


@pytest.fixture
def world(http: Http) -> World:
    return World(http)


@pytest.fixture
def faces(http: Http, world: World) -> Faces:
    return Faces(secret_client(http, world.active(EDV, "Zonnig")))


def window(day: date, day_hour: int = 0) -> str:
    start, end = day_start_utc(day, day_hour), day_start_utc(day + timedelta(days=1), day_hour)
    return f"from={start:%Y-%m-%dT%H:%M:%SZ}&to={end:%Y-%m-%dT%H:%M:%SZ}"


def test_quarter_hours_and_days_of_a_digital_meter_on_the_clock_change_days(
    world: World, faces: Faces
) -> None:
    live_and_mock(world, faces, DIGITAL_ELECTRICITY, "quarter_hour", (SPRING, AUTUMN))
    for day, slots in ((SPRING, 92), (AUTUMN, 100), (SPRING - timedelta(days=1), 96)):
        live, mock = faces.both(
            f"/mandate/energy?ean={DIGITAL_ELECTRICITY}&periodType=readTime&{window(day)}"
        )
        assert (live.status, mock.status) == (200, 200), (live.body, mock.body)
        same_but_the_meter(live.json, mock.json)
        [meter] = live.json["data"]["headpoint"]["physicalMeters"]
        assert len(meter["quarterHourlyEnergy"]) <= slots  # less the sandbox's gaps
        assert len(meter["quarterHourlyEnergy"]) >= slots - 3
        assert set(meter["dailyEnergy"][0]["measurements"][0]["offtake"]) == {"day", "night"}


def test_hours_and_gas_days_in_m3_and_kwh(world: World, faces: Faces) -> None:
    live_and_mock(
        world,
        faces,
        DIGITAL_GAS,
        "hour",
        (SPRING, AUTUMN),
        energy="gas",
        direction="offtake",
    )
    # The gas days the clocks change in begin the day before, at 06:00.
    for day in (SPRING - timedelta(days=1), AUTUMN - timedelta(days=1)):
        live, mock = faces.both(
            f"/mandate/energy?ean={DIGITAL_GAS}&periodType=readTime&{window(day, 6)}"
        )
        assert (live.status, mock.status) == (200, 200), (live.body, mock.body)
        same_but_the_meter(live.json, mock.json)
        [meter] = live.json["data"]["headpoint"]["physicalMeters"]
        [gas_day] = meter["dailyEnergy"]
        assert (gas_day["start"][11:], gas_day["end"][11:]) in (
            ("05:00:00Z", "04:00:00Z"),  # 23 hours, into summer time
            ("04:00:00Z", "05:00:00Z"),  # 25 hours, out of it
        )
        assert [m["offtake"]["total"]["unit"] for m in gas_day["measurements"]] == ["m3", "kWh"]


def test_an_amr_meter_under_a_day_mandate(world: World, faces: Faces) -> None:
    live_and_mock(
        world, faces, AMR_ELECTRICITY, "day", (SPRING,), meter_type="amr", direction="offtake"
    )
    live, mock = faces.both(
        f"/mandate/energy?ean={AMR_ELECTRICITY}&periodType=readTime&granularity=daily"
        f"&{window(SPRING)}"
    )
    assert (live.status, mock.status) == (200, 200), (live.body, mock.body)
    assert mock.json["data"] == live.json["data"]
    assert live.json["data"]["headpoint"]["$type"] == "metering-on-headpoint"


def test_insert_time_answers_have_the_same_shapes(world: World, faces: Faces) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    until = (now + timedelta(days=365)).date().isoformat()  # what the sandbox just stored
    live_and_mock(world, faces, DIGITAL_ELECTRICITY, "quarter_hour", (SPRING,), until)
    since = f"{now - timedelta(days=3):%Y-%m-%dT%H:%M:%SZ}"
    until = f"{now + timedelta(minutes=1):%Y-%m-%dT%H:%M:%SZ}"
    live, mock = faces.both(
        f"/mandate/energy?ean={DIGITAL_ELECTRICITY}&periodType=insertTime&from={since}&to={until}"
    )
    assert (live.status, mock.status) == (200, 200), (live.body, mock.body)
    assert live.json["data"]["headpoint"]["physicalMeters"][0]["quarterHourlyEnergy"]
    assert mock.json["data"]["headpoint"]["physicalMeters"][0]["quarterHourlyEnergy"]
    assert shape(mock.json) == shape(live.json)


def test_the_same_mandate_states_and_the_same_refusals(world: World, faces: Faces) -> None:
    customer = live_and_mock(
        world, faces, AMR_ELECTRICITY, "day", (), meter_type="amr", direction="offtake"
    )
    live, mock = faces.both(f"/mandate?ean={AMR_ELECTRICITY}")
    [live_view], [mock_view] = live.json["data"]["mandates"], mock.json["data"]["mandates"]
    for view in (live_view, mock_view):  # the references and moments are each their own
        view.pop("referenceNumber", None), view.pop("mandateExpirationDate")
    assert mock_view == live_view
    year = "from=2024-01-01T00:00:00Z&to=2025-06-01T00:00:00Z"
    asked = [
        f"/mandate/energy?ean={AMR_ELECTRICITY}&periodType=readTime&granularity=hourly_quarterhourly",
        f"/mandate/energy?ean={AMR_ELECTRICITY}&periodType=insertTime&{year}",
        f"/mandate/energy?ean={AMR_ELECTRICITY}&periodType=readTime&referenceNumber=another",
        f"/mandate/energy?ean={DIGITAL_GAS}&periodType=readTime",
        f"/mandate/energy?ean={AMR_ELECTRICITY}&periodType=sometime",
        "/mandate?status=Requested",
        "/mandate?renewalStatus=ToBeRenewed",
    ]
    for path in asked:
        live, mock = faces.both(path)
        assert live.status >= 400, (path, live.body)
        assert (mock.status, mock.json["code"]) == (live.status, live.json["code"]), path
    # Ended by the customer, and a mock made Finished: both Finished, and read no more.
    mandate_id = world.http.get("/v1/me/mandates", token=customer.token).json["items"][0]["id"]
    ended = world.http.post(f"/v1/me/mandates/{mandate_id}/end", token=customer.token)
    assert ended.status == 200, ended.body
    faces.mock(DIGITAL_GAS, dataServiceType="VH_dag", status="Finished")
    live, mock = faces.both("/mandate?status=Finished")
    [live_view], [mock_view] = live.json["data"]["mandates"], mock.json["data"]["mandates"]
    assert live_view["status"] == mock_view["status"] == "Finished"
    assert set(live_view) == set(mock_view) - {"referenceNumber"}  # granted without one
    live, mock = faces.both(f"/mandate/energy?ean={DIGITAL_GAS}&periodType=readTime")
    assert (mock.status, mock.json["code"]) == (404, "Mandates.NotFound")


def test_a_mock_made_on_29_february(http: Http, faces: Faces) -> None:
    leap_day = datetime(2028, 2, 29, 10, 0, tzinfo=UTC)
    with app_clock(leap_day):
        client = replace(faces.sandbox)
        token = client.token()
        made = client.post(
            "/mandate/mock",
            {"referenceNumber": "leap", "ean": DIGITAL_ELECTRICITY, "dataServiceType": "VH_dag"},
            token,
        )
        assert made.status == 200, made.body
        [mock] = client.get("/mandate?referenceNumber=leap", token).json["data"]["mandates"]
    # Three years back and ahead of 29 February 2028 are 28 February; valid three years.
    assert (mock["dataPeriodFrom"][:10], mock["dataPeriodTo"][:10]) == ("2025-02-27", "2031-02-27")
    assert mock["mandateExpirationDate"].startswith("2031-02-28")
