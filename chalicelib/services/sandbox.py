"""The machine API's sandbox (/esco-sbx/v3): the live face's operations over other sources. Its
mandates are the EDV's mock mandates (`POST /api/mandate/mock`), stored apart but as live ones
are; its readings are generated (domain/sandbox.py). They are read through the same filters, the
same entitlement and the same energy reading as live ones (services/machine_api.py). Each EDV
sees only its own mocks; nothing here touches live mandates, meter data, the access log or
billing."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime

from ..domain import quotas
from ..domain import sandbox as generated
from ..domain.api_clients import ApiClient
from ..domain.entitlement import entitlement
from ..domain.errors import DomainError, FieldError
from ..domain.identifiers import is_valid_ean
from ..domain.mandates import Mandate
from ..domain.vocabulary import Granularity
from ..store import sandbox as sandbox_store
from . import api_clients
from .machine_api import EnergyAnswer, EnergyAsk, MandateFilters, energy_of


def create_mock(edv: str, asked: generated.MockAsk, now: datetime) -> Mandate:
    if not is_valid_ean(asked.ean):
        message = "Property 'ean' must be 18 digits with a valid GS1 check digit."
        raise DomainError("validation_error", message, errors=[FieldError("ean", message)])
    quotas.check_room("sandbox_mocks", sandbox_store.count_of_edv(edv), quotas.SANDBOX_MOCKS)
    mandate = generated.mock_mandate(str(uuid.uuid4()), edv, asked, now)
    sandbox_store.save(mandate, now)
    return mandate


def mandates(client: ApiClient, filters: MandateFilters, now: datetime) -> list[Mandate]:
    """The EDV's mocks the filters match, as machine_api.mandates answers live ones."""
    found = [m for m in sandbox_store.of_edv(client.enterprise_number) if filters.match(m, now)]
    return sorted(found, key=lambda m: (m.granted_at, m.id))


def new_session_identifier() -> str:
    """A sandbox consent request leads no customer anywhere: its identifier opens nothing live."""
    return "sbx-" + secrets.token_hex(30)


def energy(client: ApiClient, ean: str, asked: EnergyAsk, now: datetime) -> EnergyAnswer:
    """As live energy, under the newest approved mock on the EAN (with the reference number, if
    given), from generated readings; not written to the access log."""
    approved = [
        mandate
        for mandate in sandbox_store.of_edv(client.enterprise_number)
        if mandate.ean == ean
        and mandate.gives_access_at(now)
        and asked.reference_number in (None, mandate.reference_number)
    ]
    mock = max(approved, key=lambda m: m.granted_at) if approved else None
    granted = entitlement(mock, generated.access_point(ean), (), now)
    return energy_of(granted, generated.GeneratedReadings(now), asked, now)


def of_organisation(actor_sub: str, enterprise_number: str) -> list[Mandate]:
    """The portal's view of an EDV's sandbox, for its administrators: its mock mandates."""
    api_clients.require_admin_of_api_edv(actor_sub, enterprise_number)
    found = sandbox_store.of_edv(enterprise_number)
    return sorted(found, key=lambda m: (m.granted_at, m.id), reverse=True)


def create_in_portal(
    actor_sub: str,
    enterprise_number: str,
    ean: str,
    granularity: Granularity,
    reference_number: str,
    now: datetime,
) -> Mandate:
    """A mock mandate made in the portal: active, three years of data back and ahead."""
    api_clients.require_admin_of_api_edv(actor_sub, enterprise_number)
    fine = granularity is not Granularity.DAY
    return create_mock(enterprise_number, generated.MockAsk(reference_number, ean, fine), now)
