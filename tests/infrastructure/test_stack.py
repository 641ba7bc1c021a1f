"""The synthesised production system: what an operator relies on, read off the templates."""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any
from urllib.parse import urlsplit

from aws_cdk.assertions import Match, Template

from chalicelib.edge import HSTS_SECONDS, REFERRER_POLICY, content_security_policy
from chalicelib.store import all_models
from infrastructure.permissions import EXPORT, INGEST, JOBS
from infrastructure.stages import STAGES as DEPLOYED
from tests.infrastructure.conftest import DEPLOY_REGION, STAGES

JOBS_SCHEDULED = {
    "MandateExpiry": ("functions.jobs.mandate_expiry", "cron(0 1 * * ? *)"),
    "MarketScenarios": ("functions.jobs.market_scenarios", "cron(5 * * * ? *)"),
    "PublishPages": ("functions.jobs.publish_pages", "cron(0/15 * * * ? *)"),
    "WebhookDispatch": ("functions.jobs.webhook_dispatch", "cron(* * * * ? *)"),
}


def resources(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


def logical_id(template: dict[str, Any], kind: str, prefix: str) -> str:
    (found,) = [k for k in resources(template, kind) if k.startswith(prefix)]
    return found


def refs(value: Any) -> set[str]:
    """Every logical id a piece of template refers to (Ref and GetAtt)."""
    text = json.dumps(value)
    return set(re.findall(r'"Ref": "([^"]+)"', text)) | set(
        re.findall(r'"Fn::GetAtt": \["([^"]+)"', text)
    )


# Data -----------------------------------------------------------------------------------------


def test_every_model_has_its_table_with_recovery_and_encryption(
    template: dict[str, Any], stage: str
) -> None:
    tables = {
        t["Properties"]["TableName"]: t
        for t in resources(template, "AWS::DynamoDB::Table").values()
    }
    prefix = f"edv-{stage}-"
    for model in all_models():
        base = model.Meta.table_name.split("-", 2)[2]
        table = tables.pop(prefix + base)
        props = table["Properties"]
        assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
        assert props["SSESpecification"] == {"SSEEnabled": True}
        assert props["BillingMode"] == "PAY_PER_REQUEST"
        indexes = {i["IndexName"] for i in props.get("GlobalSecondaryIndexes", [])}
        schema = model._get_schema()
        assert indexes == {i["index_name"] for i in schema["global_secondary_indexes"]}
        keys = {k["AttributeName"]: k["KeyType"] for k in props["KeySchema"]}
        assert keys == {k["AttributeName"]: k["KeyType"] for k in schema["key_schema"]}
        ttl = [n for n, a in model.get_attributes().items() if type(a).__name__ == "TTLAttribute"]
        if ttl:
            assert props["TimeToLiveSpecification"] == {"AttributeName": ttl[0], "Enabled": True}
        else:
            assert "TimeToLiveSpecification" not in props
        retained = stage == "prod"
        assert props.get("DeletionProtectionEnabled", False) is retained
        assert table["DeletionPolicy"] == ("Retain" if retained else "Delete")
    assert tables == {}, "tables no model uses"


def test_buckets_are_private_encrypted_and_tls_only(template: dict[str, Any]) -> None:
    buckets = resources(template, "AWS::S3::Bucket")
    assert len(buckets) == 6  # pages, contracts, exports, ingest; S3's and CloudFront's logs
    policies = resources(template, "AWS::S3::BucketPolicy")
    for name, bucket in buckets.items():
        props = bucket["Properties"]
        assert props["PublicAccessBlockConfiguration"] == {
            "BlockPublicAcls": True,
            "BlockPublicPolicy": True,
            "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True,
        }
        encryption = props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
        assert encryption["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
        (policy,) = [p for p in policies.values() if p["Properties"]["Bucket"] == {"Ref": name}]
        denials = [
            s
            for s in policy["Properties"]["PolicyDocument"]["Statement"]
            if s["Effect"] == "Deny"
            and s.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}}
        ]
        assert denials, f"{name} accepts plain HTTP"


def test_each_bucket_does_its_job(template: dict[str, Any]) -> None:
    assertions = Template.from_json(template)
    contracts = template["Resources"][logical_id(template, "AWS::S3::Bucket", "Contracts")]
    assert contracts["Properties"]["VersioningConfiguration"] == {"Status": "Enabled"}
    exports = template["Resources"][logical_id(template, "AWS::S3::Bucket", "Exports")]
    assert exports["Properties"]["LifecycleConfiguration"]["Rules"] == [
        {
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},  # a killed export's
            "ExpirationInDays": 1,
            "Status": "Enabled",
        }
    ]
    ingest = logical_id(template, "AWS::S3::Bucket", "Ingest")
    assertions.has_resource_properties(
        "Custom::S3BucketNotifications",
        {
            "BucketName": {"Ref": ingest},
            "NotificationConfiguration": {"EventBridgeConfiguration": {}},
        },
    )
    # Pages: only CloudFront reads them, through origin access control.
    pages = logical_id(template, "AWS::S3::Bucket", "Pages")
    distribution = logical_id(template, "AWS::CloudFront::Distribution", "Distribution")
    config = template["Resources"][distribution]["Properties"]["DistributionConfig"]
    (s3_origin,) = [o for o in config["Origins"] if "S3OriginConfig" in o]
    assert refs(s3_origin["DomainName"]) == {pages}
    assert "OriginAccessControlId" in s3_origin
    assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"
    (policy,) = [
        p
        for p in resources(template, "AWS::S3::BucketPolicy").values()
        if p["Properties"]["Bucket"] == {"Ref": pages}
    ]
    (allow,) = [
        s for s in policy["Properties"]["PolicyDocument"]["Statement"] if s["Effect"] == "Allow"
    ]
    assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert allow["Action"] == "s3:GetObject"
    assert distribution in refs(allow["Condition"])
    # The API shares the pages' origin, so the consent page calls it without CORS.
    api_paths = {b["PathPattern"] for b in config["CacheBehaviors"]}
    assert {"/v1/*", "/esco-live/*", "/oauth2/*"} <= api_paths


def test_pages_and_api_answers_carry_the_security_headers(template: dict[str, Any]) -> None:
    """CloudFront sets what chalicelib/edge.py says (the local server sends the same): the CSP on
    pages, allowing the identity provider's token endpoint the log-in calls; HSTS, nosniff,
    DENY and the referrer policy on everything."""
    distribution = logical_id(template, "AWS::CloudFront::Distribution", "Distribution")
    config = template["Resources"][distribution]["Properties"]["DistributionConfig"]
    pages_policy = logical_id(template, "AWS::CloudFront::ResponseHeadersPolicy", "PageHeaders")
    api_policy = logical_id(template, "AWS::CloudFront::ResponseHeadersPolicy", "ApiHeaders")
    assert refs(config["DefaultCacheBehavior"]["ResponseHeadersPolicyId"]) == {pages_policy}
    assert {tuple(refs(b["ResponseHeadersPolicyId"])) for b in config["CacheBehaviors"]} == {
        (api_policy,)
    }
    csam = urlsplit(DEPLOYED["prod"].auth_token_endpoint)

    def headers(logical: str) -> dict[str, Any]:
        policy = template["Resources"][logical]["Properties"]["ResponseHeadersPolicyConfig"]
        return dict(policy["SecurityHeadersConfig"])

    page = headers(pages_policy)
    csp = page["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    # The policy of chalicelib/edge.py, with the contracts bucket's names (tokens) where the
    # signed contract is posted.
    contracts = logical_id(template, "AWS::S3::Bucket", "Contracts")
    text = json.dumps(csp)
    expected = content_security_policy(f"{csam.scheme}://{csam.netloc}", "BUCKET")
    for directive in expected.split("; "):
        if "BUCKET" not in directive:
            assert directive in text
    assert f"connect-src 'self' {csam.scheme}://{csam.netloc} https://" in text
    assert contracts in refs(csp)
    cors = template["Resources"][contracts]["Properties"]["CorsConfiguration"]["CorsRules"]
    assert [rule["AllowedMethods"] for rule in cors] == [["POST"]]
    for found in (page, headers(api_policy)):
        assert found["StrictTransportSecurity"]["AccessControlMaxAgeSec"] == HSTS_SECONDS
        assert found["FrameOptions"]["FrameOption"] == "DENY"
        assert found["ReferrerPolicy"]["ReferrerPolicy"] == REFERRER_POLICY
        assert found["ContentTypeOptions"]["Override"] is True
    assert "ContentSecurityPolicy" not in headers(api_policy)


# The API --------------------------------------------------------------------------------------


def test_the_api_function_gets_its_configuration(template: dict[str, Any], stage: str) -> None:
    api = template["Resources"]["APIHandler"]["Properties"]
    env = api["Environment"]["Variables"]
    assert env["STAGE"] == stage
    assert env["TABLE_PREFIX"] == f"edv-{stage}-"
    for variable, bucket in (
        ("BUCKET_PAGES", "Pages"),
        ("BUCKET_CONTRACTS", "Contracts"),
        ("BUCKET_EXPORTS", "Exports"),
        ("BUCKET_INGEST", "Ingest"),
    ):
        assert env[variable] == {"Ref": logical_id(template, "AWS::S3::Bucket", bucket)}
    # Secrets are named, never given: the function reads them from Secrets Manager.
    assert "CURSOR_KEY" not in env and "TOKEN_SIGNING_KEY_PEM" not in env
    assert env["TOKEN_SIGNING_KEY_PEM_SECRET"] == f"edv/{stage}/token-signing-key"
    assert "secretsmanager" not in json.dumps(env).lower()  # no {{resolve:…}} of a value
    assert env["PAGES_BASE_URL_PARAMETER"] == f"/edv/{stage}/public-base-url"
    assert "PAGES_BASE_URL" not in env  # the local stack's value must not leak into AWS
    assert env["AUTH_JWKS_URL"].startswith("https://")
    assert api["Runtime"] == "python3.12"
    assert refs(api["Role"]) == {logical_id(template, "AWS::IAM::Role", "ApiRole")}


def test_only_the_api_may_read_the_secrets(template: dict[str, Any]) -> None:
    cursor = logical_id(template, "AWS::SecretsManager::Secret", "CursorKey")
    # A role's statements are in its policy, or (a long one) an overflow managed policy.
    policies = {
        **resources(template, "AWS::IAM::Policy"),
        **resources(template, "AWS::IAM::ManagedPolicy"),
    }
    readers = {
        name
        for name, policy in policies.items()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if "secretsmanager:GetSecretValue" in json.dumps(statement["Action"])
    }
    assert readers and all(name.startswith("ApiRole") for name in readers)
    api_policies = json.dumps([p for n, p in policies.items() if n.startswith("ApiRole")])
    assert cursor in api_policies and "token-signing-key" in api_policies
    for function in resources(template, "AWS::Lambda::Function").values():
        variables = function["Properties"].get("Environment", {}).get("Variables", {})
        assert "secretsmanager" not in json.dumps(variables).lower()
        # Not even their names: only the API signs, and only its role may read them.
        assert not {"CURSOR_KEY_SECRET", "TOKEN_SIGNING_KEY_PEM_SECRET"} & set(variables)


def test_the_deployed_api_routes_no_local_endpoints(template: dict[str, Any], stage: str) -> None:
    rest_api = template["Resources"]["RestAPI"]["Properties"]
    assert rest_api["Name"] == f"edv-platform-{stage}"
    paths = rest_api["DefinitionBody"]["paths"]
    assert "/v1/me/mandates" in paths
    assert "/esco-live/api/v3/mandates" in paths or any(p.startswith("/esco-live") for p in paths)
    assert not [p for p in paths if p.startswith("/v1/dev")]


def test_api_gateways_own_errors_are_problem_json(template: dict[str, Any]) -> None:
    responses = resources(template, "AWS::ApiGateway::GatewayResponse").values()
    kinds = {r["Properties"]["ResponseType"] for r in responses}
    assert kinds == {"DEFAULT_4XX", "DEFAULT_5XX", "MISSING_AUTHENTICATION_TOKEN"}
    for response in responses:
        props = response["Properties"]
        assert props["ResponseParameters"] == {
            "gatewayresponse.header.Content-Type": "'application/problem+json'"
        }
        assert '"code":' in props["ResponseTemplates"]["application/json"]


# Least privilege --------------------------------------------------------------------------------


def granted(template: dict[str, Any], role_prefix: str) -> tuple[set[str], set[str]]:
    """The table names and bucket logical ids a role's policies name."""
    role = logical_id(template, "AWS::IAM::Role", role_prefix)
    named: set[str] = set()
    for policy in resources(template, "AWS::IAM::Policy").values():
        if {"Ref": role} in policy["Properties"]["Roles"]:
            named |= refs(policy["Properties"]["PolicyDocument"])
    for policy in resources(template, "AWS::IAM::ManagedPolicy").values():
        if {"Ref": role} in policy["Properties"].get("Roles", []):
            named |= refs(policy["Properties"]["PolicyDocument"])
    tables = {
        template["Resources"][n]["Properties"]["TableName"].split("-", 2)[2]
        for n in named
        if template["Resources"].get(n, {}).get("Type") == "AWS::DynamoDB::Table"
    }
    buckets = {
        n for n in named if template["Resources"].get(n, {}).get("Type") == "AWS::S3::Bucket"
    }
    return tables, buckets


def test_each_function_role_reaches_only_its_tables_and_buckets(template: dict[str, Any]) -> None:
    bucket = {
        name: logical_id(template, "AWS::S3::Bucket", name.capitalize())
        for name in ("pages", "contracts", "exports", "ingest")
    }
    tables, buckets = granted(template, "JobsRole")
    assert JOBS.tables is not None and tables == set(JOBS.tables)
    assert buckets == {bucket[b] for b in JOBS.buckets}
    tables, buckets = granted(template, "IngestRole")
    assert INGEST.tables is not None and tables == set(INGEST.tables)
    assert buckets == {bucket[b] for b in INGEST.buckets}
    tables, buckets = granted(template, "ApiRole")
    assert tables == {m.Meta.table_name.split("-", 2)[2] for m in all_models()}
    assert bucket["ingest"] not in buckets
    assert granted(template, "RenderRole") == (set(), set())
    tables, buckets = granted(template, "ExportRole")
    assert EXPORT.tables is not None and tables == set(EXPORT.tables)
    assert buckets == {bucket[b] for b in EXPORT.buckets}
    for function in ("MandateExpiry", "MarketScenarios", "PublishPages", "Ingest", "Render"):
        props = template["Resources"][logical_id(template, "AWS::Lambda::Function", function)]
        role = {"Ingest": "IngestRole", "Render": "RenderRole"}.get(function, "JobsRole")
        assert refs(props["Properties"]["Role"]) == {logical_id(template, "AWS::IAM::Role", role)}


def statements_of(template: dict[str, Any], role_prefix: str) -> list[dict[str, Any]]:
    role = logical_id(template, "AWS::IAM::Role", role_prefix)
    policies = [
        *resources(template, "AWS::IAM::Policy").values(),
        *resources(template, "AWS::IAM::ManagedPolicy").values(),  # CDK's overflow
    ]
    return [
        statement
        for policy in policies
        if {"Ref": role} in policy["Properties"].get("Roles", [])
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def test_only_the_api_invokes_the_rendering_and_ingest_functions(template: dict[str, Any]) -> None:
    """The API waits for them (chalicelib/invoke.py); nothing else may call them, and the
    rendering function itself may read nothing: only its logs."""
    function = {
        name: logical_id(template, "AWS::Lambda::Function", name)
        for name in ("Render", "Ingest", "Export")
    }
    invoking = {
        role: refs(
            [
                s["Resource"]
                for s in statements_of(template, role)
                if "lambda:InvokeFunction" in s["Action"]
            ]
        )
        for role in (
            "ApiRole",
            "JobsRole",
            "IngestRole",
            "WebhooksRole",
            "RenderRole",
            "ExportRole",
        )
    }
    assert invoking == {
        "ApiRole": set(function.values()),
        "JobsRole": set(),
        "IngestRole": set(),
        "WebhooksRole": set(),
        "RenderRole": set(),
        "ExportRole": set(),
    }
    logs = logical_id(template, "AWS::Logs::LogGroup", "RenderLogs")
    assert statements_of(template, "RenderRole") == [  # its own log group, nothing else
        {
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Effect": "Allow",
            "Resource": {"Fn::GetAtt": [logs, "Arn"]},
        }
    ]
    variables = template["Resources"]["APIHandler"]["Properties"]["Environment"]["Variables"]
    assert variables["RENDER_FUNCTION"] == {"Ref": function["Render"]}
    assert variables["INGEST_FUNCTION"] == {"Ref": function["Ingest"]}
    render = template["Resources"][function["Render"]]["Properties"]
    assert render["Environment"]["Variables"] == {"MPLCONFIGDIR": "/tmp/matplotlib"}
    assert render["Timeout"] < 29  # answers inside the API's own time


# Scheduled and event-driven functions --------------------------------------------------------


def test_jobs_run_on_brussels_time_with_retries_and_dead_letters(template: dict[str, Any]) -> None:
    schedules = resources(template, "AWS::Scheduler::Schedule")
    for name, (handler, cron) in JOBS_SCHEDULED.items():
        function = logical_id(template, "AWS::Lambda::Function", f"{name}Function")
        assert template["Resources"][function]["Properties"]["Handler"] == handler
        (schedule,) = [s["Properties"] for k, s in schedules.items() if k.startswith(name)]
        assert schedule["ScheduleExpression"] == cron
        assert schedule["ScheduleExpressionTimezone"] == "Europe/Brussels"
        target = schedule["Target"]
        assert refs(target["Arn"]) == {function}
        assert refs(target["DeadLetterConfig"]) == {
            logical_id(template, "AWS::SQS::Queue", "JobsDeadLetters")
        }
        assert target["RetryPolicy"]["MaximumRetryAttempts"] >= 2
        # The job runs as of the scheduled time, so a late retry changes nothing more.
        assert json.loads(target["Input"]) == {"time": "<aws.scheduler.scheduled-time>"}


def test_a_file_landing_in_the_ingest_bucket_triggers_ingest(template: dict[str, Any]) -> None:
    ingest_function = logical_id(template, "AWS::Lambda::Function", "IngestFunction")
    assert (
        template["Resources"][ingest_function]["Properties"]["Handler"]
        == "functions.ingest.handler"
    )
    (rule,) = resources(template, "AWS::Events::Rule").values()
    pattern = rule["Properties"]["EventPattern"]
    assert pattern["source"] == ["aws.s3"]
    assert pattern["detail-type"] == ["Object Created"]
    assert refs(pattern["detail"]) == {logical_id(template, "AWS::S3::Bucket", "Ingest")}
    (target,) = rule["Properties"]["Targets"]
    assert refs(target["Arn"]) == {ingest_function}
    assert refs(target["DeadLetterConfig"]) == {
        logical_id(template, "AWS::SQS::Queue", "IngestDeadLetters")
    }
    assert target["RetryPolicy"]["MaximumEventAgeInSeconds"] == 24 * 3600


def test_asynchronous_invocations_retry_then_dead_letter(template: dict[str, Any]) -> None:
    configs = resources(template, "AWS::Lambda::EventInvokeConfig")
    functions = {
        logical_id(template, "AWS::Lambda::Function", f"{n}Function")
        for n in (*JOBS_SCHEDULED, "Ingest", "Export")
    }
    assert {
        next(iter(refs(c["Properties"]["FunctionName"]))) for c in configs.values()
    } == functions
    for function in functions:
        props = template["Resources"][function]["Properties"]
        assert "DeadLetterConfig" in props
    for name, queue in resources(template, "AWS::SQS::Queue").items():
        assert queue["Properties"]["SqsManagedSseEnabled"] is True
        if "DeadLetters" in name:
            assert queue["Properties"]["MessageRetentionPeriod"] == 14 * 24 * 3600


def test_webhook_deliveries_go_through_a_fifo_queue_with_its_dead_letters(
    template: dict[str, Any], stage: str
) -> None:
    queue_id = logical_id(template, "AWS::SQS::Queue", "WebhookQueue")
    queue = template["Resources"][queue_id]["Properties"]
    assert queue["FifoQueue"] is True
    assert queue["QueueName"] == f"edv-{stage}-webhooks.fifo"
    dead = logical_id(template, "AWS::SQS::Queue", "WebhookDeadLetters")
    assert refs(queue["RedrivePolicy"]) == {dead}
    function = logical_id(template, "AWS::Lambda::Function", "WebhookDeliveryFunction")
    assert template["Resources"][function]["Properties"]["Handler"] == "functions.webhooks.handler"
    # The queue must stay hidden longer than an attempt of the whole batch takes.
    timeout = template["Resources"][function]["Properties"]["Timeout"]
    assert queue["VisibilityTimeout"] >= timeout
    (mapping,) = resources(template, "AWS::Lambda::EventSourceMapping").values()
    props = mapping["Properties"]
    assert refs(props["EventSourceArn"]) == {queue_id}
    assert refs(props["FunctionName"]) == {function}
    assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


# Observability --------------------------------------------------------------------------------


def alarms(template: dict[str, Any]) -> list[dict[str, Any]]:
    return [a["Properties"] for a in resources(template, "AWS::CloudWatch::Alarm").values()]


def metric_of(alarm: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return alarm.get("MetricName", ""), {d["Name"]: d["Value"] for d in alarm.get("Dimensions", [])}


def test_alarms_watch_errors_throttles_dead_letters_jobs_and_ingest(
    template: dict[str, Any], stage: str
) -> None:
    topic = logical_id(template, "AWS::SNS::Topic", "Alarms")
    found = alarms(template)
    for alarm in found:
        assert refs(alarm["AlarmActions"]) == {topic}
    watched = [metric_of(a) for a in found]
    functions = {
        *(
            logical_id(template, "AWS::Lambda::Function", f"{n}Function")
            for n in (*JOBS_SCHEDULED, "Ingest", "WebhookDelivery", "Render", "Export")
        ),
        "APIHandler",
    }
    for metric in ("Errors", "Throttles"):
        assert {next(iter(refs(d["FunctionName"]))) for n, d in watched if n == metric} == functions
    queues = {n for n, _ in watched if n == "ApproximateNumberOfMessagesVisible"}
    # The dead letters of the jobs, ingest, webhook delivery and exports.
    assert len([1 for n, _ in watched if n == "ApproximateNumberOfMessagesVisible"]) == 4 and queues
    assert {d["job"] for n, d in watched if n == "JobFailures"} == {
        "mandate-expiry",
        "market-scenarios",
        "publish-pages",
        "webhook-dispatch",
    }
    assert ("IngestRowsRejected", {"service": "edv-platform"}) in watched
    # The 5xx rate: a metric expression over the API's requests and errors.
    (rate,) = [a for a in found if "Metrics" in a]
    used = {
        m["MetricStat"]["Metric"]["MetricName"]: m["MetricStat"]["Metric"]["Dimensions"]
        for m in rate["Metrics"]
        if "MetricStat" in m
    }
    assert set(used) == {"5XXError", "Count"}
    assert used["5XXError"] == [{"Name": "ApiName", "Value": f"edv-platform-{stage}"}]
    # The daily expiry job's silence is an alarm too.
    (silence,) = [a for a in found if a.get("TreatMissingData") == "breaching"]
    assert metric_of(silence) == ("JobRuns", {"service": "edv-platform", "job": "mandate-expiry"})


def test_the_dashboard_shows_the_service_metrics(template: dict[str, Any]) -> None:
    (dashboard,) = resources(template, "AWS::CloudWatch::Dashboard").values()
    body = json.dumps(dashboard["Properties"]["DashboardBody"])
    for metric in (
        "ReadsServed",
        "MandatesGranted",
        "MandatesEnded",
        "MandatesTruncated",
        "MandatesExpired",
        "IngestRowsAccepted",
        "IngestRowsRejected",
        "JobRuns",
        "JobDuration",
        "JobFailures",
        "5XXError",
    ):
        assert metric in body, metric


# Stages ---------------------------------------------------------------------------------------


def test_nothing_account_or_region_specific_is_hard_coded(
    template: dict[str, Any], edge_templates: dict[str, dict[str, Any]], stage: str
) -> None:
    """Made for the deploying environment's region (and the edge's, us-east-1, where CloudFront's
    web ACL must be), the templates name no other region and no account."""
    for text in (json.dumps(template), json.dumps(edge_templates[stage])):
        assert not re.search(r"\b\d{12}\b", text), "an account id"
        regions = set(re.findall(r"\b(?:eu|us|ap|ca|sa|me|af|il)-[a-z]+-\d\b", text))
        assert regions <= {DEPLOY_REGION, "us-east-1"}, regions


def test_stages_differ_only_by_configuration(templates: dict[str, dict[str, Any]]) -> None:
    dev, prod = (templates[s]["Resources"] for s in STAGES)
    kinds = {
        s: Counter(v["Type"] for v in r.values()) for s, r in zip(STAGES, (dev, prod), strict=True)
    }
    # prod's alarms must have a subscriber (stages.check); dev's may
    assert kinds["prod"].pop("AWS::SNS::Subscription") == 1
    kinds["dev"].pop("AWS::SNS::Subscription", None)
    assert kinds["dev"] == kinds["prod"]
    assert Template.from_json(templates["prod"]).find_resources(
        "AWS::S3::Bucket", {"DeletionPolicy": "Retain"}
    ).keys() == {k for k, v in prod.items() if v["Type"] == "AWS::S3::Bucket"}
    assert Template.from_json(templates["dev"]).find_resources(
        "AWS::S3::Bucket", {"DeletionPolicy": Match.exact("Delete")}
    ).keys() == {k for k, v in dev.items() if v["Type"] == "AWS::S3::Bucket"}


def test_the_portal_pages_are_deployed_beside_the_edv_pages(template: dict[str, Any]) -> None:
    (deployment,) = resources(template, "Custom::CDKBucketDeployment").values()
    props = deployment["Properties"]
    pages = logical_id(template, "AWS::S3::Bucket", "Pages")
    assert props["DestinationBucketName"] == {"Ref": pages}
    # Never prune: the functions publish each EDV's stappenplan and consent page there too.
    assert props["Prune"] is False
    assert len(props["SourceObjectKeys"]) == 2  # web/ and portal-config.json
    assert props["DistributionPaths"] == ["/*"]
