"""The functions beside the API: the scheduled jobs, ingest, webhook delivery, and the rendering
function the API hands PNG and PDF to. Each runs its own bundle (bundles.py): our code and only
the packages its handlers import."""

from __future__ import annotations

from aws_cdk import Duration, Stack, TimeZone
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as lambda_event_sources
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_scheduler_targets as scheduler_targets
from aws_cdk import aws_sqs as sqs

from chalicelib.jobs import JOBS as SCHEDULED

from . import bundles, nag
from .data import DEAD_END, Data
from .logs import log_group
from .permissions import EXPORT, INGEST, JOBS, RENDER, WEBHOOKS

RUNTIME_CHOSEN = {
    "AwsSolutions_L1": "Python 3.12 is the runtime the code and its locked wheels (cp312) are made "
    "for; moving on is a deliberate change with new locks, not a default.",
    "Serverless_LambdaLatestVersion": "As AwsSolutions-L1: Python 3.12 on purpose.",
    "Serverless_LambdaTracing": "No X-Ray yet: docs/decisions/0007-no-tracing-yet.md says why "
    "(request ids in every log line and metric instead).",
}

# (name, handler, when: EventBridge Scheduler cron in Brussels time), from the jobs' registry
SCHEDULES = tuple(
    (job.construct, f"functions.jobs.{job.handler}", job.schedule) for job in SCHEDULED.values()
)


class Functions:
    def __init__(self, stack: Stack, data: Data) -> None:
        self.stack, self.data = stack, data
        self.functions: dict[str, lambda_.Function] = {}
        self.dead_letter_queues: dict[str, sqs.Queue] = {}
        self._jobs()
        self._webhook_delivery()
        self._ingest()
        self._render()
        self._export()

    def _function(
        self,
        name: str,
        handler: str,
        role: iam.Role,
        dead_letters: sqs.Queue | None,
        timeout: Duration,
        memory_mb: int = 1024,
        environment: dict[str, str] | None = None,
    ) -> lambda_.Function:
        bundle = next(b for b in bundles.BUNDLES.values() if handler in b.handlers)
        stage = self.data.stage
        logs = log_group(
            self.stack, f"{name}Logs", stage.retention.function_log_days, stage.retain_data
        )
        function = lambda_.Function(
            self.stack,
            f"{name}Function",
            runtime=lambda_.Runtime.PYTHON_3_12,
            handler=handler,
            code=lambda_.Code.from_asset(str(bundles.build(bundle))),
            role=role,
            memory_size=memory_mb,
            timeout=timeout,
            environment=self.data.environment() if environment is None else environment,
            dead_letter_queue=dead_letters,
            retry_attempts=2 if dead_letters else None,
            log_group=logs,
        )
        logs.grant_write(role)
        nag.accept(function, **RUNTIME_CHOSEN)
        if dead_letters is not None:
            nag.accept(
                function,
                Serverless_LambdaAsyncFailureDestination="Failed asynchronous events go to the "
                "function's dead-letter queue (its DeadLetterConfig), which is alarmed.",
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
        nag.accept(queue, Serverless_SQSRedrivePolicy=DEAD_END)
        return queue

    def _jobs(self) -> None:
        role = self.data.role("JobsRole", JOBS)
        self.data.may_queue_webhooks(role)
        dead_letters = self._dead_letters("Jobs")
        scheduled: list[lambda_.Function] = []
        for name, handler, cron in SCHEDULES:
            function = self._function(name, handler, role, dead_letters, Duration.minutes(10))
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
            scheduled.append(function)
        for child in self.stack.node.children:  # the roles EventBridge Scheduler assumes
            if child.node.id.startswith("SchedulerRoleForTarget"):
                nag.wildcards(
                    child,
                    "Scheduler's invoke grant covers the function's versions and aliases (`:*`).",
                    *(f"Resource::{nag.arn_of(f)}:*" for f in scheduled),
                )

    def _webhook_delivery(self) -> None:
        role = self.data.role("WebhooksRole", WEBHOOKS)
        self.data.webhook_queue.grant_consume_messages(role)
        self.data.webhook_dead_letters.grant_send_messages(role)
        self.data.may_find_queues(role)
        function = self._function(
            "WebhookDelivery", "functions.webhooks.handler", role, None, Duration.minutes(2)
        )
        nag.accept(
            function,
            Serverless_LambdaDLQ="Fed by the webhook queue, whose redrive policy dead-letters a "
            "message the code could not deliver (and the code dead-letters after its back-off).",
            Serverless_LambdaEventSourceMappingDestination="The queue's redrive policy is the "
            "failure destination.",
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
        ingest = self._function(
            "Ingest", "functions.ingest.handler", role, dead_letters, Duration.minutes(15)
        )
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

    def _render(self) -> None:
        """Called by the API and waited for (API Gateway's 29 s); a full vCPU, as drawing is CPU
        work. Its environment holds nothing: it needs no configuration."""
        render = self._function(
            "Render",
            "functions.render.handler",
            self.data.role("RenderRole", RENDER),
            None,
            Duration.seconds(28),
            memory_mb=1769,
            environment={"MPLCONFIGDIR": "/tmp/matplotlib"},  # noqa: S108 - Lambda's only writable place
        )
        nag.accept(
            render,
            Serverless_LambdaDLQ="Only invoked synchronously: the API gets the error and answers.",
        )

    def _export(self) -> None:
        """Started by the API without waiting; Lambda retries a failed run twice, and a run
        continues where the job stopped. More than one vCPU's worth of memory (1,769 MB buys one):
        Parquet, the CSV and gzip are CPU work, and a part is built in memory."""
        role = self.data.role("ExportRole", EXPORT)
        self.data.may_queue_webhooks(role)  # export_ready
        self._function(
            "Export",
            "functions.export.handler",
            role,
            self._dead_letters("Export"),
            Duration.minutes(15),
            memory_mb=3008,
        )
