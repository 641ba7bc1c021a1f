"""AWS WAF in front of the system. On CloudFront (a web ACL of scope CLOUDFRONT, which AWS keeps
in us-east-1, hence a stack of its own per stage): a rate limit per client IP and AWS's managed
common and known-bad-inputs rules. On the API's regional stage: only requests that CloudFront
signed with the origin secret pass, so the execute-api hostname answers no one directly."""

from __future__ import annotations

from typing import Any

from aws_cdk import Stack
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from .stages import StageConfig

ORIGIN_HEADER = "x-origin-verify"  # CloudFront adds it to every request to the API origin
# The managed common rules' body limit is 8 KB; operators post readings of up to 6 MB (the API's
# own limits check bodies), so that one rule only counts.
COMMON_RULES_COUNTED = ("SizeRestrictions_BODY",)
TOO_MANY = (
    '{"type":"urn:problem-type:edv:too_many_requests","title":"Too many requests",'
    '"status":429,"detail":"Too many requests from this address; try again in a few minutes.",'
    '"code":"too_many_requests"}'
)
FORBIDDEN = (
    '{"type":"urn:problem-type:edv:forbidden","title":"Forbidden","status":403,'
    '"detail":"This request was refused.","code":"forbidden"}'
)


def _visibility(name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    return wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True, metric_name=name, sampled_requests_enabled=True
    )


def _managed(name: str, priority: int, counted: tuple[str, ...] = ()) -> Any:
    return wafv2.CfnWebACL.RuleProperty(
        name=name,
        priority=priority,
        override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
        statement=wafv2.CfnWebACL.StatementProperty(
            managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                vendor_name="AWS",
                name=name,
                rule_action_overrides=[
                    wafv2.CfnWebACL.RuleActionOverrideProperty(
                        name=rule, action_to_use=wafv2.CfnWebACL.RuleActionProperty(count={})
                    )
                    for rule in counted
                ]
                or None,
            )
        ),
        visibility_config=_visibility(name),
    )


def _block(status: int, body_key: str, headers: dict[str, str] | None = None) -> Any:
    return wafv2.CfnWebACL.RuleActionProperty(
        block=wafv2.CfnWebACL.BlockActionProperty(
            custom_response=wafv2.CfnWebACL.CustomResponseProperty(
                response_code=status,
                custom_response_body_key=body_key,
                response_headers=[
                    wafv2.CfnWebACL.CustomHTTPHeaderProperty(name=name, value=value)
                    for name, value in (headers or {}).items()
                ]
                or None,
            )
        )
    )


def _bodies(**bodies: str) -> dict[str, Any]:
    return {
        key: wafv2.CfnWebACL.CustomResponseBodyProperty(
            content_type="APPLICATION_JSON", content=content
        )
        for key, content in bodies.items()
    }


def _path_is(constraint: str, path: str) -> Any:
    return wafv2.CfnWebACL.StatementProperty(
        byte_match_statement=wafv2.CfnWebACL.ByteMatchStatementProperty(
            field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(uri_path={}),
            positional_constraint=constraint,
            search_string=path,
            text_transformations=[
                wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="LOWERCASE")
            ],
        )
    )


def _token_rate_limit(limit: int) -> Any:
    """A tighter rate per client IP on the token endpoints (ours, and the Entra-shaped one under
    a tenant path): guessing a client secret is slow, and costs us memory, not the guesser."""
    return wafv2.CfnWebACL.RuleProperty(
        name="TokenRequestsPerClientIp",
        priority=1,
        action=_block(429, "too_many", {"Retry-After": "300"}),
        statement=wafv2.CfnWebACL.StatementProperty(
            rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                limit=limit,
                aggregate_key_type="IP",
                evaluation_window_sec=300,
                scope_down_statement=wafv2.CfnWebACL.StatementProperty(
                    or_statement=wafv2.CfnWebACL.OrStatementProperty(
                        statements=[
                            _path_is("EXACTLY", "/oauth2/token"),
                            _path_is("ENDS_WITH", "/oauth2/v2.0/token"),
                        ]
                    )
                ),
            )
        ),
        visibility_config=_visibility("TokenRequestsPerClientIp"),
    )


class EdgeStack(Stack):
    """The stage's CloudFront web ACL, in us-east-1; the stage's stack reads its ARN."""

    def __init__(self, scope: Construct, stage: StageConfig, **kwargs: Any) -> None:
        name = f"edv-platform-{stage.name}-edge"
        super().__init__(scope, name, stack_name=name, cross_region_references=True, **kwargs)
        rate_limit = wafv2.CfnWebACL.RuleProperty(
            name="RequestsPerClientIp",
            priority=0,
            action=_block(429, "too_many", {"Retry-After": "300"}),
            statement=wafv2.CfnWebACL.StatementProperty(
                rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                    limit=stage.edge.requests_per_ip_per_5_minutes,
                    aggregate_key_type="IP",
                    evaluation_window_sec=300,
                )
            ),
            visibility_config=_visibility("RequestsPerClientIp"),
        )
        self.web_acl = wafv2.CfnWebACL(
            self,
            "WebAcl",
            scope="CLOUDFRONT",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            rules=[
                rate_limit,
                _token_rate_limit(stage.edge.token_requests_per_ip_per_5_minutes),
                _managed("AWSManagedRulesCommonRuleSet", 2, COMMON_RULES_COUNTED),
                _managed("AWSManagedRulesKnownBadInputsRuleSet", 3),
            ],
            custom_response_bodies=_bodies(too_many=TOO_MANY),
            visibility_config=_visibility(f"edv-{stage.name}-edge"),
        )


def origin_lock(stack: Stack, stage: StageConfig, secret: str, stage_arn: str) -> wafv2.CfnWebACL:
    """The API stage's regional web ACL: a request without CloudFront's origin secret is
    refused before any Lambda runs."""
    from_cloudfront = wafv2.CfnWebACL.RuleProperty(
        name="FromCloudFront",
        priority=0,
        action=wafv2.CfnWebACL.RuleActionProperty(allow={}),
        statement=wafv2.CfnWebACL.StatementProperty(
            byte_match_statement=wafv2.CfnWebACL.ByteMatchStatementProperty(
                field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(
                    single_header={"Name": ORIGIN_HEADER}
                ),
                positional_constraint="EXACTLY",
                search_string=secret,
                text_transformations=[
                    wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="NONE")
                ],
            )
        ),
        visibility_config=_visibility("FromCloudFront"),
    )
    acl = wafv2.CfnWebACL(
        stack,
        "ApiOriginLock",
        scope="REGIONAL",
        default_action=wafv2.CfnWebACL.DefaultActionProperty(block=_block(403, "forbidden").block),
        rules=[from_cloudfront],
        custom_response_bodies=_bodies(forbidden=FORBIDDEN),
        visibility_config=_visibility(f"edv-{stage.name}-api-origin"),
    )
    wafv2.CfnWebACLAssociation(
        stack, "ApiOriginLockAssociation", resource_arn=stage_arn, web_acl_arn=acl.attr_arn
    )
    return acl
