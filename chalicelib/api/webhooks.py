"""Webhook endpoints of an EDV, their delivery log, and a test event. For its administrators."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import Field

from ..domain.webhooks import EVENT_TYPES, Endpoint
from ..services import webhooks
from ..serving.models import ApiModel, RequestBody
from ..serving.paging import Page, PageQuery, paged
from ..serving.routing import Api, Auth, Call, Reply

api = Api("Webhooks")
BASE = "/v1/organisations/{en}/webhooks"
ERRORS = ("not_a_member", "forbidden")
# The event types an endpoint may ask for, as the domain lists them (domain/webhooks.EVENT_TYPES).
EventTypeName = StrEnum("EventTypeName", [(kind, kind) for kind in EVENT_TYPES])  # type: ignore[misc]


FAILURE_DESCRIPTION = (
    "Why the last attempt failed, as a category: dns, private_address (the name resolves to an "
    "address that is not public), refused, timeout, tls, unreachable, invalid_url (no delivery "
    "can reach it), internal (our side failed), or http_<status>."
)


class EndpointRequest(RequestBody):
    url: str = Field(max_length=2000, examples=["https://edv.example/hooks/mandates"])
    event_types: list[EventTypeName] = Field(min_length=1)
    description: str = Field("", max_length=200)


class EndpointView(ApiModel):
    id: str
    url: str
    event_types: list[str]
    description: str
    status: Literal["active", "failing"]
    created_at: datetime
    failing_since: datetime | None
    last_error: str | None = Field(description=FAILURE_DESCRIPTION)


class EndpointCreated(EndpointView):
    secret: str = Field(description="whsec_…: verify signatures with it. Shown only now.")


class EndpointList(ApiModel):
    items: list[EndpointView]


class DeliveryView(ApiModel):
    webhook_id: str = Field(description="The webhook-id header: the same on every attempt")
    event_type: str
    mandate_id: str | None
    status: Literal["queued", "retrying", "delivered", "dead"]
    attempts: int
    last_status: int | None
    last_error: str | None = Field(description=FAILURE_DESCRIPTION)
    last_attempt_at: datetime | None
    delivered_at: datetime | None


DeliveryPage = Page[DeliveryView]


class TestSent(ApiModel):
    webhook_id: str


def _view(endpoint: Endpoint) -> EndpointView:
    return EndpointView(
        id=endpoint.id,
        url=endpoint.url,
        event_types=list(endpoint.event_types),
        description=endpoint.description,
        status=endpoint.status,
        created_at=endpoint.created_at,
        failing_since=endpoint.failing_since,
        last_error=endpoint.last_error,
    )


@api.operation(
    "POST",
    BASE,
    auth=Auth.PERSON,
    summary="Register a webhook endpoint",
    body=EndpointRequest,
    response=EndpointCreated,
    status=201,
    errors=(*ERRORS, "edv_not_active", "quota_exceeded", "validation_error"),
)
def create_endpoint(call: Call, enterprise_number: str, body: EndpointRequest) -> Reply:
    """HTTPS only. It receives the chosen events from now on, signed per Standard Webhooks with
    the secret in this answer (not shown again)."""
    created = webhooks.register(
        call.person.sub,
        enterprise_number,
        body.url,
        [kind.value for kind in body.event_types],
        body.description,
        call.now,
    )
    return Reply(EndpointCreated(**_view(created).model_dump(), secret=created.secret), status=201)


@api.operation(
    "GET",
    BASE,
    auth=Auth.PERSON,
    summary="The webhook endpoints",
    response=EndpointList,
    errors=ERRORS,
)
def list_endpoints(call: Call, enterprise_number: str) -> EndpointList:
    return EndpointList(
        items=[_view(e) for e in webhooks.endpoints(call.person.sub, enterprise_number)]
    )


@api.operation(
    "GET",
    f"{BASE}/{{endpoint_id}}",
    auth=Auth.PERSON,
    summary="One webhook endpoint",
    response=EndpointView,
    errors=(*ERRORS, "not_found"),
)
def get_endpoint(call: Call, enterprise_number: str, endpoint_id: str) -> EndpointView:
    return _view(webhooks.endpoint(call.person.sub, enterprise_number, endpoint_id))


@api.operation(
    "DELETE",
    f"{BASE}/{{endpoint_id}}",
    auth=Auth.PERSON,
    summary="Remove a webhook endpoint",
    status=204,
    errors=(*ERRORS, "not_found"),
)
def delete_endpoint(call: Call, enterprise_number: str, endpoint_id: str) -> None:
    webhooks.remove(call.person.sub, enterprise_number, endpoint_id)


@api.operation(
    "GET",
    f"{BASE}/{{endpoint_id}}/deliveries",
    auth=Auth.PERSON,
    summary="The endpoint's delivery log, newest first (30 days)",
    query=PageQuery,
    response=DeliveryPage,
    errors=(*ERRORS, "not_found", "invalid_cursor"),
)
def list_deliveries(
    call: Call, enterprise_number: str, endpoint_id: str, query: PageQuery
) -> DeliveryPage:
    items, next_cursor = paged(
        f"webhook-deliveries:{endpoint_id}",
        query,
        lambda limit, start: webhooks.deliveries(
            call.person.sub, enterprise_number, endpoint_id, limit, start
        ),
    )
    return DeliveryPage(
        items=[
            DeliveryView(
                webhook_id=i.message_id,
                event_type=i.event_type,
                mandate_id=i.mandate_id,
                status=i.status,
                attempts=int(i.attempts),
                last_status=int(i.last_status) if i.last_status is not None else None,
                last_error=i.last_error,
                last_attempt_at=i.last_attempt_at,
                delivered_at=i.delivered_at,
            )
            for i in items
        ],
        next_cursor=next_cursor,
    )


@api.operation(
    "POST",
    f"{BASE}/{{endpoint_id}}/test",
    auth=Auth.PERSON,
    summary="Send a test event (type webhook_test)",
    response=TestSent,
    status=202,
    errors=(*ERRORS, "not_found", "rate_limited"),
)
def send_test_event(call: Call, enterprise_number: str, endpoint_id: str) -> Reply:
    message_id = webhooks.send_test(call.person.sub, enterprise_number, endpoint_id, call.now)
    return Reply(TestSent(webhook_id=message_id), status=202)
