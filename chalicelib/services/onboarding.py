"""Becoming an EDV (R2) and the operator's decisions, through conditional writes."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ..aws import s3
from ..config import settings
from ..domain import consent as consent_rules
from ..domain import onboarding as rules
from ..domain.audit import AuditAction
from ..domain.brussels import brussels_date
from ..domain.directory import EDV_ROLE, Organisation
from ..domain.documents import MAX_SIGNED_CONTRACT_BYTES, check_pdf
from ..domain.errors import DomainError
from ..domain.onboarding import Application, SignedContract
from ..domain.vocabulary import ApplicationStatus as Status
from ..domain.vocabulary import Channel
from ..media_types import PDF
from ..observability import logger
from ..render.requests import Contract, ContractDetails
from ..store import directory as directory_store
from ..store import onboarding as onboarding_store
from . import api_clients, audit, directory, mandates, pages, rendering

if TYPE_CHECKING:
    from ..store.base import Key


@dataclass(frozen=True)
class EdvView:
    application: Application
    organisation: Organisation


def _application(enterprise_number: str) -> Application:
    app = onboarding_store.get_application(enterprise_number)
    if app is None:
        raise DomainError("not_found", "This organisation has not applied to become an EDV.")
    return app


def _organisation(enterprise_number: str) -> Organisation:
    organisation = directory_store.get_organisation(enterprise_number)
    if organisation is None:
        raise DomainError("not_found", "There is no such organisation.")
    return organisation


def overview(actor_sub: str, enterprise_number: str) -> EdvView:
    directory.member_of(actor_sub, enterprise_number)
    return EdvView(_application(enterprise_number), _organisation(enterprise_number))


def apply(
    actor_sub: str,
    enterprise_number: str,
    *,
    channel: Channel,
    contact_name: str,
    contact_email: str,
    service_description: str,
    now: datetime,
    return_url_roots: Sequence[str] = (),
) -> EdvView:
    directory.admin_of(actor_sub, enterprise_number)
    roots = consent_rules.normalise_roots(return_url_roots, settings().is_local)
    app = rules.apply(
        onboarding_store.get_application(enterprise_number),
        enterprise_number=enterprise_number,
        channel=channel,
        contact_name=contact_name,
        contact_email=contact_email,
        service_description=service_description,
        by=actor_sub,
        now=now,
        return_url_roots=roots,
    )
    return EdvView(onboarding_store.save_application(app), _organisation(enterprise_number))


def set_return_url_roots(
    actor_sub: str, enterprise_number: str, roots: Sequence[str], now: datetime
) -> EdvView:
    """Where the EDV's consent requests may send customers back to; administrators only. Once
    the EDV is active, a change is in the audit trail: customers are sent where roots say."""
    directory.admin_of(actor_sub, enterprise_number)
    normal = consent_rules.normalise_roots(roots, settings().is_local)
    before = _application(enterprise_number)
    app = rules.with_return_url_roots(before, normal)
    saved = onboarding_store.save_application(app)
    if before.status is Status.ACTIVE and before.return_url_roots != normal:
        audit.record(
            actor_sub,
            AuditAction.RETURN_URL_ROOTS_CHANGED,
            enterprise_number,
            now,
            before=list(before.return_url_roots),
            after=list(normal),
        )
    return EdvView(saved, _organisation(enterprise_number))


def contract_pdf(actor_sub: str, enterprise_number: str) -> tuple[str, bytes]:
    directory.admin_of(actor_sub, enterprise_number)
    app = _application(enterprise_number)
    organisation = _organisation(enterprise_number)
    details = ContractDetails(
        organisation_name=organisation.name,
        enterprise_number=enterprise_number,
        channel=app.channel,
        contract_number=app.contract_number,
        date=brussels_date(app.requested_at),
        contact_name=app.contact_name,
    )
    document = rendering.draw(Contract(details))
    return app.contract_number, document


def upload_signed_contract(
    actor_sub: str, enterprise_number: str, document: bytes, now: datetime
) -> EdvView:
    """Store the signed PDF (versioned, with its checksum) and move the application to signed.

    The PDF goes to S3 first; if the application then cannot move (it changed meanwhile, or was
    decided), the uploaded version is deleted again, so nothing is left half done.
    """
    directory.admin_of(actor_sub, enterprise_number)
    app = _application(enterprise_number)
    rules.check_can_sign(app)
    check_pdf(document)
    digest = hashlib.sha256(document).hexdigest()
    key = f"contracts/{enterprise_number}/{app.contract_number}/signed.pdf"
    bucket = settings().contracts_bucket
    stored = s3().put_object(
        Bucket=bucket,
        Key=key,
        Body=document,
        ContentType=PDF,
        ChecksumAlgorithm="SHA256",
        Metadata={"sha256": digest, "uploaded-by": actor_sub},
    )
    version_id = stored.get("VersionId")
    contract = SignedContract(key, version_id, digest, len(document), now, actor_sub)
    try:
        saved = onboarding_store.save_application(rules.sign(app, contract, actor_sub, now))
    except Exception:
        extra = {"VersionId": version_id} if version_id else {}
        s3().delete_object(Bucket=bucket, Key=key, **extra)
        raise
    return EdvView(saved, _organisation(enterprise_number))


UPLOAD_SECONDS = 600  # how long a presigned upload form stays usable


@dataclass(frozen=True)
class UploadForm:
    url: str
    fields: dict[str, str]
    key: str
    max_bytes: int
    expires_at: datetime


def _upload_prefix(app: Application) -> str:
    return f"uploads/{app.enterprise_number}/{app.contract_number}/"


def signed_contract_upload_form(
    actor_sub: str, enterprise_number: str, now: datetime
) -> UploadForm:
    """A presigned POST straight to the contracts bucket: the browser sends the PDF to S3, past
    API Gateway's request limit (10 MB, which base64 brings down to about 7.5 MB, and the API's
    own 6 MB). S3 enforces the policy: at most 5 MB, as application/pdf, this key, ten minutes."""
    directory.admin_of(actor_sub, enterprise_number)
    app = _application(enterprise_number)
    rules.check_can_sign(app)
    key = f"{_upload_prefix(app)}{uuid.uuid4().hex}.pdf"
    posted = s3().generate_presigned_post(
        settings().contracts_bucket,
        key,
        Fields={"Content-Type": PDF},
        Conditions=[
            ["content-length-range", 1, MAX_SIGNED_CONTRACT_BYTES],
            {"Content-Type": PDF},
        ],
        ExpiresIn=UPLOAD_SECONDS,
    )
    return UploadForm(
        url=posted["url"],
        fields=dict(posted["fields"]),
        key=key,
        max_bytes=MAX_SIGNED_CONTRACT_BYTES,
        expires_at=now + timedelta(seconds=UPLOAD_SECONDS),
    )


def confirm_signed_contract_upload(
    actor_sub: str, enterprise_number: str, key: str, now: datetime
) -> EdvView:
    """The uploaded object becomes the signed contract after the same checks as a direct upload,
    run on what S3 stored; the upload itself is removed either way."""
    directory.admin_of(actor_sub, enterprise_number)
    app = _application(enterprise_number)
    if not key.startswith(_upload_prefix(app)) or "/" in key.removeprefix(_upload_prefix(app)):
        raise DomainError("not_found", "There is no such upload for this application.")
    from botocore.exceptions import ClientError

    bucket = settings().contracts_bucket
    try:
        head = s3().head_object(Bucket=bucket, Key=key)
    except ClientError as error:
        raise DomainError("not_found", "There is no such upload for this application.") from error
    try:
        if int(head["ContentLength"]) > MAX_SIGNED_CONTRACT_BYTES:
            raise DomainError("payload_too_large", "The signed contract may be at most 5 MB.")
        document = s3().get_object(Bucket=bucket, Key=key)["Body"].read()
        return upload_signed_contract(actor_sub, enterprise_number, document, now)
    finally:
        s3().delete_object(Bucket=bucket, Key=key)


def signed_contract(enterprise_number: str) -> tuple[str, bytes]:
    """The signed PDF as uploaded (its stored version), for the operator who decides on it; a
    copy whose checksum no longer matches is refused rather than shown as the signed one."""
    app = _application(enterprise_number)
    contract = app.signed_contract
    if contract is None:
        raise DomainError("not_found", "This application has no signed contract yet.")
    extra = {"VersionId": contract.version_id} if contract.version_id else {}
    stored = s3().get_object(Bucket=settings().contracts_bucket, Key=contract.key, **extra)
    document: bytes = stored["Body"].read()
    if hashlib.sha256(document).hexdigest() != contract.sha256:
        raise DomainError("conflict", "The stored signed contract does not match its checksum.")
    return f"{app.contract_number}-ondertekend.pdf", document


def cancel(actor_sub: str, enterprise_number: str, now: datetime) -> EdvView:
    directory.admin_of(actor_sub, enterprise_number)
    app = rules.cancel(_application(enterprise_number), actor_sub, now)
    return EdvView(onboarding_store.save_application(app), _organisation(enterprise_number))


def terminate(actor_sub: str, enterprise_number: str, now: datetime) -> EdvView:
    """Opzeggen: the role goes, the pages say the EDV stopped, and all its mandates end."""
    directory.admin_of(actor_sub, enterprise_number)
    app = rules.terminate(_application(enterprise_number), actor_sub, now)
    saved = onboarding_store.save_application_and_role(app, EDV_ROLE, granted=False)
    api_clients.revoke_all(enterprise_number, now)
    mandates.end_all_of_edv(enterprise_number, now)
    organisation = _organisation(enterprise_number)
    _publish_quietly(saved, organisation.name)
    return EdvView(saved, organisation)


def queue(status: Status, limit: int, start: Key | None) -> tuple[list[EdvView], Key | None]:
    applications, resume = onboarding_store.page_applications_by_status(status, limit, start)
    organisations = directory_store.get_organisations({a.enterprise_number for a in applications})
    views = [
        EdvView(app, organisations[app.enterprise_number])
        for app in applications
        if app.enterprise_number in organisations
    ]
    return views, resume


def approve(operator_sub: str, enterprise_number: str, now: datetime) -> EdvView:
    app = rules.approve(_application(enterprise_number), operator_sub, now)
    saved = onboarding_store.save_application_and_role(app, EDV_ROLE, granted=True)
    audit.record(operator_sub, AuditAction.APPLICATION_APPROVED, enterprise_number, now)
    organisation = _organisation(enterprise_number)
    _publish_quietly(saved, organisation.name)
    return EdvView(saved, organisation)


def reject(operator_sub: str, enterprise_number: str, reason: str, now: datetime) -> EdvView:
    app = rules.reject(_application(enterprise_number), reason, operator_sub, now)
    saved = onboarding_store.save_application(app)
    audit.record(
        operator_sub, AuditAction.APPLICATION_REJECTED, enterprise_number, now, reason=reason
    )
    return EdvView(saved, _organisation(enterprise_number))


def public_edv(enterprise_number: str) -> EdvView:
    """What anyone may know: EDVs that are or were live, by name and status."""
    app = onboarding_store.get_application(enterprise_number)
    listed = app is not None and (
        app.status in (Status.ACTIVE, Status.TERMINATED) or app.at_status(Status.ACTIVE)
    )
    if app is None or not listed:
        raise DomainError("not_found", "There is no such energy service provider.")
    return EdvView(app, _organisation(enterprise_number))


def organisation_renamed(enterprise_number: str) -> None:
    """The register renamed the organisation: its public pages carry the name."""
    app = onboarding_store.get_application(enterprise_number)
    if app is not None and app.status in (Status.ACTIVE, Status.TERMINATED):
        onboarding_store.mark_pages_pending(enterprise_number)
        refreshed = onboarding_store.get_application(enterprise_number)
        assert refreshed is not None
        _publish_quietly(refreshed, _organisation(enterprise_number).name)


def publish_pending_pages() -> int:
    """Publish every EDV's pages that are due (after a failed or interrupted publication)."""
    published = 0
    for enterprise_number in onboarding_store.pages_pending():
        app = onboarding_store.get_application(enterprise_number)
        if app is not None and app.pages_pending:
            pages.publish(app, _organisation(enterprise_number).name)
            published += 1
    return published


def _publish_quietly(app: Application, organisation_name: str) -> None:
    """The decision is committed; if S3 fails now, the pages stay marked pending and the
    publishing job retries them. The caller's answer does not depend on S3."""
    try:
        pages.publish(app, organisation_name)
    except Exception:
        logger.exception(
            "publishing pages failed; left pending", extra={"edv": app.enterprise_number}
        )
