"""Becoming an EDV (R2), the operators' queue and the public EDV card."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

from chalice.app import Response
from pydantic import Field

from ..domain.consent import MAX_RETURN_URL_ROOTS, MAX_URL_LENGTH
from ..domain.documents import MAX_SIGNED_CONTRACT_BYTES
from ..domain.vocabulary import ApplicationStatus as Status
from ..domain.vocabulary import Channel
from ..media_types import PDF
from ..services import onboarding, pages
from ..serving.models import ApiModel, RequestBody
from ..serving.paging import Page, PageQuery, paged
from ..serving.routing import Api, Auth, Call
from ..serving.types import Instant, Text

if TYPE_CHECKING:
    from ..services.onboarding import EdvView

api = Api("Becoming an EDV")


class Contact(RequestBody):
    name: Text
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)


ReturnUrlRoot = Annotated[str, Field(max_length=MAX_URL_LENGTH)]
ReturnUrlRoots = Annotated[
    list[ReturnUrlRoot],
    Field(
        max_length=MAX_RETURN_URL_ROOTS,
        description="Where consent requests may send customers back to: https URLs whose path "
        "the return URLs lie under, such as `https://www.example.be/energie/`.",
    ),
]


class ApplicationRequest(RequestBody):
    channel: Channel
    contact: Contact
    service_description: str = Field(min_length=1, max_length=2000)
    return_url_roots: ReturnUrlRoots = Field(default_factory=list)


class EmptyBody(RequestBody):
    """No fields."""


class ReturnUrlRootsRequest(RequestBody):
    roots: ReturnUrlRoots


class RejectRequest(RequestBody):
    reason: str = Field(min_length=1, max_length=2000)


class HistoryEntry(ApiModel):
    status: Status
    at: Instant
    by: str
    reason: str | None


class ServicesOverview(ApiModel):
    """The services overview (docs/api.md), with the history of the application."""

    enterprise_number: str
    organisation_name: str
    channel: Channel
    contract_status: Status
    api_status: Literal["inactive", "active"]
    contract_number: str
    requested_at: Instant
    signed_at: Instant | None
    decided_at: Instant | None
    terminated_at: Instant | None
    rejection_reason: str | None
    stappenplan_url: str
    consent_url: str
    signed_contract_sha256: str | None
    return_url_roots: list[str]
    history: list[HistoryEntry]


ApplicationPage = Page[ServicesOverview]


class QueueQuery(PageQuery):
    status: Status = Status.SIGNED


class PublicEdv(ApiModel):
    enterprise_number: str
    name: str
    service_description: str = Field(
        description="What the EDV does with the data, in its own words (from its application)"
    )
    contact_email: str = Field(description="Where a customer reaches the EDV")
    status: Status
    stappenplan_url: str
    consent_url: str


def overview_view(view: EdvView) -> ServicesOverview:
    app = view.application
    return ServicesOverview(
        enterprise_number=app.enterprise_number,
        organisation_name=view.organisation.name,
        channel=app.channel,
        contract_status=app.status,
        api_status="active" if app.api_active else "inactive",
        contract_number=app.contract_number,
        requested_at=app.requested_at,
        signed_at=app.at_status(Status.SIGNED),
        decided_at=app.decided_at,
        terminated_at=app.at_status(Status.TERMINATED),
        rejection_reason=app.rejection_reason,
        stappenplan_url=pages.stappenplan_url(app.enterprise_number),
        consent_url=pages.consent_url(app.enterprise_number),
        signed_contract_sha256=app.signed_contract.sha256 if app.signed_contract else None,
        return_url_roots=list(app.return_url_roots),
        history=[
            HistoryEntry(status=t.status, at=t.at, by=t.by, reason=t.reason) for t in app.history
        ],
    )


BASE = "/v1/organisations/{en}/edv-application"
ADMIN_ERRORS = ("not_a_member", "forbidden")


@api.operation(
    "POST",
    BASE,
    auth=Auth.PERSON,
    summary="Apply to become an EDV",
    body=ApplicationRequest,
    response=ServicesOverview,
    status=201,
    errors=(*ADMIN_ERRORS, "conflict"),
)
def apply_as_edv(call: Call, enterprise_number: str, body: ApplicationRequest) -> ServicesOverview:
    """Administrators choose the channel; the standard contract is then ready to sign."""
    view = onboarding.apply(
        call.person.sub,
        enterprise_number,
        channel=body.channel,
        contact_name=body.contact.name,
        contact_email=body.contact.email,
        service_description=body.service_description,
        return_url_roots=body.return_url_roots,
        now=call.now,
    )
    return overview_view(view)


@api.operation(
    "PUT",
    f"{BASE}/return-url-roots",
    auth=Auth.PERSON,
    summary="Where consent requests may send customers back to",
    body=ReturnUrlRootsRequest,
    response=ServicesOverview,
    errors=(*ADMIN_ERRORS, "not_found", "conflict", "validation_error"),
)
def put_return_url_roots(
    call: Call, enterprise_number: str, body: ReturnUrlRootsRequest
) -> ServicesOverview:
    """Administrators register the roots; every return URL of a consent request (the machine
    API's `POST /shortUrlIdentifier`) must lie under one, so the consent page never sends a
    customer to a site the EDV did not name."""
    view = onboarding.set_return_url_roots(call.person.sub, enterprise_number, body.roots, call.now)
    return overview_view(view)


@api.operation(
    "GET",
    BASE,
    auth=Auth.PERSON,
    summary="The services overview",
    response=ServicesOverview,
    errors=("not_a_member", "not_found"),
)
def get_services_overview(call: Call, enterprise_number: str) -> ServicesOverview:
    """Contract status, API status, dates and links; any member may look."""
    return overview_view(onboarding.overview(call.person.sub, enterprise_number))


@api.operation(
    "GET",
    f"{BASE}/contract",
    auth=Auth.PERSON,
    summary="The standard data access contract, filled in",
    response_media_types=(PDF,),
    errors=(*ADMIN_ERRORS, "not_found"),
)
def get_contract(call: Call, enterprise_number: str) -> Response:
    contract_number, document = onboarding.contract_pdf(call.person.sub, enterprise_number)
    return Response(
        body=document,
        status_code=200,
        headers={
            "Content-Type": PDF,
            "Content-Disposition": f'attachment; filename="{contract_number}.pdf"',
        },
    )


@api.operation(
    "PUT",
    f"{BASE}/signed-contract",
    auth=Auth.PERSON,
    summary="Upload the signed contract (PDF, at most 5 MB)",
    request_media_types=(PDF,),
    response=ServicesOverview,
    max_body_bytes=MAX_SIGNED_CONTRACT_BYTES,
    errors=(*ADMIN_ERRORS, "not_found", "conflict", "invalid_pdf"),
)
def put_signed_contract(call: Call, enterprise_number: str) -> ServicesOverview:
    """The body is the PDF itself; it is checked by parsing it, not by its name."""
    return overview_view(
        onboarding.upload_signed_contract(
            call.person.sub, enterprise_number, call.raw_body, call.now
        )
    )


class UploadFormView(ApiModel):
    url: str = Field(description="POST the file here, as multipart/form-data")
    fields: dict[str, str] = Field(description="Send these form fields first, then `file`")
    key: str = Field(description="Give it to …/signed-contract/confirm once S3 said 204")
    max_bytes: int
    expires_at: Instant


class ConfirmUploadRequest(RequestBody):
    key: str = Field(min_length=1, max_length=300)


@api.operation(
    "POST",
    f"{BASE}/signed-contract/upload",
    auth=Auth.PERSON,
    summary="A presigned form to upload the signed contract straight to storage (PDF, 5 MB)",
    body_optional=True,
    body=EmptyBody,
    response=UploadFormView,
    errors=(*ADMIN_ERRORS, "not_found", "conflict"),
)
def signed_contract_upload(call: Call, enterprise_number: str, body: EmptyBody) -> UploadFormView:
    """For files API Gateway would not let through: the browser posts to S3, whose policy
    enforces the size and type; then …/signed-contract/confirm."""
    form = onboarding.signed_contract_upload_form(call.person.sub, enterprise_number, call.now)
    return UploadFormView(
        url=form.url,
        fields=form.fields,
        key=form.key,
        max_bytes=form.max_bytes,
        expires_at=form.expires_at,
    )


@api.operation(
    "POST",
    f"{BASE}/signed-contract/confirm",
    auth=Auth.PERSON,
    summary="Make the uploaded file the signed contract",
    body=ConfirmUploadRequest,
    response=ServicesOverview,
    errors=(*ADMIN_ERRORS, "not_found", "conflict", "invalid_pdf", "payload_too_large"),
)
def confirm_signed_contract(
    call: Call, enterprise_number: str, body: ConfirmUploadRequest
) -> ServicesOverview:
    """The checks of a direct upload, on the stored object; the upload is removed after."""
    return overview_view(
        onboarding.confirm_signed_contract_upload(
            call.person.sub, enterprise_number, body.key, call.now
        )
    )


@api.operation(
    "POST",
    f"{BASE}/cancel",
    auth=Auth.PERSON,
    summary="Cancel the application (before approval)",
    response=ServicesOverview,
    errors=(*ADMIN_ERRORS, "not_found", "conflict"),
)
def cancel_application(call: Call, enterprise_number: str) -> ServicesOverview:
    return overview_view(onboarding.cancel(call.person.sub, enterprise_number, call.now))


@api.operation(
    "POST",
    f"{BASE}/terminate",
    auth=Auth.PERSON,
    summary="Terminate the contract (opzeggen)",
    response=ServicesOverview,
    errors=(*ADMIN_ERRORS, "not_found", "conflict"),
)
def terminate_contract(call: Call, enterprise_number: str) -> ServicesOverview:
    """Ends the EDV role, all its mandates and API clients; the stappenplan says it stopped."""
    return overview_view(onboarding.terminate(call.person.sub, enterprise_number, call.now))


@api.operation(
    "GET",
    "/v1/ops/edv-applications",
    auth=Auth.OPERATOR,
    summary="The operators' queue of applications",
    query=QueueQuery,
    response=ApplicationPage,
    errors=("invalid_cursor",),
)
def list_applications(call: Call, query: QueueQuery) -> ApplicationPage:
    """By status, oldest request first; `signed` (waiting for a decision) by default."""
    views, next_cursor = paged(
        f"applications:{query.status}",
        query,
        lambda limit, start: onboarding.queue(query.status, limit, start),
    )
    return ApplicationPage(items=[overview_view(view) for view in views], next_cursor=next_cursor)


@api.operation(
    "GET",
    "/v1/ops/edv-applications/{en}/signed-contract",
    auth=Auth.OPERATOR,
    summary="The signed contract an application was sent with (PDF)",
    response_media_types=(PDF,),
    errors=("not_found", "conflict"),
)
def get_signed_contract(call: Call, enterprise_number: str) -> Response:
    """The stored version, checked against the checksum taken at upload."""
    name, document = onboarding.signed_contract(enterprise_number)
    return Response(
        body=document,
        status_code=200,
        headers={"Content-Type": PDF, "Content-Disposition": f'attachment; filename="{name}"'},
    )


@api.operation(
    "POST",
    "/v1/ops/edv-applications/{en}/approve",
    auth=Auth.OPERATOR,
    summary="Approve a signed application",
    response=ServicesOverview,
    errors=("not_found", "conflict"),
)
def approve_application(call: Call, enterprise_number: str) -> ServicesOverview:
    """The organisation becomes energiedienstverlener for verbruik; its stappenplan goes live."""
    return overview_view(onboarding.approve(call.person.sub, enterprise_number, call.now))


@api.operation(
    "POST",
    "/v1/ops/edv-applications/{en}/reject",
    auth=Auth.OPERATOR,
    summary="Reject an application, with a reason",
    body=RejectRequest,
    response=ServicesOverview,
    errors=("not_found", "conflict"),
)
def reject_application(call: Call, enterprise_number: str, body: RejectRequest) -> ServicesOverview:
    return overview_view(
        onboarding.reject(call.person.sub, enterprise_number, body.reason, call.now)
    )


@api.operation(
    "GET",
    "/v1/edvs/{en}",
    auth=Auth.PUBLIC,
    summary="An energy service provider's public card",
    response=PublicEdv,
    errors=("not_found",),
)
def get_public_edv(call: Call, enterprise_number: str) -> PublicEdv:
    """For the consent page and the stappenplan: who asks for the data, what for, how to reach
    it, and whether it still may."""
    view = onboarding.public_edv(enterprise_number)
    return PublicEdv(
        enterprise_number=enterprise_number,
        name=view.organisation.name,
        service_description=view.application.service_description,
        contact_email=view.application.contact_email,
        status=view.application.status,
        stappenplan_url=pages.stappenplan_url(enterprise_number),
        consent_url=pages.consent_url(enterprise_number),
    )
