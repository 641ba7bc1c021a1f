"""R12: writing down every read of meter data, and showing a customer the reads of theirs."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from ..domain.access_log import AccessRecord
from ..domain.access_points import GridUser
from ..domain.errors import DomainError
from ..domain.mandates import Mandate
from ..store import access_log as access_log_store
from .access_points import acting_as

if TYPE_CHECKING:
    from ..store.base import Key


def record(
    mandate: Mandate,
    *,
    range_from: str,
    range_to: str,
    resolution: str,
    what: str,
    face: str,
    now: datetime,
) -> None:
    access_log_store.append(
        AccessRecord(
            ean=mandate.ean,
            edv=mandate.edv,
            mandate_id=mandate.id,
            grid_user_key=mandate.grid_user.key,
            range_from=range_from,
            range_to=range_to,
            resolution=resolution,
            what=what,
            face=face,
            at=now,
        )
    )


def of_customer(
    sub: str, organisation: str | None, ean: str | None, limit: int, start: Key | None
) -> tuple[list[AccessRecord], Key | None]:
    """Reads of the caller's own data, or of an organisation's they administer."""
    identity = GridUser("org", organisation) if organisation else GridUser("person", sub)
    if identity not in acting_as(sub):
        raise DomainError("forbidden", "You do not administer this organisation.")
    return access_log_store.page_of(identity.key, ean, limit, start)
