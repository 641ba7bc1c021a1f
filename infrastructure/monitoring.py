"""What watches the system: alarms on the API's 5xx rate, every function's errors and throttles,
every dead-letter queue, failed jobs, refused ingest rows and an expiry job that did not run; and
one dashboard. Our own metrics are named in chalicelib/observability.py."""

from __future__ import annotations

from aws_cdk import Duration, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs

from chalicelib.observability import NAMESPACE, SERVICE, Metric


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


def _service(name: str, statistic: str = "Sum", **dimensions: str) -> cloudwatch.Metric:
    """One of our own metrics: every one has the `service` dimension."""
    return _metric(NAMESPACE, name, {"service": SERVICE, **dimensions}, statistic)


class Monitoring:
    def __init__(
        self,
        stack: Stack,
        topic: sns.Topic,
        api_name: str,
        function_names: dict[str, str],
        dead_letter_queues: dict[str, sqs.Queue],
    ) -> None:
        from chalicelib.jobs import JOBS, MANDATE_EXPIRY

        self.stack, self.topic = stack, topic
        api = {"ApiName": api_name}
        requests = _metric("AWS/ApiGateway", "Count", api)
        errors = _metric("AWS/ApiGateway", "5XXError", api)
        error_rate = cloudwatch.MathExpression(
            expression="100 * errors / MAX([requests, 1])",
            using_metrics={"errors": errors, "requests": requests},
            label="API 5xx (%)",
            period=Duration.minutes(5),
        )
        self._alarm("Api5xxRate", error_rate, "Over 1% of API answers are 5xx", periods=3)
        for name, function_name in function_names.items():
            for metric in ("Errors", "Throttles"):
                self._alarm(
                    f"{name}{metric}",
                    _metric("AWS/Lambda", metric, {"FunctionName": function_name}),
                    f"The {name} function: {metric.lower()}",
                )
        for name, queue in dead_letter_queues.items():
            self._alarm(
                f"{name}DeadLetters",
                queue.metric_approximate_number_of_messages_visible(period=Duration.minutes(5)),
                f"{name}: an event could not be processed and waits in the dead-letter queue",
            )
        for job in JOBS:
            self._alarm(
                f"JobFailures-{job}",
                _service(Metric.JOB_FAILURES, job=job),
                f"The {job} job failed",
            )
        self._alarm(
            "IngestRejections",
            _service(Metric.INGEST_ROWS_REJECTED),
            "Ingest refused rows or a file: see the ingest reports",
        )
        silence = _service(Metric.JOB_RUNS, job=MANDATE_EXPIRY).with_(period=Duration.hours(26))
        expiry_missing = silence.create_alarm(
            stack,
            "ExpiryDidNotRun",
            alarm_description="The daily mandate-expiry job has not run for 26 hours",
            threshold=1,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.BREACHING,
        )
        expiry_missing.add_alarm_action(actions.SnsAction(topic))

        mandates = (
            Metric.MANDATES_GRANTED,
            Metric.MANDATES_ENDED,
            Metric.MANDATES_TRUNCATED,
            Metric.MANDATES_EXPIRED,
        )
        dashboard = cloudwatch.Dashboard(stack, "Dashboard", dashboard_name=api_name)
        dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="API requests and 5xx", left=[requests, errors], right=[error_rate]
            ),
            cloudwatch.GraphWidget(
                title="Reads served",
                left=[_service(Metric.READS_SERVED, face=face) for face in ("portal", "api")],
            ),
            cloudwatch.GraphWidget(title="Mandates", left=[_service(n) for n in mandates]),
        )
        dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Ingest rows",
                left=[
                    _service(n) for n in (Metric.INGEST_ROWS_ACCEPTED, Metric.INGEST_ROWS_REJECTED)
                ],
            ),
            cloudwatch.GraphWidget(
                title="Job runs and failures",
                left=[_service(Metric.JOB_RUNS, job=job) for job in JOBS],
                right=[_service(Metric.JOB_FAILURES, job=job) for job in JOBS],
            ),
            cloudwatch.GraphWidget(
                title="Job duration (ms)",
                left=[_service(Metric.JOB_DURATION, "Maximum", job=job) for job in JOBS],
            ),
        )
        dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Lambda errors and throttles",
                left=[
                    _metric("AWS/Lambda", "Errors", {"FunctionName": n})
                    for n in function_names.values()
                ],
                right=[
                    _metric("AWS/Lambda", "Throttles", {"FunctionName": n})
                    for n in function_names.values()
                ],
            ),
            cloudwatch.GraphWidget(
                title="Dead-letter queues",
                left=[
                    q.metric_approximate_number_of_messages_visible()
                    for q in dead_letter_queues.values()
                ],
            ),
        )

    def _alarm(
        self,
        name: str,
        metric: cloudwatch.IMetric,
        description: str,
        threshold: float = 1,
        periods: int = 1,
    ) -> None:
        alarm = metric.create_alarm(
            self.stack,
            f"{name}Alarm",
            alarm_description=description,
            threshold=threshold,
            evaluation_periods=periods,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        alarm.add_alarm_action(actions.SnsAction(self.topic))
