"""cdk-nag's rule packs (AWS Solutions, Serverless) over every stack, through CDK's policy
validation: synthesis fails on a finding, so `cdk synth`, `cdk deploy` and the suite stop on a new
one. Each accepted finding is acknowledged in code, next to its resource, with the reason; a
wildcard finding names the exact action group or resource pattern it accepts, nothing wider."""

from __future__ import annotations

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks, ServerlessChecks
from constructs import IConstruct


def check(app: cdk.App) -> None:
    # Acknowledged findings also go into each resource's Metadata (cdk_nag.rules_to_suppress),
    # so the templates say what was accepted and why (tests/infrastructure/test_edge.py).
    options = {"verbose": True, "write_suppressions_to_cloud_formation": True}
    cdk.Validations.of(app).add_plugins(
        AwsSolutionsChecks(app, **options), ServerlessChecks(app, **options)
    )


def accept(construct: IConstruct, **reasons: str) -> None:
    """Acknowledge the named findings (`AwsSolutions_L1="why"`) on the construct and below."""
    acknowledge(construct, {rule.replace("_", "-"): reason for rule, reason in reasons.items()})


def acknowledge(construct: IConstruct, reasons: dict[str, str]) -> None:
    cdk.Validations.of(construct).acknowledge(
        *(cdk.Acknowledgment(id=rule, reason=reason) for rule, reason in reasons.items())
    )


def arn_of(resource: IConstruct) -> str:
    """How cdk-nag writes a resource's ARN in a finding: `<LogicalId.Arn>`."""
    element = resource.node.default_child or resource
    return f"<{cdk.Stack.of(resource).get_logical_id(element)}.Arn>"


def wildcards(construct: IConstruct, reason: str, *findings: str) -> None:
    """Acknowledge AwsSolutions-IAM5 for exactly these findings: `Action::s3:GetObject*`,
    `Resource::<Bucket.Arn>/*`, …"""
    acknowledge(construct, {f"AwsSolutions-IAM5[{finding}]": reason for finding in findings})


def managed_policy(construct: IConstruct, reason: str, name: str) -> None:
    """Acknowledge AwsSolutions-IAM4 for one AWS managed policy (`service-role/…`)."""
    finding = f"Policy::arn:<AWS::Partition>:iam::aws:policy/{name}"
    acknowledge(construct, {f"AwsSolutions-IAM4[{finding}]": reason})
