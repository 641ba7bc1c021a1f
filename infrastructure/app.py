"""The CDK app: `make synth` writes the CloudFormation templates of each stage to cdk.out/, offline:
the stage's stack, in the deploying environment's region, and its edge stack in us-east-1, where
CloudFront's web ACL must live (its ARN crosses over by CDK's cross-region references).

Pick stages with `-c stage=prod` (CDK CLI) or `python -m infrastructure.app prod`; default: all.
The alarms' subscriber comes as context, `-c alarm_email_prod=…` (required in prod). The account
comes from the deploying environment, never from this code; so does the region, except offline,
where the templates are made for eu-west-1 (nothing regional is written into them)."""

from __future__ import annotations

import os
import sys
from dataclasses import replace

import aws_cdk as cdk

from . import nag
from .firewall import EdgeStack
from .stack import EdvPlatformStack
from .stages import STAGES, check

# CDK behaviours this app relies on, set here so synthesis run directly (tests, make synth) and
# through the CDK CLI (cdk.json) is the same.
FEATURE_FLAGS = {
    "@aws-cdk/core:stackRelativeExports": True,
    # S3 access logs are written under the log bucket's policy, not with ACLs.
    "@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy": True,
    # The policy validation report (cdk-nag's findings) also as JSON in the cloud assembly.
    "@aws-cdk/core:validationReportJson": True,
}
OFFLINE_REGION = "eu-west-1"
EDGE_REGION = "us-east-1"  # CloudFront's web ACLs and certificates live there, whatever the stage


def build(stage_names: list[str] | None = None, outdir: str | None = None) -> cdk.App:
    # Chalice's packager makes an AWS client, which wants a region, though nothing regional lands
    # in the templates (a test checks): offline, any region does.
    region = os.environ.get("CDK_DEFAULT_REGION") or OFFLINE_REGION
    os.environ.setdefault("AWS_DEFAULT_REGION", region)
    app = cdk.App(outdir=outdir, context=FEATURE_FLAGS)
    requested = app.node.try_get_context("stage")
    names = stage_names or ([requested] if requested else list(STAGES))
    unknown = [name for name in names if name not in STAGES]
    if unknown:
        raise SystemExit(f"unknown stage {unknown}; known: {', '.join(STAGES)}")
    account = os.environ.get("CDK_DEFAULT_ACCOUNT")
    for name in names:
        stage = STAGES[name]
        email = app.node.try_get_context(f"alarm_email_{name}")
        listed = app.node.try_get_context(f"operators_{name}") or ""
        operators = tuple(sub.strip() for sub in listed.split(",") if sub.strip())
        stage = replace(
            stage, alarm_email=email or stage.alarm_email, operators=operators or stage.operators
        )
        problems = check(stage)
        if problems:
            raise SystemExit("; ".join(problems))
        edge = EdgeStack(app, stage, env=cdk.Environment(account=account, region=EDGE_REGION))
        EdvPlatformStack(app, stage, edge, env=cdk.Environment(account=account, region=region))
    nag.check(app)
    return app


if __name__ == "__main__":
    # The CDK CLI names the output folder; run directly, it is cdk.out/.
    build(sys.argv[1:] or None, outdir=os.environ.get("CDK_OUTDIR", "cdk.out")).synth()
