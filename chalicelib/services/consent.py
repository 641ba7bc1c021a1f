"""EDV-initiated consent: the EDV asks for a short URL identifier; the customer opens the consent
page with it, finds the EDV's request filled in, grants, and is sent back to the EDV. The
mandates carry the EDV's reference number."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from ..config import settings
from ..domain import consent as rules
from ..domain.api_clients import ApiClient
from ..domain.consent import RequestedService
from ..domain.errors import DomainError
from ..domain.identifiers import is_shaped
from ..domain.vocabulary import Granularity
from ..store import directory as directory_store
from ..store import machine_access as machine_access_store
from ..store import onboarding as onboarding_store

__all__ = ["RequestedService", "Session", "create", "get", "outcome"]


@dataclass(frozen=True)
class Session:
    identifier: str
    edv: str
    edv_name: str
    reference_number: str
    flow: str
    services: list[RequestedService]
    number_of_eans: int | None
    return_url_success: str | None
    return_url_failed: str | None
    enterprise_number: str | None
    valid_to: datetime
    declined_at: datetime | None = None  # the customer declined it as a whole


def create(
    client: ApiClient,
    *,
    contract_number: str,
    reference_number: str,
    flow: str,
    services: list[RequestedService],
    number_of_eans: int | None,
    return_url_success: str | None,
    return_url_failed: str | None,
    sso: bool | None,
    enterprise_number: str | None,
    now: datetime,
) -> tuple[str, datetime]:
    check(client, contract_number, return_url_success, return_url_failed)
    identifier = secrets.token_hex(32)
    valid_to = rules.valid_to(now)
    details: dict[str, Any] = {
        "reference_number": reference_number,
        "flow": flow,
        "services": [
            {
                "granularity": service.granularity.value,
                "period_start": service.period_start.isoformat() if service.period_start else None,
                "period_end": service.period_end.isoformat() if service.period_end else None,
            }
            for service in services
        ],
        "number_of_eans": number_of_eans,
        "return_url_success": return_url_success,
        "return_url_failed": return_url_failed,
        "sso": sso,
        "enterprise_number": enterprise_number,
    }
    machine_access_store.save_session(
        identifier, client.enterprise_number, client.client_id, details, now, valid_to
    )
    return identifier, valid_to


def check(
    client: ApiClient,
    contract_number: str,
    return_url_success: str | None,
    return_url_failed: str | None,
) -> None:
    """What every consent request must satisfy: the EDV's own contract, its own return URLs."""
    application = onboarding_store.get_application(client.enterprise_number)
    rules.check_request(
        contract_number=contract_number,
        own_contract_number=application.contract_number if application else None,
        return_urls={"returnUrlSuccess": return_url_success, "returnUrlFailed": return_url_failed},
        roots=application.return_url_roots if application else (),
        local=settings().is_local,
    )


def get(identifier: str, now: datetime) -> Session:
    """An open consent request (within its 24 hours), as the consent page shows it."""
    session = _read(identifier)
    if session is None or not rules.is_open(session.valid_to, now):
        raise DomainError("not_found", "This consent request does not exist or has expired.")
    return session


def outcome(client: ApiClient, identifier: str) -> Session:
    """One of the EDV's own consent requests, open or not, for its software to see what became
    of it; another EDV's is not found."""
    session = _read(identifier)
    if session is None or session.edv != client.enterprise_number:
        raise DomainError("not_found", "This consent request does not exist.")
    return session


def _read(identifier: str) -> Session | None:
    shaped = is_shaped("consent_session", identifier)
    item = machine_access_store.get_session(identifier) if shaped else None
    if item is None:
        return None
    details = item.details
    organisation = directory_store.get_organisation(item.edv)
    return Session(
        identifier=item.identifier,
        edv=item.edv,
        edv_name=organisation.name if organisation else item.edv,
        reference_number=details["reference_number"],
        flow=details["flow"],
        services=[
            RequestedService(
                Granularity(service["granularity"]),
                date.fromisoformat(service["period_start"]) if service["period_start"] else None,
                date.fromisoformat(service["period_end"]) if service["period_end"] else None,
            )
            for service in details["services"]
        ],
        number_of_eans=details.get("number_of_eans"),
        return_url_success=details.get("return_url_success"),
        return_url_failed=details.get("return_url_failed"),
        enterprise_number=details.get("enterprise_number"),
        valid_to=item.valid_to,
        declined_at=item.declined_at,
    )
