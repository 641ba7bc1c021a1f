"""One stack per stage, composed of its rooms: data, the API (Chalice's own CDK construct), the
scheduled and event-driven functions, the public pages behind CloudFront, and the alarms and
dashboard that watch them. Each room adds its resources to this stack's scope, so the logical ids
(and the deployed resources behind them) do not depend on how the code is arranged."""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from . import nag
from .api import Api
from .data import Data
from .firewall import EdgeStack
from .functions import Functions
from .monitoring import Monitoring
from .pages import Pages
from .stages import StageConfig


class EdvPlatformStack(Stack):
    def __init__(
        self, scope: Construct, stage: StageConfig, edge: EdgeStack, **kwargs: object
    ) -> None:
        name = f"edv-platform-{stage.name}"
        super().__init__(scope, name, stack_name=name, cross_region_references=True, **kwargs)
        self.stage = stage
        self.alarm_topic = sns.Topic(
            self, "Alarms", display_name=f"EDV platform {stage.name}", enforce_ssl=True
        )
        if stage.alarm_email:
            self.alarm_topic.add_subscription(subscriptions.EmailSubscription(stage.alarm_email))
            nag.accept(
                self.alarm_topic,
                Serverless_SNSRedrivePolicy="An e-mail subscription: SNS retries it for an "
                "hour; the alarm stays in ALARM and shows on the dashboard meanwhile.",
            )
        self.data = Data(self, stage, prefix=f"edv-{stage.name}-")
        self.functions = Functions(self, self.data)
        self.api = Api(self, self.data, name, self.functions.functions)
        self.pages = Pages(self, self.data, self.api.domain, edge.web_acl.attr_arn)
        function_names = {name: f.function_name for name, f in self.functions.functions.items()}
        Monitoring(
            self,
            self.alarm_topic,
            api_name=name,
            function_names={**function_names, "Api": self.api.function_name},
            dead_letter_queues=self.functions.dead_letter_queues,
        )
