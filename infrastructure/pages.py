"""The public face: CloudFront serving the pages bucket and, under the API paths, the API on the
same origin (the consent page needs no CORS); the portal's pages deployed from web/; and the
public base URL, in an SSM parameter the functions read."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aws_cdk import CfnOutput, Duration, Stack
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3_deployment
from aws_cdk import aws_ssm as ssm

from chalicelib.edge import API_PATHS, HSTS_SECONDS, content_security_policy

from . import nag
from .data import Data
from .firewall import ORIGIN_HEADER
from .logs import log_group

ROOT = Path(__file__).resolve().parents[1]
# The viewers' minimum TLS, in force wherever the stage has its own domain and certificate.
VIEWER_TLS = cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021
# /verbruik/x/ and /verbruik/x serve /verbruik/x/index.html, as a static site host would.
INDEX_REWRITE = (
    "function handler(event){var r=event.request;var u=r.uri;"
    "if(u.endsWith('/')){r.uri=u+'index.html';}"
    "else if(u.split('/').pop().indexOf('.')<0){r.uri=u+'/index.html';}return r;}"
)


class Pages:
    def __init__(self, stack: Stack, data: Data, api_domain: str, web_acl_arn: str) -> None:
        stage = data.stage
        rewrite = cloudfront.Function(
            stack,
            "IndexRewrite",
            code=cloudfront.FunctionCode.from_inline(INDEX_REWRITE),
            runtime=cloudfront.FunctionRuntime.JS_2_0,
        )
        api = origins.HttpOrigin(
            api_domain,
            origin_path="/api",
            custom_headers={ORIGIN_HEADER: data.origin_secret_value},
        )
        identity = urlsplit(stage.auth_token_endpoint)
        contracts = data.contracts_bucket
        csp = content_security_policy(
            f"{identity.scheme}://{identity.netloc}",
            # The presigned form's address: the bucket's global or regional name.
            f"https://{contracts.bucket_domain_name}",
            f"https://{contracts.bucket_regional_domain_name}",
        )
        page_policy = _headers_policy(stack, "PageHeaders", csp)
        api_policy = _headers_policy(stack, "ApiHeaders", None)
        api_behaviour = cloudfront.BehaviorOptions(
            origin=api,
            viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
            allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
            cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
            origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
            response_headers_policy=api_policy,
        )
        domain = stage.public_domain
        certificate = None
        if domain and stage.certificate_arn:
            from aws_cdk import aws_certificatemanager as acm

            certificate = acm.Certificate.from_certificate_arn(
                stack, "Certificate", stage.certificate_arn
            )
        self.distribution = cloudfront.Distribution(
            stack,
            "Distribution",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(data.pages_bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                response_headers_policy=page_policy,
                function_associations=[
                    cloudfront.FunctionAssociation(
                        function=rewrite, event_type=cloudfront.FunctionEventType.VIEWER_REQUEST
                    )
                ],
            ),
            additional_behaviors=dict.fromkeys(API_PATHS, api_behaviour),
            domain_names=[domain] if certificate and domain else None,
            certificate=certificate,
            minimum_protocol_version=VIEWER_TLS,
            web_acl_id=web_acl_arn,
            enable_logging=True,
            log_bucket=data.cdn_logs_bucket,
            log_file_prefix="cloudfront/",
        )
        nag.accept(
            self.distribution,
            AwsSolutions_CFR1="No geo restriction: customers read their data and EDVs serve them "
            "from anywhere; the WAF's rate limit and managed rules guard the edge instead.",
        )
        if certificate is None:
            nag.accept(
                self.distribution,
                AwsSolutions_CFR4="No public domain in this stage, so CloudFront's own "
                "certificate, whose TLS policy AWS sets; a stage with a domain has TLSv1.2_2021 "
                "(tests/infrastructure/test_edge.py holds every such stage to it).",
            )
            CfnOutput(
                stack,
                "ViewerTls",
                value="No public domain: CloudFront's own certificate (*.cloudfront.net), whose "
                "policy AWS sets (TLSv1 minimum). Give the stage a domain and certificate for "
                f"{VIEWER_TLS.value}.",
            )
        public = f"https://{domain}" if certificate else f"https://{self.distribution.domain_name}"
        # The signed contract goes from the portal's pages straight to the contracts bucket. By
        # the stage's domain, or CloudFront's (naming this distribution would make a cycle:
        # its CSP names the bucket); the presigned policy, not CORS, is what guards the bucket.
        contracts.add_cors_rule(
            allowed_methods=[s3.HttpMethods.POST],
            allowed_origins=[f"https://{domain}" if certificate else "https://*.cloudfront.net"],
            allowed_headers=["*"],
            max_age=600,
        )
        # The portal's own pages (web/) and how they log in. prune=False: the EDVs' stappenplan
        # and consent pages, written by the functions, live in the same bucket.
        s3_deployment.BucketDeployment(
            stack,
            "PortalPages",
            destination_bucket=data.pages_bucket,
            sources=[
                s3_deployment.Source.asset(str(ROOT / "web")),
                s3_deployment.Source.json_data("portal-config.json", portal_config(data)),
            ],
            prune=False,
            distribution=self.distribution,
            distribution_paths=["/*"],
            cache_control=[s3_deployment.CacheControl.from_string("no-cache")],
            log_group=log_group(
                stack, "PortalPagesLogs", stage.retention.function_log_days, stage.retain_data
            ),
        )
        _accept_cdk_helpers(stack, data)
        ssm.StringParameter(
            stack,
            "PublicBaseUrl",
            parameter_name=data.base_url_parameter,
            string_value=public,
            description="Where customers and EDVs reach the portal, its pages and the API",
        )
        CfnOutput(stack, "PublicUrl", value=public)


def _accept_cdk_helpers(stack: Stack, data: Data) -> None:
    """CDK's own functions (the pages' deployment, the bucket notifications): their code and
    roles are CDK's, made once per stack."""
    reason = "CDK's own helper function and role (aws-cdk-lib), not ours to change."
    assets = f"arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-{stack.region}/*"
    for child in stack.node.children:
        if child.node.id.startswith(("Custom::CDKBucketDeployment", "BucketNotificationsHandler")):
            nag.managed_policy(child, reason, "service-role/AWSLambdaBasicExecutionRole")
            nag.wildcards(
                child,
                reason,
                "Action::s3:GetBucket*",
                "Action::s3:GetObject*",
                "Action::s3:List*",
                "Action::s3:DeleteObject*",
                "Action::s3:Abort*",
                "Resource::*",
                f"Resource::{assets}",
                f"Resource::{nag.arn_of(data.pages_bucket)}/*",
            )
            nag.accept(
                child,
                AwsSolutions_L1=reason,
                Serverless_LambdaDLQ=reason,
                Serverless_LambdaLatestVersion=reason,
                Serverless_LambdaTracing=reason,
            )


def _headers_policy(stack: Stack, name: str, csp: str | None) -> Any:
    """The security headers of chalicelib/edge.py (which the local server sends too), overriding
    whatever an origin says; `csp` on pages only."""
    return cloudfront.ResponseHeadersPolicy(
        stack,
        name,
        security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
            content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                content_security_policy=csp, override=True
            )
            if csp
            else None,
            strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                access_control_max_age=Duration.seconds(HSTS_SECONDS),
                include_subdomains=True,
                override=True,
            ),
            content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
            frame_options=cloudfront.ResponseHeadersFrameOptions(
                frame_option=cloudfront.HeadersFrameOption.DENY, override=True
            ),
            referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                referrer_policy=cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
                override=True,
            ),
        ),
    )


def portal_config(data: Data) -> dict[str, str]:
    """How the portal's pages log in: the stage's OpenID Connect provider."""
    return {
        "authorization_endpoint": data.stage.auth_authorization_endpoint,
        "token_endpoint": data.stage.auth_token_endpoint,
        "client_id": data.stage.auth_audience,
        "scope": "openid profile",
    }
