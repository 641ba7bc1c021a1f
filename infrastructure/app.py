"""The CDK app: `make synth` writes one CloudFormation template per stage to cdk.out/, offline.

Pick stages with `-c stage=prod` (CDK CLI) or `python -m infrastructure.app prod`; default: all.
The account and region come from the deploying environment, never from this code."""

from __future__ import annotations

import os
import sys

import aws_cdk as cdk

from .stack import EdvPlatformStack
from .stages import STAGES


def build(stage_names: list[str] | None = None, outdir: str | None = None) -> cdk.App:
    # Chalice's packager makes an AWS client, which wants a region, though nothing regional lands
    # in the templates (a test checks): offline, any region does.
    os.environ.setdefault("AWS_DEFAULT_REGION", os.environ.get("CDK_DEFAULT_REGION", "eu-west-1"))
    app = cdk.App(outdir=outdir)
    requested = app.node.try_get_context("stage")
    names = stage_names or ([requested] if requested else list(STAGES))
    unknown = [name for name in names if name not in STAGES]
    if unknown:
        raise SystemExit(f"unknown stage {unknown}; known: {', '.join(STAGES)}")
    environment = cdk.Environment(
        account=os.environ.get("CDK_DEFAULT_ACCOUNT"), region=os.environ.get("CDK_DEFAULT_REGION")
    )
    for name in names:
        EdvPlatformStack(app, STAGES[name], env=environment)
    return app


if __name__ == "__main__":
    # The CDK CLI names the output folder; run directly, it is cdk.out/.
    build(sys.argv[1:] or None, outdir=os.environ.get("CDK_OUTDIR", "cdk.out")).synth()
