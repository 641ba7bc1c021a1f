"""EDV applications and API clients: their tables and the conditional writes that keep them sane."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from pynamodb.attributes import (
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.exceptions import DoesNotExist, PutError, TransactWriteError, UpdateError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from ..config import table_name
from ..domain.errors import DomainError
from ..domain.onboarding import Application, SignedContract, Transition, require_active
from ..domain.vocabulary import ApplicationStatus as Status
from ..domain.vocabulary import Channel
from .base import Key, TableMeta, is_condition_failure, register, take_page, transaction
from .directory import OrganisationItem


class ApplicationsByStatus(GlobalSecondaryIndex["ApplicationItem"]):
    class Meta:
        index_name = "by_status"
        projection = AllProjection()

    status = UnicodeAttribute(hash_key=True)
    requested_at = UTCDateTimeAttribute(range_key=True)


class PagesPending(GlobalSecondaryIndex["ApplicationItem"]):
    """Sparse: only applications whose public pages still have to be (re)published."""

    class Meta:
        index_name = "pages_pending"
        projection = KeysOnlyProjection()

    pages_pending = UnicodeAttribute(hash_key=True)
    enterprise_number = UnicodeAttribute(range_key=True)


@register
class ApplicationItem(Model):
    class Meta(TableMeta):
        table_name = table_name("edv_applications")

    enterprise_number = UnicodeAttribute(hash_key=True)
    sequence = NumberAttribute()
    channel = UnicodeAttribute()
    contact_name = UnicodeAttribute()
    contact_email = UnicodeAttribute()
    service_description = UnicodeAttribute()
    status = UnicodeAttribute()
    requested_at = UTCDateTimeAttribute()
    history = JSONAttribute()
    previous = JSONAttribute(default=list)
    signed_contract = JSONAttribute(null=True)
    rejection_reason = UnicodeAttribute(null=True)
    version = NumberAttribute()
    pages_pending = UnicodeAttribute(null=True)
    return_url_roots = JSONAttribute(default=list)
    by_status = ApplicationsByStatus()
    pending_pages = PagesPending()


def _transitions_out(transitions: tuple[Transition, ...]) -> list[dict[str, Any]]:
    return [
        {"status": t.status.value, "at": t.at.isoformat(), "by": t.by, "reason": t.reason}
        for t in transitions
    ]


def _transitions_in(raw: list[dict[str, Any]]) -> tuple[Transition, ...]:
    return tuple(
        Transition(Status(t["status"]), datetime.fromisoformat(t["at"]), t["by"], t.get("reason"))
        for t in raw
    )


def _application(item: ApplicationItem) -> Application:
    contract = item.signed_contract
    return Application(
        enterprise_number=item.enterprise_number,
        sequence=int(item.sequence),
        channel=Channel(item.channel),
        contact_name=item.contact_name,
        contact_email=item.contact_email,
        service_description=item.service_description,
        status=Status(item.status),
        requested_at=item.requested_at,
        history=_transitions_in(item.history),
        previous=_transitions_in(item.previous or []),
        signed_contract=SignedContract(
            key=contract["key"],
            version_id=contract.get("version_id"),
            sha256=contract["sha256"],
            size=int(contract["size"]),
            uploaded_at=datetime.fromisoformat(contract["uploaded_at"]),
            uploaded_by=contract["uploaded_by"],
        )
        if contract
        else None,
        rejection_reason=item.rejection_reason,
        version=int(item.version),
        pages_pending=item.pages_pending is not None,
        return_url_roots=tuple(item.return_url_roots or ()),
    )


def _item(app: Application, version: int) -> ApplicationItem:
    contract = app.signed_contract
    return ApplicationItem(
        app.enterprise_number,
        sequence=app.sequence,
        channel=app.channel.value,
        contact_name=app.contact_name,
        contact_email=app.contact_email,
        service_description=app.service_description,
        status=app.status.value,
        requested_at=app.requested_at,
        history=_transitions_out(app.history),
        previous=_transitions_out(app.previous),
        signed_contract={
            "key": contract.key,
            "version_id": contract.version_id,
            "sha256": contract.sha256,
            "size": contract.size,
            "uploaded_at": contract.uploaded_at.isoformat(),
            "uploaded_by": contract.uploaded_by,
        }
        if contract
        else None,
        rejection_reason=app.rejection_reason,
        version=version,
        pages_pending="pending" if app.pages_pending else None,
        return_url_roots=list(app.return_url_roots),
    )


def _lost_race() -> DomainError:
    return DomainError("conflict", "The application changed meanwhile; reload and try again.")


def get_application(enterprise_number: str) -> Application | None:
    try:
        return _application(ApplicationItem.get(enterprise_number, consistent_read=True))
    except DoesNotExist:
        return None


def active_application(enterprise_number: str) -> Application:
    """The application of an EDV that may act now (R2, R9), or 403 `edv_not_active`."""
    return require_active(get_application(enterprise_number))


def _version_condition(expected_version: int) -> Any:
    if expected_version == 0:
        return ApplicationItem.enterprise_number.does_not_exist()
    return ApplicationItem.version == expected_version


def save_application(app: Application) -> Application:
    """Write the application if nobody changed it since it was read (its version)."""
    item = _item(app, app.version + 1)
    try:
        item.save(condition=_version_condition(app.version))
    except PutError as error:
        if is_condition_failure(error):
            raise _lost_race() from error
        raise
    return _application(item)


def save_application_and_role(app: Application, role: str, granted: bool) -> Application:
    """The application's new state and the organisation's EDV role, in one transaction.

    Pages follow (published after the commit); until they are, the application says so.
    """
    item = _item(replace(app, pages_pending=True), app.version + 1)
    organisation_action = (
        OrganisationItem.application_roles.add({role})
        if granted
        else OrganisationItem.application_roles.delete({role})
    )
    try:
        with transaction() as writes:
            writes.save(item, condition=_version_condition(app.version))
            writes.update(
                OrganisationItem(app.enterprise_number),
                actions=[organisation_action, OrganisationItem.updated_at.set(app.history[-1].at)],
                condition=OrganisationItem.enterprise_number.exists(),
            )
    except TransactWriteError as error:
        if error.cause_response_code == "TransactionCanceledException":
            raise _lost_race() from error
        raise
    return _application(item)


def mark_pages_published(enterprise_number: str, version: int) -> None:
    """Clear the pending flag, unless the application moved on (its pages are due again)."""
    try:
        ApplicationItem(enterprise_number).update(
            actions=[ApplicationItem.pages_pending.remove()],
            condition=ApplicationItem.version == version,
        )
    except UpdateError as error:
        if not is_condition_failure(error):
            raise


def mark_pages_pending(enterprise_number: str) -> None:
    ApplicationItem(enterprise_number).update(
        actions=[ApplicationItem.pages_pending.set("pending")],
        condition=ApplicationItem.enterprise_number.exists(),
    )


def pages_pending() -> list[str]:
    return [item.enterprise_number for item in ApplicationItem.pending_pages.query("pending")]


def page_applications_by_status(
    status: Status, limit: int, start: Key | None
) -> tuple[list[Application], Key | None]:
    query = ApplicationItem.by_status.query(
        status.value, last_evaluated_key=start, page_size=limit + 1
    )
    items, resume = take_page(query, limit)
    return [_application(item) for item in items], resume
