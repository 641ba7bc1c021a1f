"""A client generated from our served OpenAPI document, with a standard generator from PyPI
(openapi-python-client), gets a token and reads mandates and energy, unchanged. If the document
lied about a parameter, a body or an answer, the generated code would fail here."""

from __future__ import annotations

import importlib
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx

from devstack.server import LocalStack
from devstack.wsgi import wsgi_app
from tests.support.http import Http
from tests.support.machine import secret_client
from tests.support.readings import batch, day_readings
from tests.support.world import World, customer_with_meter, ean, grant, ingest

EDV = "0123456749"
METER = ean(1)
DAY = date(2025, 3, 30)  # 92 quarter-hours


def generate(document: bytes, into: Path) -> Any:
    (into / "openapi.json").write_bytes(document)
    (into / "config.yaml").write_text("post_hooks: []\n")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "openapi_python_client",
            "generate",
            "--path",
            str(into / "openapi.json"),
            "--config",
            str(into / "config.yaml"),
            "--output-path",
            str(into / "edv_generated"),
            "--meta",
            "none",
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    sys.path.insert(0, str(into))
    return importlib.import_module("edv_generated")


def test_a_generated_client_reads_mandates_and_energy(http: Http, tmp_path: Path) -> None:
    world = World(http)
    edv = world.active(EDV, "Zonnig")
    karel = customer_with_meter(world, "karel", METER)
    grant(world, karel, EDV, METER, period_start="2025-01-01", period_end="2026-01-01")
    ingest(world, batch(METER, day_readings(DAY)))
    machine = secret_client(http, edv)
    from app import app

    generated = generate(http.get("/openapi.json").body, tmp_path)
    token_api = importlib.import_module("edv_generated.api.token_service.issue_token")
    models = importlib.import_module("edv_generated.models")
    mandates_api = importlib.import_module(
        "edv_generated.api.edv_machine_api_esco_v_3.esco_get_mandates"
    )
    energy_api = importlib.import_module(
        "edv_generated.api.edv_machine_api_esco_v_3.esco_get_energy"
    )
    transport = httpx.WSGITransport(app=wsgi_app(LocalStack(app, pages_bucket="", s3=None)))
    base = "http://127.0.0.1:8000"

    anonymous = generated.Client(base_url=base, httpx_args={"transport": transport})
    issued = token_api.sync(
        client=anonymous,
        body=models.TokenForm(
            grant_type="client_credentials",
            client_id=machine.client_id,
            client_secret=machine.secret,
        ),
    )
    assert isinstance(issued, models.TokenAnswer), issued
    client = generated.AuthenticatedClient(
        base_url=base,
        token=issued.access_token,
        headers={"Ocp-Apim-Subscription-Key": machine.subscription_key},
        httpx_args={"transport": transport},
    )
    listed = mandates_api.sync(client=client)
    assert isinstance(listed, models.GetMandatesResponse), listed
    assert [m.ean for m in listed.data.mandates] == [METER]
    energy = energy_api.sync(
        client=client,
        ean=METER,
        period_type=models.EscoGetEnergyPeriodtype.READTIME,
        from_=datetime(2025, 3, 29, 23, tzinfo=UTC),
        to=datetime(2025, 3, 30, 22, tzinfo=UTC),
    )
    assert isinstance(energy, models.GetEnergyResponse), energy
    headpoint = energy.data.headpoint
    assert isinstance(headpoint, models.MeteringOnMeter)
    assert len(headpoint.physical_meters[0].quarter_hourly_energy) == 92
    assert len(headpoint.physical_meters[0].daily_energy) == 1
