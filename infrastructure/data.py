"""Data: the tables (from the PynamoDB models), the buckets, the secrets and the webhook queues;
the environment every function gets; and the role factory that grants exactly permissions.py."""

from __future__ import annotations

from typing import Any

from aws_cdk import Aws, Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sqs as sqs
from pynamodb.models import Model

from chalicelib.observability import NAMESPACE, SERVICE
from chalicelib.queues import WEBHOOK_QUEUE

from . import nag
from .permissions import APPEND_ONLY, DELETE, PUT, READ, Grants
from .stages import StageConfig
from .tables import table_for


def _models_by_base_name() -> dict[str, type[Model]]:
    from chalicelib.config import table_name
    from chalicelib.store import all_models

    prefix = table_name("")
    return {model.Meta.table_name.removeprefix(prefix): model for model in all_models()}


# Taken once, on import: packaging the API (chalice) sets the stage's variables, TABLE_PREFIX too,
# in this very process.
MODELS = _models_by_base_name()


# The action groups CDK's bucket grants use, all on the one bucket.
S3_ACTION_GROUPS = {READ: ("GetObject*", "GetBucket*", "List*"), PUT: ("Abort*",)}
GRANT_WILDCARDS = (
    "Only where names are made at run time: the objects of one bucket (keys per EDV, EAN, job), "
    "the indexes of one table, and CDK's object-level action groups on that bucket."
)
DEAD_END = "A dead-letter queue is the end of the line: alarmed, looked at, redriven by hand."


def _generated_secret(stack: Stack, name: str, description: str) -> secretsmanager.Secret:
    """48 random letters and digits, made by Secrets Manager at deploy time."""
    return secretsmanager.Secret(
        stack,
        name,
        description=description,
        generate_secret_string=secretsmanager.SecretStringGenerator(
            password_length=48, exclude_punctuation=True
        ),
    )


def signing_key_secret(stage: str) -> str:
    return f"edv/{stage}/token-signing-key"


class Data:
    """Everything that holds state. Resources are made in the stack's own scope, so their logical
    ids do not depend on how this code is arranged: a refactor never replaces a table."""

    def __init__(self, stack: Stack, stage: StageConfig, prefix: str) -> None:
        self.stack, self.stage, self.prefix = stack, stage, prefix
        self.tables = {
            base: table_for(stack, base, model, prefix + base, stage.retain_data)
            for base, model in MODELS.items()
        }
        removal = RemovalPolicy.RETAIN if stage.retain_data else RemovalPolicy.DESTROY

        retention = stage.retention

        def bucket(name: str, **options: Any) -> s3.Bucket:
            settings: dict[str, Any] = {
                "object_ownership": s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
                **options,
            }
            return s3.Bucket(
                stack,
                name,
                block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
                encryption=s3.BucketEncryption.S3_MANAGED,
                enforce_ssl=True,
                removal_policy=removal,
                **settings,
            )

        # Access logs, kept as long as the stage keeps access logs: S3's of the contracts and
        # ingest buckets (written under the bucket policy), CloudFront's (which writes with ACLs,
        # so its bucket allows them).
        kept = [s3.LifecycleRule(expiration=Duration.days(retention.access_log_days))]
        self.logs_bucket = bucket("AccessLogs", lifecycle_rules=kept)

        def logged(name: str) -> dict[str, Any]:
            return {
                "server_access_logs_bucket": self.logs_bucket,
                "server_access_logs_prefix": f"s3/{name}/",
            }

        self.cdn_logs_bucket = bucket(
            "CdnLogs",
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
            lifecycle_rules=kept,
            **logged("cdn-logs"),
        )
        self.pages_bucket = bucket("Pages", **logged("pages"))
        lock = (
            s3.ObjectLockRetention.compliance
            if retention.contract_lock_compliance
            else (s3.ObjectLockRetention.governance)
        )
        self.contracts_bucket = bucket(
            "Contracts",
            versioned=True,
            # Every version of a signed contract, the API's too, stays for the legal period.
            object_lock_enabled=True,
            object_lock_default_retention=lock(Duration.days(retention.contract_days)),
            **logged("contracts"),
        )
        self.exports_bucket = bucket(
            "Exports",
            lifecycle_rules=[
                s3.LifecycleRule(
                    expiration=Duration.days(1),
                    abort_incomplete_multipart_upload_after=Duration.days(1),
                )
            ],
            **logged("exports"),  # who downloaded which history
        )
        self.ingest_bucket = bucket(
            "Ingest",
            event_bridge_enabled=True,
            versioned=True,
            # A file is ingested and reported within minutes; what is kept of it after that is
            # its report (DynamoDB) and its readings. Old versions go with it.
            lifecycle_rules=[
                s3.LifecycleRule(
                    expiration=Duration.days(retention.ingest_file_days),
                    noncurrent_version_expiration=Duration.days(1),
                    abort_incomplete_multipart_upload_after=Duration.days(1),
                ),
                s3.LifecycleRule(expired_object_delete_marker=True),
            ],
            **logged("ingest"),
        )
        self.buckets = {
            "pages": self.pages_bucket,
            "contracts": self.contracts_bucket,
            "exports": self.exports_bucket,
            "ingest": self.ingest_bucket,
        }
        self.cursor_key = _generated_secret(stack, "CursorKey", "Signs list cursors")
        nag.accept(
            self.cursor_key,
            AwsSolutions_SMG4="Not rotated: it only signs list cursors, which live minutes; a new "
            "key (a redeploy) ends the cursors in flight, nothing else.",
        )
        # CloudFront signs every request to the API origin with it; the API's web ACL lets only
        # those in (firewall.py). A CloudFormation dynamic reference: never in a template.
        self.origin_secret = _generated_secret(
            stack, "OriginSecret", "CloudFront's header to the API origin"
        )
        self.origin_secret_value = self.origin_secret.secret_value.unsafe_unwrap()
        nag.accept(
            self.origin_secret,
            AwsSolutions_SMG4="Rotated by hand (docs/architecture.md, Edge): CloudFront's header "
            "and the web ACL both read it at deploy time, so a rotation is a redeploy.",
        )
        # The token service's RSA key (PEM): made once by the operator, see README "Deploy to AWS".
        self.token_key = secretsmanager.Secret.from_secret_name_v2(
            stack, "TokenSigningKey", signing_key_secret(stage.name)
        )
        self.base_url_parameter = f"/edv/{stage.name}/public-base-url"
        self._webhook_queues()

    def _webhook_queues(self) -> None:
        # Webhook deliveries: FIFO (in order per endpoint and mandate), retried by the code's own
        # back-off (over a day), which dead-letters itself; the redrive is only a safety net.
        self.webhook_dead_letters = sqs.Queue(
            self.stack,
            "WebhookDeadLetters",
            queue_name=f"{self.prefix}webhooks-dead.fifo",
            fifo=True,
            retention_period=Duration.seconds(WEBHOOK_QUEUE.dead_letter_retention_seconds),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
        )
        nag.accept(self.webhook_dead_letters, Serverless_SQSRedrivePolicy=DEAD_END)
        self.webhook_queue = sqs.Queue(
            self.stack,
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

    def environment(self) -> dict[str, str]:
        """What every function is configured with (chalicelib/config.py reads it)."""
        stage = self.stage
        return {
            "STAGE": stage.name,
            "TABLE_PREFIX": self.prefix,
            "READINGS_RETENTION_DAYS": str(stage.retention.readings_days),
            "BUCKET_PAGES": self.pages_bucket.bucket_name,
            "BUCKET_CONTRACTS": self.contracts_bucket.bucket_name,
            "BUCKET_EXPORTS": self.exports_bucket.bucket_name,
            "BUCKET_INGEST": self.ingest_bucket.bucket_name,
            "PAGES_BASE_URL_PARAMETER": self.base_url_parameter,
            "WEBHOOK_QUEUE": f"{self.prefix}webhooks.fifo",
            "WEBHOOK_DEAD_LETTER_QUEUE": f"{self.prefix}webhooks-dead.fifo",
            "AUTH_ISSUER": stage.auth_issuer,
            "AUTH_AUDIENCE": stage.auth_audience,
            "AUTH_JWKS_URL": stage.auth_jwks_url,
            "ASSERTION_AUDIENCES": stage.assertion_audiences,
            "ESCO_RATE_LIMIT_PER_MINUTE": str(stage.esco_rate_limit_per_minute),
            "ESCO_EDV_RATE_LIMIT_PER_MINUTE": str(stage.esco_edv_rate_limit_per_minute),
            "OPERATORS": ",".join(stage.operators),
            "POWERTOOLS_SERVICE_NAME": SERVICE,
            "POWERTOOLS_LOG_LEVEL": "INFO",
            "POWERTOOLS_METRICS_NAMESPACE": NAMESPACE,
        }

    def api_secrets(self) -> dict[str, str]:
        """The API's alone: names of secrets, not their values. It reads them at cold start (its
        role alone may), so no one reading a function's configuration sees a key."""
        return {
            "CURSOR_KEY_SECRET": self.cursor_key.secret_name,
            "TOKEN_SIGNING_KEY_PEM_SECRET": signing_key_secret(self.stage.name),
        }

    def role(self, name: str, grants: Grants) -> iam.Role:
        """A function's own role: exactly its grants (permissions.py), logs, and the base URL."""
        role = iam.Role(
            self.stack,
            name,
            # No AWSLambdaBasicExecutionRole (logs:* on every group): each function may write
            # to its own log group only (logs.log_group, granted where the function is made).
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
        )

        wildcards: list[str] = []
        for base, table in self.tables.items():
            if grants.tables is not None and base not in grants.tables:
                continue
            wildcards.append(f"Resource::{nag.arn_of(table)}/index/*")
            if base in APPEND_ONLY:  # records: added to, never changed or removed
                table.grant_read_data(role)
                table.grant(role, "dynamodb:PutItem")
            else:
                table.grant_read_write_data(role)
        for bucket_name, operations in grants.buckets.items():
            bucket = self.buckets[bucket_name]
            prefix = grants.write_prefixes.get(bucket_name, "")
            wildcards.append(f"Resource::{nag.arn_of(bucket)}/*")
            if prefix:
                wildcards.append(f"Resource::{nag.arn_of(bucket)}/{prefix}*")
            for operation in operations:
                wildcards += [
                    f"Action::s3:{group}" for group in S3_ACTION_GROUPS.get(operation, ())
                ]
            if PUT in operations:
                bucket.grant_put(role, f"{prefix}*")
            if DELETE in operations:
                # DeleteObject only: on a versioned bucket that is a delete marker; no function
                # may remove a version (grant_delete would give s3:DeleteObject*).
                role.add_to_policy(
                    iam.PolicyStatement(
                        actions=["s3:DeleteObject"],
                        resources=[bucket.arn_for_objects(f"{prefix}*")],
                    )
                )
            if READ in operations:
                bucket.grant_read(role)
        nag.wildcards(role, GRANT_WILDCARDS, *wildcards)
        if not grants.configured:
            return role
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

    def may_read_secrets(self, role: iam.Role) -> None:
        """The cursor key and the token signing key: only the API signs cursors and tokens."""
        self.cursor_key.grant_read(role)
        self.token_key.grant_read(role)

    def may_queue_webhooks(self, role: iam.Role) -> None:
        """Send to the webhook queue (and find both queues by name)."""
        self.webhook_queue.grant_send_messages(role)
        self.may_find_queues(role)

    def may_find_queues(self, role: iam.Role) -> None:
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["sqs:GetQueueUrl"],
                resources=[self.webhook_queue.queue_arn, self.webhook_dead_letters.queue_arn],
            )
        )
