"""Exports (R11) and the 6 MB rule: CSV in the portal's exact layout (and back through ingest),
PDF, PNG; a year of quarter-hours leaves Lambda gzip-encoded or behind a presigned URL."""

from __future__ import annotations

import gzip
import io
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
from PIL import Image
from pypdf import PdfReader

from chalicelib.aws import s3
from chalicelib.config import settings
from chalicelib.domain.ingest_parse import parse
from chalicelib.render.history_csv import HEADER, read
from chalicelib.store import readings as store
from tests.support.http import Http
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

EDV = "0123456749"
DIGITAL, GAS_AMR = ean(1), ean(2)
AUTUMN = date(2025, 10, 26)
GAS_AUTUMN = AUTUMN - timedelta(days=1)  # the gas day over the clock change: 06:00 to 06:00


@pytest.fixture
def world(http: Http) -> World:
    world = World(http)
    world.edv = world.active(EDV, "Zonnig")
    karel = customer_with_meter(world, "karel", DIGITAL)
    grant(world, karel, EDV, DIGITAL, period_start="2024-01-01", period_end="2026-01-01")
    return world


def get(http: Http, edv: Edv, path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    answer = http.get(
        f"/v1/organisations/{EDV}/access-points/{path}", token=edv.member, headers=headers
    )
    return answer.status, answer.headers, answer.body


def test_the_csv_layout_exactly(http: Http, world: World) -> None:
    edv = world.edv
    ingest(
        world,
        batch(DIGITAL, day_readings(date(2025, 3, 3), value=lambda i: 0.119 if i == 28 else 1.5)),
    )
    rows = day_readings(date(2025, 3, 3), value=0.0)
    rows[50] = {"start": rows[50]["start"], "value": None, "status": "missing"}
    rows[51]["status"] = "estimated"
    ingest(world, batch(DIGITAL, rows, channel="injection"))
    status, headers, body = get(
        http,
        edv,
        f"{DIGITAL}/volumes?from=2025-03-03&to=2025-03-04&resolution=quarter_hour&format=csv",
    )
    assert status == 200
    assert headers["content-type"] == "text/csv; charset=utf-8"
    assert (
        headers["content-disposition"]
        == f'attachment; filename="{DIGITAL}_2025-03-03_2025-03-04_quarter_hour.csv"'
    )
    assert body.startswith(b"\xef\xbb\xbf")
    lines = body.decode("utf-8-sig").split("\r\n")
    assert lines[0] == HEADER
    assert len(lines) == 1 + 96 * 2 + 1 and lines[-1] == ""
    assert (
        lines[1]
        == f'03-03-2025;00:00:00;03-03-2025;00:15:00;="{DIGITAL}";1SAG1100000292;Digitale meter;Afname Nacht;1,500;kWh;Uitgelezen;'
    )  # a digital meter's validated values were read from it: Uitgelezen, as the portal says
    assert lines[2].split(";")[7:11] == ["Injectie Nacht", "0,000", "kWh", "Uitgelezen"]
    seven = lines[1 + 28 * 2].split(";")  # Monday 07:00: day tariff
    assert seven[:2] == ["03-03-2025", "07:00:00"] and seven[7:9] == ["Afname Dag", "0,119"]
    missing = lines[2 + 50 * 2].split(";")
    assert missing[7:11] == ["Injectie Dag", "", "kWh", "Geen verbruik"]
    assert lines[2 + 51 * 2].split(";")[10] == "Geschat"
    assert lines[-2].split(";")[:4] == ["03-03-2025", "23:45:00", "04-03-2025", "00:00:00"]


def test_day_csv_of_a_digital_meter_splits_day_and_night(http: Http, world: World) -> None:
    edv = world.edv
    ingest(world, batch(DIGITAL, day_readings(date(2025, 3, 3), value=0.1)))  # a Monday
    _, _, body = get(
        http, edv, f"{DIGITAL}/volumes?from=2025-03-03&to=2025-03-04&resolution=day&format=csv"
    )
    lines = body.decode("utf-8-sig").split("\r\n")[1:-1]
    registers = {line.split(";")[7]: line.split(";")[8] for line in lines}
    assert registers["Afname Dag"] == "6,000"  # 07:00-22:00: 60 quarter-hours of 0.1 kWh
    assert registers["Afname Nacht"] == "3,600"
    assert registers["Injectie Dag"] == registers["Injectie Nacht"] == ""


def bakery_gas_with_hourly_mandate(http: Http, world: World) -> None:
    """The bakery's AMR gas meter, and an hourly mandate on it from its administrator."""
    http.link("0444444496", "bert", "admin", "Bakkerij")
    register_access_point(
        world,
        GAS_AMR,
        grid_user={"enterprise_number": "0444444496"},
        energy="gas",
        meter_type="amr",
        direction="offtake",
    )
    grant(
        world,
        Customer("bert", http.token("bert")),
        EDV,
        GAS_AMR,
        granularity="hour",
        period_start="2025-01-01",
    )


def test_gas_rows_come_in_m3_and_kwh(http: Http, world: World) -> None:
    edv = world.edv
    bakery_gas_with_hourly_mandate(http, world)
    ingest(
        world,
        batch(
            GAS_AMR,
            day_readings(GAS_AUTUMN, 60, value=2.0),
            resolution="hour",
            unit="m3",
            conversion_factor=11.25,
        ),
    )
    after = GAS_AUTUMN + timedelta(days=1)
    _, _, body = get(
        http, edv, f"{GAS_AMR}/volumes?from={GAS_AUTUMN}&to={after}&resolution=hour&format=csv"
    )
    header, *lines = body.decode("utf-8-sig").split("\r\n")[:-1]
    assert header.endswith(";Validatiestatus;Calorische Bovenwaarde;Omschrijving")
    assert len(lines) == 25 * 2
    first, second = lines[0].split(";"), lines[1].split(";")
    assert (first[0], first[1]) == ("25-10-2025", "06:00:00")  # a gas day begins at 06:00
    # The portal's order: a gas hour's kWh row (with the calorific value's state), then m³.
    assert first[6:12] == ["AMR-meter", "Afname", "22,500", "kWh", "Gevalideerd", "Definitief"]
    assert second[8:12] == ["2,000", "m³", "Gevalideerd", ""]
    # The repeated hour appears twice, in order, as the local clock shows it.
    assert [line.split(";")[1] for line in lines[40:46:2]] == ["02:00:00", "02:00:00", "03:00:00"]
    assert lines[-1].split(";")[3] == "06:00:00"  # and ends at 06:00 the next morning
    json_kwh = http.get(
        f"/v1/organisations/{EDV}/access-points/{GAS_AMR}/volumes?from={GAS_AUTUMN}&to={after}&resolution=day",
        token=edv.member,
    ).json
    assert (json_kwh["unit"], json_kwh["channels"]["offtake"][0]["value"]) == ("kWh", 562.5)
    json_m3 = http.get(
        f"/v1/organisations/{EDV}/access-points/{GAS_AMR}/volumes?from={GAS_AUTUMN}&to={after}&resolution=day&unit=m3",
        token=edv.member,
    ).json
    assert (json_m3["unit"], json_m3["channels"]["offtake"][0]["value"]) == ("m3", 50.0)
    batches, errors = read(body)
    assert errors == [], (errors, lines[:8])
    assert [(b.unit, b.conversion_factor, len(b.starts)) for b in batches] == [("m3", 11.25, 25)]


def test_a_csv_round_trips_through_the_ingest_parser(http: Http, world: World) -> None:
    edv = world.edv
    first, end = date(2025, 10, 24), date(2025, 10, 28)  # over the autumn change
    ingest(world, batch(DIGITAL, days_readings(first, end, value=lambda i: (i * 37 % 500) / 1000)))
    injection = days_readings(first, end, value=lambda i: (i % 3) / 1000)
    injection[10] = {"start": injection[10]["start"], "value": None, "status": "missing"}
    injection[11]["status"] = "estimated"
    ingest(world, batch(DIGITAL, injection, channel="injection"))
    _, _, body = get(
        http, edv, f"{DIGITAL}/volumes?from={first}&to={end}&resolution=quarter_hour&format=csv"
    )
    batches, errors = read(body)
    assert errors == []
    assert sorted((b.channel, b.resolution) for b in batches) == [
        ("injection", "quarter_hour"),
        ("offtake", "quarter_hour"),
    ]
    for raw in batches:
        parsed = parse(raw)
        assert parsed.errors == []
        stored = store.days_between(DIGITAL, raw.channel, first, end - timedelta(days=1))
        assert sorted(parsed.days) == sorted(stored)
        for day, (series, _) in parsed.days.items():
            assert list(series.values) == list(stored[day].values), day
            assert list(series.qualities) == list(stored[day].qualities), day


def test_pdf_and_png(http: Http, world: World) -> None:
    edv = world.edv
    ingest(world, batch(DIGITAL, days_readings(date(2025, 3, 1), date(2025, 3, 8))))
    query = f"{DIGITAL}/volumes?from=2025-03-01&to=2025-03-08&resolution=hour"
    status, headers, body = get(http, edv, query, Accept="application/pdf")
    assert (status, headers["content-type"]) == (200, "application/pdf")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    assert (
        DIGITAL in text
        and "Opgelet: deze meetgegevens zijn informatief" in text
        and "Afname" in text
    )
    status, headers, body = get(http, edv, query + "&format=png")
    assert (status, headers["content-type"]) == (200, "image/png")
    image = Image.open(io.BytesIO(body))
    assert image.format == "PNG" and image.width > 600


def test_a_year_of_quarter_hours_stays_within_the_6_mb_rule(http: Http, world: World) -> None:
    edv = world.edv
    first, end = date(2024, 1, 1), date(2024, 12, 31)  # 366 days of a leap year
    ingest(world, batch(DIGITAL, days_readings(first, end, value=lambda i: (i % 50) / 1000)))
    ingest(
        world,
        batch(
            DIGITAL, days_readings(first, end, value=lambda i: (i % 9) / 1000), channel="injection"
        ),
    )
    query = f"{DIGITAL}/volumes?from={first}&to={end}&resolution=quarter_hour"
    status, headers, body = get(http, edv, query, **{"Accept-Encoding": "gzip"})
    assert status == 200 and headers["content-encoding"] == "gzip"
    assert len(body) < 4_000_000
    document = gzip.decompress(body)
    assert len(document) > 6_000_000  # what it would have been
    import orjson

    points = orjson.loads(document)["channels"]["offtake"]
    assert len(points) == 365 * 96 - 4 + 4  # 2024: 92 and 100 on the change days
    # Without gzip: a 303 to a presigned URL, valid 15 minutes, that holds the same document.
    status, headers, body = get(http, edv, query)
    assert status == 303 and body == b""
    location = urlsplit(headers["location"])
    assert "X-Amz-Expires=900" in location.query
    key = (
        location.path.split("/", 2)[2]
        if location.path.startswith(f"/{settings().exports_bucket}/")
        else location.path.lstrip("/")
    )
    staged = s3().get_object(Bucket=settings().exports_bucket, Key=key)
    assert staged["Body"].read() == document
    # The file a person saves says what it holds: EAN, range and resolution.
    name = f"{DIGITAL}_{first}_{end}_quarter_hour.json"
    assert key.endswith(f"/{name}")
    assert staged["ContentDisposition"] == f'attachment; filename="{name}"'
    status, headers, body = get(http, edv, query + "&format=csv", **{"Accept-Encoding": "gzip"})
    assert status == 200 and len(body) < 4_000_000
    assert gzip.decompress(body).count(b"\r\n") == 1 + 2 * len(points)


def test_peak_power_per_month(http: Http, world: World) -> None:
    edv = world.edv
    ingest(
        world,
        batch(DIGITAL, day_readings(date(2025, 3, 30), value=lambda i: 0.9 if i == 40 else 0.2)),
    )  # DST day
    ingest(
        world,
        batch(DIGITAL, day_readings(date(2025, 4, 2), value=lambda i: 1.25 if i == 10 else 0.1)),
    )
    ingest(world, batch(DIGITAL, day_readings(date(2025, 4, 20), value=1.0), channel="injection"))
    answer = http.get(
        f"/v1/organisations/{EDV}/access-points/{DIGITAL}/peak-power?from=2025-03-01&to=2025-05-01",
        token=edv.member,
    )
    assert answer.status == 200
    assert answer.json["unit"] == "kW"
    assert answer.json["peaks"] == [
        {
            "month": "2025-03",
            "kw": 3.6,
            "date": "2025-03-30",
            "at": "2025-03-30T11:00:00+02:00",
        },  # slot 40 on a 92-slot day
        {"month": "2025-04", "kw": 5.0, "date": "2025-04-02", "at": "2025-04-02T02:30:00+02:00"},
    ]
    clipped = http.get(
        f"/v1/organisations/{EDV}/access-points/{DIGITAL}/peak-power?from=2025-04-03&to=2025-05-01",
        token=edv.member,
    )
    assert clipped.json["peaks"] == []  # the peak of April fell before the range


def test_peak_power_of_gas_only_for_amr(http: Http, world: World) -> None:
    edv = world.edv
    greet = customer_with_meter(world, "greet", ean(7), energy="gas", direction="offtake")
    grant(world, greet, EDV, ean(7), granularity="hour", period_start="2025-01-01")
    answer = http.get(
        f"/v1/organisations/{EDV}/access-points/{ean(7)}/peak-power?from=2025-01-01&to=2025-02-01",
        token=edv.member,
    )
    assert (answer.status, answer.code) == (422, "not_available")
    bakery_gas_with_hourly_mandate(http, world)
    ingest(
        world,
        batch(
            GAS_AMR,
            day_readings(date(2025, 1, 15), 60, value=lambda i: 3.0 if i == 8 else 1.0),
            resolution="hour",
            unit="m3",
            conversion_factor=10.0,
        ),
    )
    answer = http.get(
        f"/v1/organisations/{EDV}/access-points/{GAS_AMR}/peak-power?from=2025-01-01&to=2025-02-01",
        token=edv.member,
    )
    assert answer.json["peaks"] == [
        {"month": "2025-01", "kw": 30.0, "date": "2025-01-15", "at": "2025-01-15T14:00:00+01:00"}
    ]
