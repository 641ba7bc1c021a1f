"""The non-HTTP functions: the scheduled jobs, ingest of dropped files, and webhook delivery.
Their code is Chalice's packaged deployment (chalicelib and its Lambda-built dependencies) plus
functions/."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

from aws_cdk import Duration, Stack, TimeZone
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as lambda_event_sources
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_scheduler_targets as scheduler_targets
from aws_cdk import aws_sqs as sqs
from chalice.cdk import Chalice

from .data import Data
from .permissions import INGEST, JOBS, WEBHOOKS

ROOT = Path(__file__).resolve().parents[1]
# (name, handler, when: EventBridge Scheduler cron in Brussels time)
SCHEDULES = (
    ("MandateExpiry", "functions.jobs.mandate_expiry", "cron(0 1 * * ? *)"),
    ("MarketScenarios", "functions.jobs.market_scenarios", "cron(5 * * * ? *)"),
    ("PublishPages", "functions.jobs.publish_pages", "cron(0/15 * * * ? *)"),
    ("WebhookDispatch", "functions.jobs.webhook_dispatch", "cron(* * * * ? *)"),
)


class Functions:
    def __init__(self, stack: Stack, data: Data, chalice: Chalice) -> None:
        self.stack, self.data = stack, data
        self.functions: dict[str, lambda_.Function] = {}
        self.dead_letter_queues: dict[str, sqs.Queue] = {}
        self.code = self._code(chalice)
        self._jobs()
        self._webhook_delivery()
        self._ingest()

    def _code(self, chalice: Chalice) -> lambda_.Code:
        """chalicelib and its dependencies as Chalice packaged them, plus functions/."""
        packaged = Path(chalice._sam_package_dir) / "deployment.zip"
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
            self.stack,
            f"{name}Function",
            runtime=lambda_.Runtime.PYTHON_3_12,
            handler=handler,
            code=self.code,
            role=role,
            memory_size=1024,
            timeout=Duration.minutes(minutes),
            environment=self.data.environment(),
            dead_letter_queue=dead_letters,
            retry_attempts=2 if dead_letters else None,
        )
        self.functions[name] = function
        return function

    def _dead_letters(self, name: str) -> sqs.Queue:
        queue = sqs.Queue(
            self.stack,
            f"{name}DeadLetters",
            retention_period=Duration.days(14),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
        )
        self.dead_letter_queues[name] = queue
        return queue

    def _jobs(self) -> None:
        role = self.data.role("JobsRole", JOBS)
        self.data.may_queue_webhooks(role)
        dead_letters = self._dead_letters("Jobs")
        for name, handler, cron in SCHEDULES:
            function = self._function(name, handler, role, dead_letters, minutes=10)
            scheduler.Schedule(
                self.stack,
                f"{name}Schedule",
                schedule=scheduler.ScheduleExpression.expression(
                    cron, time_zone=TimeZone.EUROPE_BRUSSELS
                ),
                target=scheduler_targets.LambdaInvoke(
                    function,
                    dead_letter_queue=dead_letters,
                    max_event_age=Duration.hours(1),
                    retry_attempts=3,
                    input=scheduler.ScheduleTargetInput.from_object(
                        {"time": scheduler.ContextAttribute.scheduled_time}
                    ),
                ),
                description=f"{name} (as of the scheduled time, Brussels)",
            )

    def _webhook_delivery(self) -> None:
        role = self.data.role("WebhooksRole", WEBHOOKS)
        self.data.webhook_queue.grant_consume_messages(role)
        self.data.webhook_dead_letters.grant_send_messages(role)
        self.data.may_find_queues(role)
        function = self._function(
            "WebhookDelivery", "functions.webhooks.handler", role, None, minutes=2
        )
        function.add_event_source(
            lambda_event_sources.SqsEventSource(
                self.data.webhook_queue, batch_size=10, report_batch_item_failures=True
            )
        )
        self.dead_letter_queues["Webhooks"] = self.data.webhook_dead_letters

    def _ingest(self) -> None:
        role = self.data.role("IngestRole", INGEST)
        self.data.may_queue_webhooks(role)  # data_available
        dead_letters = self._dead_letters("Ingest")
        ingest = self._function("Ingest", "functions.ingest.handler", role, dead_letters, 15)
        events.Rule(
            self.stack,
            "IngestFileLanded",
            event_pattern=events.EventPattern(
                source=["aws.s3"],
                detail_type=["Object Created"],
                detail={"bucket": {"name": [self.data.ingest_bucket.bucket_name]}},
            ),
            targets=[
                targets.LambdaFunction(
                    ingest,
                    dead_letter_queue=dead_letters,
                    retry_attempts=8,
                    max_event_age=Duration.hours(24),
                )
            ],
        )
