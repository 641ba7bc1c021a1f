"""The production posture, read off the synthesised templates: WAF at the edge and the origin lock,
throttling and reserved concurrency, log groups with their retention, access logs, the alarm
subscription, records no function can rewrite, and every scanner finding fixed or acknowledged."""

from __future__ import annotations

import json
from typing import Any

from infrastructure.permissions import APPEND_ONLY
from infrastructure.stages import STAGES as DEPLOYED
from infrastructure.stages import StageConfig, check
from tests.infrastructure.conftest import ALARM_EMAIL, Assembly
from tests.infrastructure.test_stack import logical_id, refs, resources


def config(stage: str) -> StageConfig:
    return DEPLOYED[stage]


def distribution_config(template: dict[str, Any]) -> dict[str, Any]:
    distribution = logical_id(template, "AWS::CloudFront::Distribution", "Distribution")
    return dict(template["Resources"][distribution]["Properties"]["DistributionConfig"])


def statements(template: dict[str, Any], role_prefix: str) -> list[dict[str, Any]]:
    policies = {
        **resources(template, "AWS::IAM::Policy"),
        **resources(template, "AWS::IAM::ManagedPolicy"),
    }
    found = []
    for policy in policies.values():
        props = policy["Properties"]
        attached = {name for role in props.get("Roles", []) for name in refs(role)}
        if any(name.startswith(role_prefix) for name in attached):
            found += props["PolicyDocument"]["Statement"]
    return found


def actions(statement: dict[str, Any]) -> list[str]:
    action = statement["Action"]
    return [action] if isinstance(action, str) else list(action)


# The edge ---------------------------------------------------------------------------------------


def test_cloudfront_has_a_web_acl_with_a_rate_limit_and_the_managed_rules(
    template: dict[str, Any], edge_templates: dict[str, dict[str, Any]], stage: str
) -> None:
    (acl,) = resources(edge_templates[stage], "AWS::WAFv2::WebACL").values()
    props = acl["Properties"]
    assert props["Scope"] == "CLOUDFRONT" and props["DefaultAction"] == {"Allow": {}}
    rules = {rule["Name"]: rule for rule in props["Rules"]}
    rate = rules["RequestsPerClientIp"]["Statement"]["RateBasedStatement"]
    assert rate["AggregateKeyType"] == "IP"
    assert rate["Limit"] == config(stage).edge.requests_per_ip_per_5_minutes
    blocked = rules["RequestsPerClientIp"]["Action"]["Block"]["CustomResponse"]
    assert blocked["ResponseCode"] == 429
    # The token endpoints have a tighter one of their own: a secret's every try costs scrypt.
    tokens = rules["TokenRequestsPerClientIp"]["Statement"]["RateBasedStatement"]
    assert tokens["Limit"] == config(stage).edge.token_requests_per_ip_per_5_minutes <= 100
    paths = [
        (s["ByteMatchStatement"]["PositionalConstraint"], s["ByteMatchStatement"]["SearchString"])
        for s in tokens["ScopeDownStatement"]["OrStatement"]["Statements"]
    ]
    assert paths == [("EXACTLY", "/oauth2/token"), ("ENDS_WITH", "/oauth2/v2.0/token")]
    managed = {
        name: rule["Statement"]["ManagedRuleGroupStatement"]
        for name, rule in rules.items()
        if "ManagedRuleGroupStatement" in rule["Statement"]
    }
    assert set(managed) == {"AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"}
    # Operators post readings of up to 6 MB: the common rules' 8 KB body limit only counts.
    counted = managed["AWSManagedRulesCommonRuleSet"]["RuleActionOverrides"]
    assert counted == [{"Name": "SizeRestrictions_BODY", "ActionToUse": {"Count": {}}}]
    # The stage's distribution uses it (its ARN crosses from us-east-1).
    web_acl = distribution_config(template)["WebACLId"]
    reader = logical_id(template, "Custom::CrossRegionExportReader", "ExportsReader")
    assert refs(web_acl) == {reader}


def test_the_api_answers_only_cloudfront(template: dict[str, Any]) -> None:
    """Regional, and its stage's web ACL lets in only requests with CloudFront's origin secret."""
    rest_api = template["Resources"]["RestAPI"]["Properties"]
    assert rest_api["EndpointConfiguration"] == "REGIONAL"
    secret = logical_id(template, "AWS::SecretsManager::Secret", "OriginSecret")
    (api_origin,) = [
        o for o in distribution_config(template)["Origins"] if "S3OriginConfig" not in o
    ]
    (header,) = api_origin["OriginCustomHeaders"]
    assert header["HeaderName"] == "x-origin-verify"
    assert secret in refs(header["HeaderValue"]) and "resolve:secretsmanager" in json.dumps(header)
    (lock,) = resources(template, "AWS::WAFv2::WebACL").values()
    props = lock["Properties"]
    assert props["Scope"] == "REGIONAL" and "Block" in props["DefaultAction"]
    (allow,) = props["Rules"]
    match = allow["Statement"]["ByteMatchStatement"]
    assert match["FieldToMatch"] == {"SingleHeader": {"Name": "x-origin-verify"}}
    assert match["PositionalConstraint"] == "EXACTLY" and secret in refs(match["SearchString"])
    (association,) = resources(template, "AWS::WAFv2::WebACLAssociation").values()
    arn = json.dumps(association["Properties"]["ResourceArn"])
    assert "/restapis/${RestAPI}/stages/${RestAPI.Stage}" in arn


def test_the_stage_throttles_and_the_api_keeps_to_its_concurrency(
    template: dict[str, Any], stage: str
) -> None:
    edge = config(stage).edge
    (settings,) = template["Resources"]["RestAPI"]["Properties"]["MethodSettings"]
    assert (settings["ResourcePath"], settings["HttpMethod"]) == ("/*", "*")
    assert settings["ThrottlingRateLimit"] == edge.api_requests_per_second
    assert settings["ThrottlingBurstLimit"] == edge.api_burst
    api = template["Resources"]["APIHandler"]["Properties"]
    assert api["ReservedConcurrentExecutions"] == edge.api_reserved_concurrency


def viewer_tls_problems(template: dict[str, Any], stage: StageConfig) -> list[str]:
    """A stage with its own domain must ship the TLSv1.2_2021 policy; one without says so."""
    config_ = distribution_config(template)
    if stage.public_domain:
        certificate = config_.get("ViewerCertificate", {})
        if certificate.get("MinimumProtocolVersion") != "TLSv1.2_2021":
            return [f"{stage.name}: {stage.public_domain} without TLSv1.2_2021"]
        return []
    outputs = template.get("Outputs", {})
    if not any(name.startswith("ViewerTls") for name in outputs):
        return [f"{stage.name}: no domain, and no ViewerTls output saying so"]
    return []


def test_every_stage_with_a_domain_has_the_viewer_tls_policy(
    template: dict[str, Any], stage: str
) -> None:
    assert viewer_tls_problems(template, config(stage)) == []


def test_the_tls_check_refuses_a_domain_without_the_policy(template: dict[str, Any]) -> None:
    """The check above fails for a stage with a domain whose distribution has no TLS policy
    (every stage today has none of its own domain, so this is how the check is shown to bite)."""
    with_domain = StageConfig(
        **{**config("prod").__dict__, "public_domain": "mijn.example", "certificate_arn": "arn:x"}
    )
    assert viewer_tls_problems(template, with_domain) == ["prod: mijn.example without TLSv1.2_2021"]


# Logs -------------------------------------------------------------------------------------------


def test_every_function_logs_to_its_own_group_with_the_stages_retention(
    template: dict[str, Any], stage: str
) -> None:
    retention = config(stage).retention
    groups = resources(template, "AWS::Logs::LogGroup")
    assert groups and all("RetentionInDays" in g["Properties"] for g in groups.values())
    functions = {
        **resources(template, "AWS::Lambda::Function"),
        "APIHandler": template["Resources"]["APIHandler"],
    }
    for name, function in functions.items():
        if name.startswith(("CustomCrossRegion", "BucketNotifications")):
            continue  # CDK's own helpers, made without a log group setting
        (group,) = refs(function["Properties"]["LoggingConfig"]["LogGroup"])
        assert groups[group]["Properties"]["RetentionInDays"] == retention.function_log_days, name


def test_api_gateway_writes_json_access_logs_without_eans(
    template: dict[str, Any], stage: str
) -> None:
    setting = template["Resources"]["RestAPI"]["Properties"]["AccessLogSetting"]
    (group,) = refs(setting["DestinationArn"])
    kept = template["Resources"][group]["Properties"]["RetentionInDays"]
    assert kept == config(stage).retention.access_log_days
    line = json.loads(setting["Format"])
    assert line["requestId"] == "$context.requestId"
    assert line["route"] == "$context.resourcePath"  # `…/{ean}`, never the EAN itself
    assert {"status", "latencyMs", "method"} <= set(line)
    assert "$context.path" not in setting["Format"] and "querystring" not in setting["Format"]
    assert resources(template, "AWS::ApiGateway::Account")  # its role to write them


def test_cloudfront_and_the_buckets_with_personal_data_write_access_logs(
    template: dict[str, Any], stage: str
) -> None:
    logs = logical_id(template, "AWS::S3::Bucket", "AccessLogs")
    cdn_logs = logical_id(template, "AWS::S3::Bucket", "CdnLogs")
    assert refs(distribution_config(template)["Logging"]["Bucket"]) == {cdn_logs}
    for name in ("Contracts", "Ingest", "Exports", "Pages", "CdnLogs"):
        bucket = template["Resources"][logical_id(template, "AWS::S3::Bucket", name)]
        assert refs(bucket["Properties"]["LoggingConfiguration"]) == {logs}, name
    days = config(stage).retention.access_log_days
    for name in (logs, cdn_logs):
        (rule,) = template["Resources"][name]["Properties"]["LifecycleConfiguration"]["Rules"]
        assert rule["ExpirationInDays"] == days


def test_prods_alarms_reach_someone_and_synthesis_refuses_it_otherwise(
    templates: dict[str, dict[str, Any]],
) -> None:
    prod = templates["prod"]
    topic = logical_id(prod, "AWS::SNS::Topic", "Alarms")
    (subscription,) = resources(prod, "AWS::SNS::Subscription").values()
    props = subscription["Properties"]
    assert (props["Protocol"], props["Endpoint"]) == ("email", ALARM_EMAIL)
    assert refs(props["TopicArn"]) == {topic}
    assert check(config("prod")) == [
        "prod: alarms need a subscriber; give one with -c alarm_email_prod=…"
    ]
    assert check(config("dev")) == []


# Records ----------------------------------------------------------------------------------------


def test_no_role_may_change_or_remove_the_access_log_or_the_feed(template: dict[str, Any]) -> None:
    tables = {
        logical_id(template, "AWS::DynamoDB::Table", f"Table{base.replace('_', '')}")
        for base in APPEND_ONLY
    }
    writes = {"dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"}
    for role in resources(template, "AWS::IAM::Role"):
        for statement in statements(template, role):
            if refs(statement["Resource"]) & tables:
                assert not writes & set(actions(statement)), (role, statement)
    api = [s for s in statements(template, "ApiRole") if refs(s["Resource"]) & tables]
    granted = {action for statement in api for action in actions(statement)}
    assert "dynamodb:PutItem" in granted and "dynamodb:Query" in granted


def test_no_function_may_delete_a_contracts_version_and_versions_are_locked(
    template: dict[str, Any], stage: str
) -> None:
    for role in resources(template, "AWS::IAM::Role"):
        if role.startswith(("CustomCDK", "Custom")):
            continue  # CDK's deployment helper writes the pages bucket only
        for statement in statements(template, role):
            assert not {"s3:DeleteObject*", "s3:DeleteObjectVersion"} & set(actions(statement))
    contracts = template["Resources"][logical_id(template, "AWS::S3::Bucket", "Contracts")]
    props = contracts["Properties"]
    assert props["ObjectLockEnabled"] is True
    retention = props["ObjectLockConfiguration"]["Rule"]["DefaultRetention"]
    kept = config(stage).retention
    assert retention["Days"] == kept.contract_days
    assert retention["Mode"] == ("COMPLIANCE" if kept.contract_lock_compliance else "GOVERNANCE")


# Scanners ---------------------------------------------------------------------------------------


def test_cdk_nag_finds_nothing_unacknowledged(assembly: Assembly) -> None:
    """Synthesis itself fails on a finding (the fixture would); the report says so too."""
    report = assembly.outdir / "policy-validation-report.json"
    if report.exists():
        violations = [
            violation["ruleName"]
            for plugin in json.loads(report.read_text())["pluginReports"]
            for violation in plugin["violations"]
        ]
        assert violations == []


def test_every_acknowledged_finding_says_why(
    templates: dict[str, dict[str, Any]], edge_templates: dict[str, dict[str, Any]]
) -> None:
    acknowledged = [
        rule
        for template in (*templates.values(), *edge_templates.values())
        for resource in template["Resources"].values()
        for rule in resource.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", [])
    ]
    assert acknowledged
    assert all(len(rule["reason"]) > 30 for rule in acknowledged), acknowledged
