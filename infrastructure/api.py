"""The API: Chalice's own CDK construct (API Gateway and the API function), its role, and the
answers API Gateway gives on its own, in problem+json like everything else."""

from __future__ import annotations

import shutil
from pathlib import Path

from aws_cdk import Aws, Fn, Stack
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_lambda as lambda_
from chalice.cdk import Chalice

from chalicelib import invoke

from . import bundles
from .data import Data
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


class BundledChalice(Chalice):
    """Chalice's construct, shipping the API bundle (bundles.py) as the function's code. Chalice
    still writes the SAM template from the app's routes; with no requirements.txt in the project
    it packages only our code, which the bundle holds too, beside the API's locked packages."""

    def _package_app(self) -> None:
        super()._package_app()
        deployment = Path(self._sam_package_dir) / "deployment.zip"
        shutil.copyfile(bundles.build(bundles.BUNDLES["api"]), deployment)


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
        # Chalice's construct takes its stage name from the stack's id: edv-platform-{stage} has no
        # section in .chalice/config.json (whose `local` and `dev` are the local stack), so only
        # the variables below reach the deployed function.
        self.chalice = BundledChalice(
            stack,
            "Api",
            source_dir=str(ROOT),
            stage_config={
                "manage_iam_role": False,
                "iam_role_arn": self.role.role_arn,
                "lambda_memory_size": data.stage.api_memory_mb,
                "lambda_timeout": 29,
                "environment_variables": {
                    **data.environment(),
                    **{invoke.function_variable(n): f.function_name for n, f in invoked.items()},
                },
            },
        )
        rest_api = Fn.ref("RestAPI")
        # Named per stage: API Gateway's metrics are keyed by this name (ApiName).
        self.chalice.get_resource("RestAPI").add_property_override("Name", api_name)
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
