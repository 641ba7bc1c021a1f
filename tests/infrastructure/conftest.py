"""Synthesise the CDK app once per test session, offline, exactly as `make synth` does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
STAGES = ("dev", "prod")
# The deploying environment's region, as the CDK CLI passes it: one nothing in the code names, so
# a region written into the code would show in the templates.
DEPLOY_REGION = "eu-south-2"
ALARM_EMAIL = "netbeheer-alarmen@example.org"  # prod must have a subscriber (stages.check)


@dataclass(frozen=True)
class Assembly:
    outdir: Path

    def template(self, stage: str, stack: str = "") -> dict[str, Any]:
        """The stage's stack, or its `-edge` stack (us-east-1)."""
        path = self.outdir / f"edv-platform-{stage}{stack}.template.json"
        return dict(json.loads(path.read_text()))

    def asset(self, key: str) -> Path:
        """The file an S3 asset key (`<hash>.zip`) stands for."""
        return self.outdir / f"asset.{key}"


@pytest.fixture(scope="session")
def assembly(tmp_path_factory: pytest.TempPathFactory) -> Assembly:
    work = tmp_path_factory.mktemp("synth")
    outdir = work / "cdk.out"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "CDK_OUTDIR": str(outdir),
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
        "CDK_CONTEXT_JSON": json.dumps({"alarm_email_prod": ALARM_EMAIL}),
    }
    env.pop("CDK_DEFAULT_ACCOUNT", None)
    env["CDK_DEFAULT_REGION"] = DEPLOY_REGION
    # In its own folder: chalice writes its packages to ./chalice.out.
    completed = subprocess.run(
        [sys.executable, "-m", "infrastructure.app"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert completed.returncode == 0, completed.stderr[-4000:]
    return Assembly(outdir)


@pytest.fixture(scope="session")
def templates(assembly: Assembly) -> dict[str, dict[str, Any]]:
    return {stage: assembly.template(stage) for stage in STAGES}


@pytest.fixture(scope="session")
def edge_templates(assembly: Assembly) -> dict[str, dict[str, Any]]:
    return {stage: assembly.template(stage, "-edge") for stage in STAGES}


@pytest.fixture(params=STAGES)
def stage(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def template(templates: dict[str, dict[str, Any]], stage: str) -> dict[str, Any]:
    """The stage's own stack (each test taking it runs once per stage)."""
    return templates[stage]
