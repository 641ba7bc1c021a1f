"""One stack per stage: data, the API (Chalice's own CDK construct), the scheduled and event-driven
functions, the public pages behind CloudFront, and the alarms and dashboard that watch them."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

from aws_cdk import (
    Aws,
    CfnOutput,
    Duration,
    Fn,
    RemovalPolicy,
    Stack,
    TimeZone,
)
from aws_cdk import (
    aws_apigateway as apigateway,
)
from aws_cdk import (
    aws_cloudfront as cloudfront,
)
from aws_cdk import (
    aws_cloudfront_origins as origins,
)
from aws_cdk import (
    aws_cloudwatch as cloudwatch,
)
from aws_cdk import (
    aws_cloudwatch_actions as actions,
)
from aws_cdk import (
    aws_events as events,
)
from aws_cdk import (
    aws_events_targets as targets,
)
from aws_cdk import (
    aws_iam as iam,
)
from aws_cdk import (
    aws_lambda as lambda_,
)
from aws_cdk import (
    aws_lambda_event_sources as lambda_event_sources,
)
from aws_cdk import (
    aws_s3 as s3,
)
from aws_cdk import (
    aws_s3_deployment as s3_deployment,
)
from aws_cdk import (
    aws_scheduler as scheduler,
)
from aws_cdk import (
    aws_scheduler_targets as scheduler_targets,
)
from aws_cdk import (
    aws_secretsmanager as secretsmanager,
)
from aws_cdk import (
    aws_sns as sns,
)
from aws_cdk import (
    aws_sns_subscriptions as subscriptions,
)
from aws_cdk import (
    aws_sqs as sqs,
)
from aws_cdk import (
    aws_ssm as ssm,
)
from chalice.cdk import Chalice
from constructs import Construct
from pynamodb.models import Model

from chalicelib.observability import NAMESPACE, SERVICE, Metric
from chalicelib.queues import WEBHOOK_QUEUE

from .permissions import API, DELETE, INGEST, JOBS, PUT, READ, WEBHOOKS, Grants
from .stages import StageConfig
from .tables import table_for

ROOT = Path(__file__).resolve().parents[1]


def _models_by_base_name() -> dict[str, type[Model]]:
    from chalicelib.config import table_name
    from chalicelib.store import all_models

    prefix = table_name("")
    return {model.Meta.table_name.removeprefix(prefix): model for model in all_models()}


# Taken once, on import: packaging the API (chalice) sets the stage's variables, TABLE_PREFIX too,
# in this very process.
MODELS = _models_by_base_name()
API_PATHS = ("/v1/*", "/esco-live/*", "/oauth2/*", "/openapi.json")  # the rest are pages


def signing_key_secret(stage: str) -> str:
    return f"edv/{stage}/token-signing-key"


PROBLEM_TEMPLATE = (
    '{"type":"urn:problem-type:edv:%s","title":"%s","status":%d,'
    '"detail":$context.error.messageString,"code":"%s"}'
)


class EdvPlatformStack(Stack):
    def __init__(self, scope: Construct, stage: StageConfig, **kwargs: object) -> None:
        # Chalice's construct takes its stage name from the stack's id: edv-platform-{stage} has no
        # section in .chalice/config.json (whose `dev` is the local stack), so only the variables
        # below reach the deployed functions.
        name = f"edv-platform-{stage.name}"
        super().__init__(scope, name, stack_name=name, **kwargs)
        self.stage = stage
        self.prefix = f"edv-{stage.name}-"
        self.api_name = name
        self.alarm_topic = sns.Topic(self, "Alarms", display_name=f"EDV platform {stage.name}")
        if stage.alarm_email:
            self.alarm_topic.add_subscription(subscriptions.EmailSubscription(stage.alarm_email))
        self._data()
        self._api()
        self._functions()
        self._pages()
        self._observability()

    # Data ---------------------------------------------------------------------------------

    def _data(self) -> None:
        self.tables = {
            base: table_for(self, base, model, self.prefix + base, self.stage.retain_data)
            for base, model in MODELS.items()
        }
        removal = RemovalPolicy.RETAIN if self.stage.retain_data else RemovalPolicy.DESTROY

        def bucket(name: str, **options: object) -> s3.Bucket:
            return s3.Bucket(
                self,
                name,
                block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
                encryption=s3.BucketEncryption.S3_MANAGED,
                enforce_ssl=True,
                removal_policy=removal,
                object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
                **options,
            )

        self.pages_bucket = bucket("Pages")
        self.contracts_bucket = bucket("Contracts", versioned=True)
        self.exports_bucket = bucket(
            "Exports", lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(1))]
        )
        self.ingest_bucket = bucket("Ingest", event_bridge_enabled=True, versioned=True)
        self.buckets = {
            "pages": self.pages_bucket,
            "contracts": self.contracts_bucket,
            "exports": self.exports_bucket,
            "ingest": self.ingest_bucket,
        }
        self.cursor_key = secretsmanager.Secret(
            self,
            "CursorKey",
            description="Signs list cursors",
            generate_secret_string=secretsmanager.SecretStringGenerator(
                password_length=48, exclude_punctuation=True
            ),
        )
        # The token service's RSA key (PEM): made once by the operator, see README "Deploy to AWS".
        self.token_key = secretsmanager.Secret.from_secret_name_v2(
            self, "TokenSigningKey", signing_key_secret(self.stage.name)
        )
        self.base_url_parameter = f"/edv/{self.stage.name}/public-base-url"
        # Webhook deliveries: FIFO (in order per endpoint and mandate), retried by the code's own
        # back-off (over a day), which dead-letters itself; the redrive is only a safety net.
        self.webhook_dead_letters = sqs.Queue(
            self,
            "WebhookDeadLetters",
            queue_name=f"{self.prefix}webhooks-dead.fifo",
            fifo=True,
            retention_period=Duration.seconds(WEBHOOK_QUEUE.dead_letter_retention_seconds),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
        )
        self.webhook_queue = sqs.Queue(
            self,
            "WebhookQueue",
            queue_name=f"{self.prefix}webhooks.fifo",
            fifo=True,
            content_based_deduplication=False,
            visibility_timeout=Duration.seconds(WEBHOOK_QUEUE.visibility_timeout_seconds),
            retention_period=Duration.seconds(WEBHOOK_QUEUE.retention_seconds),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            dead_letter_queue=sqs.DeadLetterQueue(
                queue=self.webhook_dead_letters, max_receive_count=WEBHOOK_QUEUE.max_receive_count
            ),
        )

    def _environment(self) -> dict[str, str]:
        return {
            "STAGE": self.stage.name,
            "TABLE_PREFIX": self.prefix,
            "BUCKET_PAGES": self.pages_bucket.bucket_name,
            "BUCKET_CONTRACTS": self.contracts_bucket.bucket_name,
            "BUCKET_EXPORTS": self.exports_bucket.bucket_name,
            "BUCKET_INGEST": self.ingest_bucket.bucket_name,
            "PAGES_BASE_URL_PARAMETER": self.base_url_parameter,
            "WEBHOOK_QUEUE": f"{self.prefix}webhooks.fifo",
            "WEBHOOK_DEAD_LETTER_QUEUE": f"{self.prefix}webhooks-dead.fifo",
            "AUTH_ISSUER": self.stage.auth_issuer,
            "AUTH_AUDIENCE": self.stage.auth_audience,
            "AUTH_JWKS_URL": self.stage.auth_jwks_url,
            "CURSOR_KEY": self.cursor_key.secret_value.unsafe_unwrap(),
            "TOKEN_SIGNING_KEY_PEM": self.token_key.secret_value.unsafe_unwrap(),
            "ASSERTION_AUDIENCES": self.stage.assertion_audiences,
            "ESCO_RATE_LIMIT_PER_MINUTE": str(self.stage.esco_rate_limit_per_minute),
            "POWERTOOLS_SERVICE_NAME": SERVICE,
            "POWERTOOLS_LOG_LEVEL": "INFO",
            "POWERTOOLS_METRICS_NAMESPACE": NAMESPACE,
            "MPLCONFIGDIR": "/tmp/matplotlib",  # noqa: S108 - Lambda's only writable place
        }

    def _role(self, name: str, grants: Grants) -> iam.Role:
        """A function's own role: exactly its grants (permissions.py), logs, and the base URL."""
        role = iam.Role(
            self,
            name,
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            managed_policies=[
                iam.ManagedPolicy.from_aws_managed_policy_name(
                    "service-role/AWSLambdaBasicExecutionRole"
                )
            ],
        )
        for base, table in self.tables.items():
            if grants.tables is None or base in grants.tables:
                table.grant_read_write_data(role)
        for bucket_name, operations in grants.buckets.items():
            bucket = self.buckets[bucket_name]
            if PUT in operations:
                bucket.grant_put(role)
            if DELETE in operations:
                bucket.grant_delete(role)
            if READ in operations:
                bucket.grant_read(role)
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["ssm:GetParameter"],
                resources=[
                    f"arn:{Aws.PARTITION}:ssm:{Aws.REGION}:{Aws.ACCOUNT_ID}:parameter"
                    f"{self.base_url_parameter}"
                ],
            )
        )
        return role

    # API ----------------------------------------------------------------------------------

    def _api(self) -> None:
        self.api_role = self._role("ApiRole", API)
        self.webhook_queue.grant_send_messages(self.api_role)  # test events, dispatch on change
        self._grant_queue_url(self.api_role)
        self.chalice = Chalice(
            self,
            "Api",
            source_dir=str(ROOT),
            stage_config={
                "manage_iam_role": False,
                "iam_role_arn": self.api_role.role_arn,
                "lambda_memory_size": self.stage.api_memory_mb,
                "lambda_timeout": 29,
                "environment_variables": self._environment(),
            },
        )
        rest_api = Fn.ref("RestAPI")
        # Named per stage: API Gateway's metrics are keyed by this name (ApiName).
        self.chalice.get_resource("RestAPI").add_property_override("Name", self.api_name)
        for response_type, status, code, title in (
            ("MISSING_AUTHENTICATION_TOKEN", 404, "not_found", "Not found"),
            ("DEFAULT_4XX", 400, "bad_request", "Bad request"),
            ("DEFAULT_5XX", 502, "service_unavailable", "Service unavailable"),
        ):
            # Answers API Gateway gives on its own: problem+json like everything else.
            apigateway.CfnGatewayResponse(
                self,
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
        self.api_domain = f"{rest_api}.execute-api.{Aws.REGION}.{Aws.URL_SUFFIX}"
        self.api_function_name = Fn.ref("APIHandler")

    # Functions ----------------------------------------------------------------------------

    def _functions_code(self) -> lambda_.Code:
        """chalicelib and its dependencies as Chalice packaged them, plus functions/."""
        packaged = Path(self.chalice._sam_package_dir) / "deployment.zip"
        bundle = packaged.with_name("functions.zip")
        shutil.copyfile(packaged, bundle)
        with zipfile.ZipFile(bundle, "a", zipfile.ZIP_DEFLATED) as archive:
            for source in sorted((ROOT / "functions").glob("*.py")):
                archive.write(source, f"functions/{source.name}")
        return lambda_.Code.from_asset(str(bundle))

    def _function(
        self,
        name: str,
        handler: str,
        role: iam.Role,
        dead_letters: sqs.Queue | None,
        minutes: int,
    ) -> lambda_.Function:
        function = lambda_.Function(
            self,
            f"{name}Function",
            runtime=lambda_.Runtime.PYTHON_3_12,
            handler=handler,
            code=self.functions_code,
            role=role,
            memory_size=1024,
            timeout=Duration.minutes(minutes),
            environment=self._environment(),
            dead_letter_queue=dead_letters,
            retry_attempts=2 if dead_letters else None,
        )
        self.functions[name] = function
        return function

    def _queue(self, name: str) -> sqs.Queue:
        queue = sqs.Queue(
            self,
            f"{name}DeadLetters",
            retention_period=Duration.days(14),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
        )
        self.dead_letter_queues[name] = queue
        return queue

    def _functions(self) -> None:
        self.functions: dict[str, lambda_.Function] = {}
        self.dead_letter_queues: dict[str, sqs.Queue] = {}
        self.functions_code = self._functions_code()
        jobs_role = self._role("JobsRole", JOBS)
        self.webhook_queue.grant_send_messages(jobs_role)
        self._grant_queue_url(jobs_role)
        jobs_dlq = self._queue("Jobs")
        schedules = (
            ("MandateExpiry", "functions.jobs.mandate_expiry", "cron(0 1 * * ? *)"),
            ("MarketScenarios", "functions.jobs.market_scenarios", "cron(5 * * * ? *)"),
            ("PublishPages", "functions.jobs.publish_pages", "cron(0/15 * * * ? *)"),
            ("WebhookDispatch", "functions.jobs.webhook_dispatch", "cron(* * * * ? *)"),
        )
        for name, handler, cron in schedules:
            function = self._function(name, handler, jobs_role, jobs_dlq, minutes=10)
            scheduler.Schedule(
                self,
                f"{name}Schedule",
                schedule=scheduler.ScheduleExpression.expression(
                    cron, time_zone=TimeZone.EUROPE_BRUSSELS
                ),
                target=scheduler_targets.LambdaInvoke(
                    function,
                    dead_letter_queue=jobs_dlq,
                    max_event_age=Duration.hours(1),
                    retry_attempts=3,
                    input=scheduler.ScheduleTargetInput.from_object(
                        {"time": scheduler.ContextAttribute.scheduled_time}
                    ),
                ),
                description=f"{name} (as of the scheduled time, Brussels)",
            )
        self._webhook_delivery()
        ingest_role = self._role("IngestRole", INGEST)
        self.webhook_queue.grant_send_messages(ingest_role)  # data_available
        self._grant_queue_url(ingest_role)
        ingest_dlq = self._queue("Ingest")
        ingest = self._function("Ingest", "functions.ingest.handler", ingest_role, ingest_dlq, 15)
        events.Rule(
            self,
            "IngestFileLanded",
            event_pattern=events.EventPattern(
                source=["aws.s3"],
                detail_type=["Object Created"],
                detail={"bucket": {"name": [self.ingest_bucket.bucket_name]}},
            ),
            targets=[
                targets.LambdaFunction(
                    ingest,
                    dead_letter_queue=ingest_dlq,
                    retry_attempts=8,
                    max_event_age=Duration.hours(24),
                )
            ],
        )

    def _webhook_delivery(self) -> None:
        role = self._role("WebhooksRole", WEBHOOKS)
        self.webhook_queue.grant_consume_messages(role)
        self.webhook_dead_letters.grant_send_messages(role)
        self._grant_queue_url(role)
        function = self._function(
            "WebhookDelivery", "functions.webhooks.handler", role, None, minutes=2
        )
        function.add_event_source(
            lambda_event_sources.SqsEventSource(
                self.webhook_queue, batch_size=10, report_batch_item_failures=True
            )
        )
        self.dead_letter_queues["Webhooks"] = self.webhook_dead_letters

    def _grant_queue_url(self, role: iam.Role) -> None:
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["sqs:GetQueueUrl"],
                resources=[self.webhook_queue.queue_arn, self.webhook_dead_letters.queue_arn],
            )
        )

    # Pages --------------------------------------------------------------------------------

    def _pages(self) -> None:
        rewrite = cloudfront.Function(
            self,
            "IndexRewrite",
            code=cloudfront.FunctionCode.from_inline(
                "function handler(event){var r=event.request;var u=r.uri;"
                "if(u.endsWith('/')){r.uri=u+'index.html';}"
                "else if(u.split('/').pop().indexOf('.')<0){r.uri=u+'/index.html';}return r;}"
            ),
            runtime=cloudfront.FunctionRuntime.JS_2_0,
        )
        api = origins.HttpOrigin(self.api_domain, origin_path="/api")
        api_behaviour = cloudfront.BehaviorOptions(
            origin=api,
            viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
            allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
            cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
            origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        )
        domain = self.stage.public_domain
        certificate = None
        if domain and self.stage.certificate_arn:
            from aws_cdk import aws_certificatemanager as acm

            certificate = acm.Certificate.from_certificate_arn(
                self, "Certificate", self.stage.certificate_arn
            )
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.pages_bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                function_associations=[
                    cloudfront.FunctionAssociation(
                        function=rewrite, event_type=cloudfront.FunctionEventType.VIEWER_REQUEST
                    )
                ],
            ),
            # Pages and API on one origin: the consent page calls the API without CORS.
            additional_behaviors=dict.fromkeys(API_PATHS, api_behaviour),
            domain_names=[domain] if certificate and domain else None,
            certificate=certificate,
            minimum_protocol_version=cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
        )
        public = f"https://{domain}" if certificate else f"https://{self.distribution.domain_name}"
        # The portal's own pages (web/) and how they log in. prune=False: the EDVs' stappenplan
        # and consent pages, written by the functions, live in the same bucket.
        s3_deployment.BucketDeployment(
            self,
            "PortalPages",
            destination_bucket=self.pages_bucket,
            sources=[
                s3_deployment.Source.asset(str(ROOT / "web")),
                s3_deployment.Source.json_data("portal-config.json", self._portal_config()),
            ],
            prune=False,
            distribution=self.distribution,
            distribution_paths=["/*"],
            cache_control=[s3_deployment.CacheControl.from_string("no-cache")],
        )
        ssm.StringParameter(
            self,
            "PublicBaseUrl",
            parameter_name=self.base_url_parameter,
            string_value=public,
            description="Where customers and EDVs reach the portal, its pages and the API",
        )
        CfnOutput(self, "PublicUrl", value=public)

    def _portal_config(self) -> dict[str, str]:
        return {
            "authorization_endpoint": self.stage.auth_authorization_endpoint,
            "token_endpoint": self.stage.auth_token_endpoint,
            "client_id": self.stage.auth_audience,
            "scope": "openid profile",
        }

    # Observability ------------------------------------------------------------------------

    def _alarm(
        self,
        name: str,
        metric: cloudwatch.IMetric,
        description: str,
        threshold: float = 1,
        periods: int = 1,
    ) -> None:
        alarm = metric.create_alarm(
            self,
            f"{name}Alarm",
            alarm_description=description,
            threshold=threshold,
            evaluation_periods=periods,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        alarm.add_alarm_action(actions.SnsAction(self.alarm_topic))

    @staticmethod
    def _metric(
        namespace: str, name: str, dimensions: dict[str, str], statistic: str = "Sum"
    ) -> cloudwatch.Metric:
        return cloudwatch.Metric(
            namespace=namespace,
            metric_name=name,
            dimensions_map=dimensions,
            statistic=statistic,
            period=Duration.minutes(5),
        )

    def _service(self, name: str, statistic: str = "Sum", **dimensions: str) -> cloudwatch.Metric:
        """One of our own metrics (chalicelib/observability.py): every one has `service`."""
        return self._metric(NAMESPACE, name, {"service": SERVICE, **dimensions}, statistic)

    def _observability(self) -> None:
        from chalicelib.jobs import JOBS

        api = {"ApiName": self.api_name}
        requests = self._metric("AWS/ApiGateway", "Count", api)
        errors = self._metric("AWS/ApiGateway", "5XXError", api)
        error_rate = cloudwatch.MathExpression(
            expression="100 * errors / MAX([requests, 1])",
            using_metrics={"errors": errors, "requests": requests},
            label="API 5xx (%)",
            period=Duration.minutes(5),
        )
        self._alarm("Api5xxRate", error_rate, "Over 1% of API answers are 5xx", periods=3)

        function_names = {name: f.function_name for name, f in self.functions.items()}
        function_names["Api"] = self.api_function_name
        for name, function_name in function_names.items():
            for metric in ("Errors", "Throttles"):
                self._alarm(
                    f"{name}{metric}",
                    self._metric("AWS/Lambda", metric, {"FunctionName": function_name}),
                    f"The {name} function: {metric.lower()}",
                )
        for name, queue in self.dead_letter_queues.items():
            self._alarm(
                f"{name}DeadLetters",
                queue.metric_approximate_number_of_messages_visible(period=Duration.minutes(5)),
                f"{name}: an event could not be processed and waits in the dead-letter queue",
            )
        for job in JOBS:
            self._alarm(
                f"JobFailures-{job}",
                self._service(Metric.JOB_FAILURES, job=job),
                f"The {job} job failed",
            )
        self._alarm(
            "IngestRejections",
            self._service(Metric.INGEST_ROWS_REJECTED),
            "Ingest refused rows or a file: see the ingest reports",
        )
        silence = self._service(Metric.JOB_RUNS, job="mandate-expiry").with_(
            period=Duration.hours(26)
        )
        expiry_missing = silence.create_alarm(
            self,
            "ExpiryDidNotRun",
            alarm_description="The daily mandate-expiry job has not run for 26 hours",
            threshold=1,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.BREACHING,
        )
        expiry_missing.add_alarm_action(actions.SnsAction(self.alarm_topic))

        mandates = (
            Metric.MANDATES_GRANTED,
            Metric.MANDATES_ENDED,
            Metric.MANDATES_TRUNCATED,
            Metric.MANDATES_EXPIRED,
        )
        dashboard = cloudwatch.Dashboard(self, "Dashboard", dashboard_name=self.api_name)
        dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="API requests and 5xx", left=[requests, errors], right=[error_rate]
            ),
            cloudwatch.GraphWidget(
                title="Reads served",
                left=[self._service(Metric.READS_SERVED, face=face) for face in ("portal", "api")],
            ),
            cloudwatch.GraphWidget(title="Mandates", left=[self._service(n) for n in mandates]),
        )
        dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Ingest rows",
                left=[
                    self._service(n)
                    for n in (Metric.INGEST_ROWS_ACCEPTED, Metric.INGEST_ROWS_REJECTED)
                ],
            ),
            cloudwatch.GraphWidget(
                title="Job runs and failures",
                left=[self._service(Metric.JOB_RUNS, job=job) for job in JOBS],
                right=[self._service(Metric.JOB_FAILURES, job=job) for job in JOBS],
            ),
            cloudwatch.GraphWidget(
                title="Job duration (ms)",
                left=[self._service("JobDuration", "Maximum", job=job) for job in JOBS],
            ),
        )
        dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Lambda errors and throttles",
                left=[
                    self._metric("AWS/Lambda", "Errors", {"FunctionName": n})
                    for n in function_names.values()
                ],
                right=[
                    self._metric("AWS/Lambda", "Throttles", {"FunctionName": n})
                    for n in function_names.values()
                ],
            ),
            cloudwatch.GraphWidget(
                title="Dead-letter queues",
                left=[
                    q.metric_approximate_number_of_messages_visible()
                    for q in self.dead_letter_queues.values()
                ],
            ),
        )
