"""Machine clients (R3): only for an active EDV on the portal_and_api channel."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from ..domain import onboarding as rules
from ..domain import quotas
from ..domain.api_clients import (
    ApiClient,
    hash_secret,
    hash_subscription_key,
    new_client_id,
    new_secret,
    parse_certificate,
)
from ..domain.errors import DomainError
from ..domain.identifiers import is_shaped
from ..domain.vocabulary import AuthMethod, ClientStatus
from ..store import api_clients as api_clients_store
from ..store import onboarding as onboarding_store
from . import directory

if TYPE_CHECKING:
    from ..store.base import Key


@dataclass(frozen=True)
class CreatedClient:
    client: ApiClient
    client_secret: str | None  # shown once
    subscription_key: str  # shown once


def _require_api_edv(enterprise_number: str) -> None:
    rules.require_api_channel(onboarding_store.get_application(enterprise_number))


def require_admin_of_api_edv(actor_sub: str, enterprise_number: str) -> None:
    """What managing an EDV's machine access asks: an administrator, of an active API EDV."""
    directory.admin_of(actor_sub, enterprise_number)
    _require_api_edv(enterprise_number)


def create(
    actor_sub: str,
    enterprise_number: str,
    name: str,
    certificate_pem: str | None,
    now: datetime,
) -> CreatedClient:
    directory.admin_of(actor_sub, enterprise_number)
    _require_api_edv(enterprise_number)
    active = len(api_clients_store.active_of_edv(enterprise_number))
    quotas.check_room("api_clients", active, quotas.API_CLIENTS)
    certificate = parse_certificate(certificate_pem, now) if certificate_pem else None
    secret = None if certificate else new_secret()
    subscription_key = secrets.token_hex(32)
    client = ApiClient(
        client_id=new_client_id(),
        enterprise_number=enterprise_number,
        name=name,
        auth_method=AuthMethod.PRIVATE_KEY_JWT if certificate else AuthMethod.CLIENT_SECRET,
        status=ClientStatus.ACTIVE,
        created_at=now,
        created_by=actor_sub,
        secret_hash=hash_secret(secret) if secret else None,
        subscription_key_hash=hash_subscription_key(subscription_key),
        certificate=certificate,
    )
    api_clients_store.create(client)
    return CreatedClient(client, secret, subscription_key)


def list_clients(
    actor_sub: str, enterprise_number: str, limit: int, start: Key | None
) -> tuple[list[ApiClient], Key | None]:
    directory.admin_of(actor_sub, enterprise_number)
    return api_clients_store.page_of_edv(enterprise_number, limit, start)


def revoke(actor_sub: str, enterprise_number: str, client_id: str, now: datetime) -> None:
    directory.admin_of(actor_sub, enterprise_number)
    client = api_clients_store.get(client_id) if is_shaped("api_client", client_id) else None
    if client is None or client.enterprise_number != enterprise_number:
        raise DomainError("not_found", "This organisation has no such API client.")
    if client.status is ClientStatus.ACTIVE:
        api_clients_store.revoke(client_id, actor_sub, now)


def revoke_all(enterprise_number: str, now: datetime) -> None:
    """When the EDV terminates, its machine access ends with it."""
    for client in api_clients_store.active_of_edv(enterprise_number):
        api_clients_store.revoke(client.client_id, "system:edv_terminated", now)
