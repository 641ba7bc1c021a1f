"""The PDF report as a person reads it (R11): rendered to PNG (test-artifacts/pdf/, looked at),
and its text checked: the EDV's name, the period in words, totals in the portal's number format,
Dutch words only (no enum names, no ISO timestamps), page numbers."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from pathlib import Path

import pypdfium2
import pytest
from pypdf import PdfReader

from tests.support.http import Http
from tests.support.readings import batch, days_readings
from tests.support.world import World, customer_with_meter, grant, ingest

EDV = "0123456749"
DIGITAL = "541448820000000930"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "pdf"
WEEK = (date(2025, 3, 3), date(2025, 3, 10))  # Monday to Monday


@pytest.fixture(scope="module")
def reports() -> dict[str, bytes]:
    return {}


@pytest.fixture
def world(http: Http) -> World:
    world = World(http)
    world.edv = world.active(EDV, "Zonnig Advies BV")
    karel = customer_with_meter(world, "karel", DIGITAL)
    grant(world, karel, EDV, DIGITAL, period_start="2024-01-01", period_end="2026-01-01")
    value = lambda i: 0.05 + (i % 9) / 100  # noqa: E731
    ingest(world, batch(DIGITAL, days_readings(*WEEK, value=value)))
    ingest(world, batch(DIGITAL, days_readings(*WEEK, value=0.01), channel="injection"))
    year = [
        {
            "start": (date(2024, 3, 1) + timedelta(days=n)).isoformat(),
            "value": 9.5,
            "status": "validated",
        }
        for n in range(365)
    ]
    ingest(world, batch(DIGITAL, year, resolution="day"))
    return world


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("dag-kwartier", "from=2025-03-03&to=2025-03-04&resolution=quarter_hour"),
        ("week-uur", f"from={WEEK[0]}&to={WEEK[1]}&resolution=hour"),
        ("maand-dag", "from=2025-03-01&to=2025-04-01&resolution=day"),
        ("jaar-maand", "from=2024-03-01&to=2025-03-01&resolution=month"),
    ],
)
def test_the_report_reads_as_the_portal_does(
    http: Http, world: World, name: str, query: str
) -> None:
    answer = http.get(
        f"/v1/organisations/{EDV}/access-points/{DIGITAL}/volumes?{query}",
        token=world.edv.member,
        headers={"Accept": "application/pdf"},
    )
    assert answer.status == 200, answer.body
    shown = http.get(
        f"/v1/organisations/{EDV}/access-points/{DIGITAL}/volumes?{query}",
        token=world.edv.member,
    ).json
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    document = pypdfium2.PdfDocument(answer.body)
    for index in range(min(len(document), 2)):
        image = document[index].render(scale=1.5).to_pil()
        image.save(ARTIFACTS / f"{name}-p{index + 1}.png")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(answer.body)).pages)
    assert "Zonnig Advies BV (0123.456.749)" in text
    assert re.search(
        r"\d{1,2} (januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december) \d{4}",
        text,
    )
    assert "Totalen" in text and "Afname dagtarief" in text
    offtake = sum(p["value"] or 0 for p in shown["channels"]["offtake"])
    formatted = f"{offtake:,.3f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    assert f"{formatted} kWh" in text, formatted
    assert f"Pagina 1 van {len(document)}" in text
    for leaked in (
        "quarter_hour",
        "validated",
        "estimated",
        "offtake",
        "injection",
        "T00:00",
        "+01:00",
    ):
        assert leaked not in text, leaked


def test_an_organisations_report_names_the_customer(http: Http, world: World) -> None:
    from tests.support.world import Customer, register_access_point

    bakery, shop = "0444444496", "541448820000000947"
    http.link(bakery, "bert", "admin", "Bakkerij De Korst")
    register_access_point(world, shop, grid_user={"enterprise_number": bakery})
    grant(world, Customer("bert", http.token("bert")), EDV, shop, period_start="2024-01-01")
    ingest(world, batch(shop, days_readings(WEEK[0], WEEK[0] + timedelta(days=1))))
    answer = http.get(
        f"/v1/organisations/{EDV}/access-points/{shop}/volumes?from={WEEK[0]}&to={WEEK[1]}&resolution=day",
        token=world.edv.member,
        headers={"Accept": "application/pdf"},
    )
    text = PdfReader(io.BytesIO(answer.body)).pages[0].extract_text()
    assert "Klant Bakkerij De Korst (0444.444.496)" in text
