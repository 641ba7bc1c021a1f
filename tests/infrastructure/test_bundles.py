"""Each Lambda bundle as `make synth` ships it, opened in a clean virtual environment (nothing
installed but the bundle on its path, as in Lambda): its handlers import, every package its code can
reach is there, what it must not carry is not, and it fits its size limit."""

from __future__ import annotations

import base64
import io
import json
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import zxingcpp
from PIL import Image

from chalicelib.domain.vocabulary import Channel
from chalicelib.domain.volumes import ChannelSeries
from chalicelib.render import requests
from infrastructure.bundles import AWS_SERVICES, BUNDLES, MB, Bundle, size_of
from tests.infrastructure.conftest import Assembly
from tests.infrastructure.test_assets import functions_of
from tests.support.imports import reachable

PROBE = Path(__file__).parents[1] / "support" / "bundle_probe.py"
# What each bundle must not carry: the API not the charting stack, the rest not what they never use.
ABSENT = {
    "api": ("numpy", "matplotlib", "PIL", "fpdf", "fontTools"),
    "render": ("boto3", "botocore", "pynamodb", "cryptography", "pydantic"),
    "jobs": ("numpy", "matplotlib", "PIL", "fpdf", "pydantic", "jwt"),
    "webhooks": ("numpy", "matplotlib", "PIL", "cryptography", "pydantic", "qrcode"),
    "ingest": ("matplotlib", "PIL", "fpdf", "cryptography", "pydantic", "qrcode"),
    "export": ("matplotlib", "PIL", "fpdf", "cryptography", "pydantic", "qrcode"),
}


def bundle_of(handler: str) -> Bundle:
    return next(bundle for bundle in BUNDLES.values() if handler in bundle.handlers)


@pytest.fixture(scope="module")
def shipped(assembly: Assembly, templates: dict[str, dict[str, Any]]) -> dict[str, Path]:
    """Each bundle's asset, as the templates give it to its functions."""
    assets: dict[str, set[str]] = {}
    for template in templates.values():
        for handler, key in functions_of(template).values():
            assets.setdefault(bundle_of(handler).name, set()).add(key)
    assert all(len(keys) == 1 for keys in assets.values()), assets  # one asset, every stage
    return {name: assembly.asset(keys.pop()) for name, keys in assets.items()}


@pytest.fixture(scope="module")
def environments(templates: dict[str, dict[str, Any]]) -> dict[str, dict[str, str]]:
    """Each bundle's function environment in the prod template, as a deployed function has it
    (a reference to another resource stands in as a name), with Lambda's own variable."""
    found = {}
    for resource in templates["prod"]["Resources"].values():
        props = resource["Properties"]
        handler = props.get("Handler", "")
        if resource["Type"].endswith("::Function") and any(
            handler in b.handlers for b in BUNDLES.values()
        ):
            variables = props.get("Environment", {}).get("Variables", {})
            named = {
                k: v if isinstance(v, str) else f"resolved-{k.lower()}"
                for k, v in variables.items()
            }
            found[bundle_of(handler).name] = {**named, "AWS_LAMBDA_FUNCTION_NAME": handler}
    return found


@pytest.fixture(scope="module")
def clean_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtual environment with nothing installed, not even pip."""
    folder = tmp_path_factory.mktemp("clean") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    return folder / "bin" / "python"


def probe(python: Path, archive: Path, folder: Path, **orders: Any) -> dict[str, Any]:
    task = folder / "task"
    if not task.exists():
        with zipfile.ZipFile(archive) as opened:
            opened.extractall(task)
    # As Lambda runs a handler: read-only code (no bytecode written), only the bundle to import.
    environment = {"PYTHONDONTWRITEBYTECODE": "1", "PATH": "/usr/bin:/bin", "HOME": str(folder)}
    environment |= {
        "AWS_ACCESS_KEY_ID": "x",
        "AWS_SECRET_ACCESS_KEY": "x",
        "AWS_REGION": "eu-west-1",
    }
    done = subprocess.run(
        [str(python), "-I", str(PROBE)],
        input=json.dumps({"task": str(task), **orders}),
        capture_output=True,
        text=True,
        env=environment,
        cwd=folder,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    findings: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    assert findings["prefix"] == str(python.parent.parent)
    return findings


def test_every_function_runs_the_bundle_made_for_its_handler(shipped: dict[str, Path]) -> None:
    assert set(shipped) == set(BUNDLES)
    assert len({path.name for path in shipped.values()}) == len(BUNDLES)


def test_each_bundle_fits_its_limit_below_lambdas(shipped: dict[str, Path]) -> None:
    for name, archive in shipped.items():
        size = size_of(archive)
        assert size.unpacked <= BUNDLES[name].limit_mb * MB, f"{name}: {size.unpacked / MB:.1f} MB"
        assert size.unpacked <= 200 * MB
    assert size_of(shipped["api"]).unpacked <= 60 * MB


@pytest.mark.parametrize("name", sorted(BUNDLES))
def test_a_bundle_imports_its_handlers_and_all_they_reach_with_only_what_it_carries(
    name: str,
    shipped: dict[str, Path],
    environments: dict[str, dict[str, str]],
    clean_python: Path,
    tmp_path: Path,
) -> None:
    """With the environment the stack gives it: the cold start's configuration check passes."""
    bundle = BUNDLES[name]
    _, packages = reachable(*bundle.modules)
    findings = probe(
        clean_python,
        shipped[name],
        tmp_path,
        handlers=list(bundle.handlers),
        imports=sorted(packages),
        absent=list(ABSENT[name]),
        services=[*AWS_SERVICES, "ec2"] if bundle.boto else [],
        environment=environments[name],
    )
    assert all(findings["handlers"].values()), findings["handlers"]
    assert all(findings["imports"].values()), findings["imports"]
    assert all(findings["absent"].values()), findings["absent"]
    if bundle.boto:  # the models of the services we call, and no others
        assert findings["clients"] == {**dict.fromkeys(AWS_SERVICES, True), "ec2": False}


def test_the_rendering_bundle_draws_on_its_own(
    shipped: dict[str, Path], clean_python: Path, tmp_path: Path
) -> None:
    starts = ["2025-03-30T00:00:00+01:00", "2025-03-30T01:00:00+01:00", "2025-03-30T03:00:00+02:00"]
    ends = [*starts[1:], "2025-03-30T04:00:00+02:00"]
    series = ChannelSeries(starts=starts, ends=ends, values=[1200, 800, 950], qualities=[1, 2, 1])
    chart = requests.VolumesChart({"offtake": series}, "kWh", "Zondag", fine=True)
    header = requests.Header("Verbruik", [("Periode", "30/03/2025")], "kWh", "Let op.", "voet")
    details = requests.ContractDetails(
        "Zonnig", "0123456749", Channel.PORTAL_AND_API, "C-1", date(2025, 1, 2), "An"
    )
    drawings: dict[str, requests.Drawing] = {
        "png": chart,
        "pdf": requests.VolumesReport(header, chart, {"offtake": series}, None, False, True),
        "contract": requests.Contract(details),
    }
    for kind, drawing in drawings.items():
        call = {
            "function": "functions.render.handler",
            "arguments": [requests.to_event(drawing), None],
        }
        answer = probe(
            clean_python, shipped["render"], tmp_path, handlers=[], imports=[], absent=[], call=call
        )["answer"]
        body = requests.from_answer(answer)
        assert answer["content_type"] == ("image/png" if kind == "png" else "application/pdf")
        if kind == "png":
            assert Image.open(io.BytesIO(body)).size[0] > 500
        else:
            assert body.startswith(b"%PDF-")


@pytest.mark.parametrize("name", ["api", "jobs"])
def test_the_stappenplan_qr_code_is_drawn_without_pillow(
    name: str, shipped: dict[str, Path], clean_python: Path, tmp_path: Path
) -> None:
    url = "https://mijn.example.be/verbruik/toegang/0123456749/"
    call = {"function": "chalicelib.render.stappenplan.qr_png", "arguments": [url]}
    findings = probe(
        clean_python, shipped[name], tmp_path, handlers=[], imports=[], absent=["PIL"], call=call
    )
    png = Image.open(io.BytesIO(base64.b64decode(findings["answer"])))
    assert [code.text for code in zxingcpp.read_barcodes(png)] == [url]
