"""The API: Chalice's own CDK construct (API Gateway and the API function), its role, and the
answers API Gateway gives on its own, in problem+json like everything else. A regional endpoint
that only CloudFront may call (firewall.origin_lock), throttled per stage, with JSON access logs;
the function's concurrency reserved, so a flood cannot starve the other functions."""

from __future__ import annotations

import json
from pathlib import Path

from aws_cdk import Aws, Fn, Stack
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3_assets as s3_assets
from chalice.cdk import Chalice

from chalicelib import invoke

from . import bundles, nag
from .data import Data
from .firewall import origin_lock
from .logs import log_group
from .permissions import API

ROOT = Path(__file__).resolve().parents[1]

PROBLEM_TEMPLATE = (
    '{"type":"urn:problem-type:edv:%s","title":"%s","status":%d,'
    '"detail":$context.error.messageString,"code":"%s"}'
)
GATEWAY_PROBLEMS = (
    ("MISSING_AUTHENTICATION_TOKEN", 404, "not_found", "Not found"),
    ("DEFAULT_4XX", 400, "bad_request", "Bad request"),
    ("DEFAULT_5XX", 502, "service_unavailable", "Service unavailable"),
)
# One JSON line per request. The route is the resource's template (`…/access-points/{ean}`),
# never the path or the query string, which carry EANs.
ACCESS_LOG_FORMAT = json.dumps(
    {
        "requestId": "$context.requestId",
        "time": "$context.requestTimeEpoch",
        "method": "$context.httpMethod",
        "route": "$context.resourcePath",
        "status": "$context.status",
        "latencyMs": "$context.responseLatency",
        "integrationLatencyMs": "$context.integrationLatency",
        "responseBytes": "$context.responseLength",
        "wafResponse": "$context.waf.status",
    },
    separators=(",", ":"),
)


class Api:
    def __init__(
        self, stack: Stack, data: Data, api_name: str, functions: dict[str, lambda_.Function]
    ) -> None:
        self.role = data.role("ApiRole", API)
        data.may_read_secrets(self.role)
        data.may_queue_webhooks(self.role)  # test events, dispatch on change
        invoked = {name: functions[name.capitalize()] for name in sorted(API.invokes)}
        for function in invoked.values():
            function.grant_invoke(self.role)
        nag.wildcards(
            self.role,
            "Lambda's invoke grant covers the function's versions and aliases (`:*`).",
            *(f"Resource::{nag.arn_of(f)}:*" for f in invoked.values()),
        )
        # Chalice's construct takes its stage name from the stack's id: edv-platform-{stage} has no
        # section in .chalice/config.json (whose `local` and `dev` are the local stack), so only
        # the variables below reach the deployed function.
        self.chalice = Chalice(
            stack,
            "Api",
            source_dir=str(ROOT),
            stage_config={
                "manage_iam_role": False,
                "iam_role_arn": self.role.role_arn,
                "lambda_memory_size": data.stage.api_memory_mb,
                "lambda_timeout": 29,
                "api_gateway_endpoint_type": "REGIONAL",  # CloudFront is the edge
                "reserved_concurrency": data.stage.edge.api_reserved_concurrency,
                "environment_variables": {
                    **data.environment(),
                    **data.api_secrets(),
                    **{invoke.function_variable(n): f.function_name for n, f in invoked.items()},
                },
            },
        )
        # Chalice writes the API from the app's routes and packages our code; the function ships
        # the API bundle instead (bundles.py: the same code beside the API's locked packages),
        # swapped in through the construct's public surface, the included template's resource.
        bundle = s3_assets.Asset(
            stack, "ApiBundle", path=str(bundles.build(bundles.BUNDLES["api"]))
        )
        self.chalice.get_resource("APIHandler").add_property_override(
            "CodeUri", {"Bucket": bundle.s3_bucket_name, "Key": bundle.s3_object_key}
        )
        rest_api = Fn.ref("RestAPI")
        stage = data.stage
        api_resource = self.chalice.get_resource("RestAPI")
        # Named per stage: API Gateway's metrics are keyed by this name (ApiName).
        api_resource.add_property_override("Name", api_name)
        api_resource.add_property_override(
            "MethodSettings",
            [
                {
                    "ResourcePath": "/*",
                    "HttpMethod": "*",
                    "ThrottlingRateLimit": stage.edge.api_requests_per_second,
                    "ThrottlingBurstLimit": stage.edge.api_burst,
                }
            ],
        )
        retain = stage.retain_data
        access_logs = log_group(stack, "ApiAccessLogs", stage.retention.access_log_days, retain)
        api_resource.add_property_override(
            "AccessLogSetting",
            {"DestinationArn": access_logs.log_group_arn, "Format": ACCESS_LOG_FORMAT},
        )
        _may_log(stack)
        function_logs = log_group(stack, "ApiLogs", stage.retention.function_log_days, retain)
        function_logs.grant_write(self.role)
        self.chalice.get_resource("APIHandler").add_property_override(
            "LoggingConfig", {"LogGroup": function_logs.log_group_name, "LogFormat": "Text"}
        )
        stage_arn = Fn.sub(
            "arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/${RestAPI}/stages/"
            "${RestAPI.Stage}"
        )
        origin_lock(stack, stage, data.origin_secret_value, stage_arn)
        for response_type, status, code, title in GATEWAY_PROBLEMS:
            apigateway.CfnGatewayResponse(
                stack,
                f"Problem{response_type}",
                rest_api_id=rest_api,
                response_type=response_type,
                status_code=str(status)
                if response_type == "MISSING_AUTHENTICATION_TOKEN"
                else None,
                response_parameters={
                    "gatewayresponse.header.Content-Type": "'application/problem+json'"
                },
                response_templates={
                    "application/json": PROBLEM_TEMPLATE % (code, title, status, code)
                },
            )
        self.domain = f"{rest_api}.execute-api.{Aws.REGION}.{Aws.URL_SUFFIX}"
        self.function_name = Fn.ref("APIHandler")


def _may_log(stack: Stack) -> None:
    """API Gateway writes access logs with a role set once per account and region."""
    role = iam.Role(
        stack,
        "ApiGatewayLogsRole",
        assumed_by=iam.ServicePrincipal("apigateway.amazonaws.com"),
        managed_policies=[
            iam.ManagedPolicy.from_aws_managed_policy_name(
                "service-role/AmazonAPIGatewayPushToCloudWatchLogs"
            )
        ],
    )
    nag.managed_policy(
        role,
        "AWS's own policy for API Gateway's log role, as its guide prescribes; only API Gateway "
        "may assume the role.",
        "service-role/AmazonAPIGatewayPushToCloudWatchLogs",
    )
    apigateway.CfnAccount(stack, "ApiGatewayAccount", cloud_watch_role_arn=role.role_arn)
