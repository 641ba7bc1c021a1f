"""Purge duties (R7, R8): what an EDV held and may no longer keep, computed on the server when a
mandate change leaves it holding less (domain/account.py), listed for the EDV and confirmed by it.
Members read the list; administrators (and the EDV's API clients) confirm. A terminated EDV still
reads and confirms: the contract obliges it to delete after it ends."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from ..domain import account as accounts
from ..domain.account import PurgeDuty
from ..domain.errors import DomainError
from ..domain.identifiers import is_shaped
from ..store import purge_duties as purge_duties_store
from . import directory

if TYPE_CHECKING:
    from ..domain.api_clients import ApiClient
    from ..store.base import Key


def page_for_person(
    sub: str, enterprise_number: str, *, open_only: bool, limit: int, start: Key | None
) -> tuple[list[PurgeDuty], Key | None]:
    directory.member_of(sub, enterprise_number)
    return purge_duties_store.page_of_edv(
        enterprise_number, open_only=open_only, limit=limit, start=start
    )


def page_for_client(
    client: ApiClient, *, open_only: bool, limit: int, start: Key | None
) -> tuple[list[PurgeDuty], Key | None]:
    return purge_duties_store.page_of_edv(
        client.enterprise_number, open_only=open_only, limit=limit, start=start
    )


def confirm_by_person(sub: str, enterprise_number: str, duty_id: str, now: datetime) -> PurgeDuty:
    directory.admin_of(sub, enterprise_number)
    return _confirm(enterprise_number, duty_id, f"person:{sub}", now)


def confirm_by_client(client: ApiClient, duty_id: str, now: datetime) -> PurgeDuty:
    return _confirm(client.enterprise_number, duty_id, f"client:{client.client_id}", now)


def _confirm(edv: str, duty_id: str, by: str, now: datetime) -> PurgeDuty:
    """The EDV states it deleted what the duty names. Idempotent: a second confirmation answers
    the first one's time. Another EDV's duty (or a made-up id) is not found."""
    duty = purge_duties_store.get(edv, duty_id) if is_shaped("purge_duty", duty_id) else None
    if duty is None:
        raise DomainError("not_found", "There is no such purge duty.")
    if duty.is_open:
        confirmed = accounts.confirm(duty, by, now)
        assert confirmed.confirmed_at is not None and confirmed.confirmed_by is not None
        if purge_duties_store.confirm(duty, confirmed.confirmed_by, confirmed.confirmed_at):
            return confirmed
        duty = purge_duties_store.get(edv, duty_id) or duty  # another confirmation came first
    return duty
