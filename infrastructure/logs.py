"""Log groups made explicitly, each kept as long as the stage says (stages.Retention), instead of
the ones Lambda and API Gateway make on first use, which keep everything for ever."""

from __future__ import annotations

from aws_cdk import RemovalPolicy, Stack
from aws_cdk import aws_logs as logs


def log_group(stack: Stack, name: str, days: int, retain: bool) -> logs.LogGroup:
    group = logs.LogGroup(
        stack, name, removal_policy=RemovalPolicy.RETAIN if retain else RemovalPolicy.DESTROY
    )
    # The L1 property takes any allowed number of days (stages.check holds it to those).
    group.node.default_child.add_property_override("RetentionInDays", days)
    return group
