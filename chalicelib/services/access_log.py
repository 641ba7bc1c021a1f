"""R12: writing down every read of meter data, and showing a customer the reads of theirs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..domain.access_log import AccessRecord, AccessSession, sessions
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
    identity = _identity(sub, organisation)
    return access_log_store.page_of(identity.key, ean, limit, start)


# A session CSV reads at most this many log entries (a customer's log of several years);
# beyond, the download asks for a filter instead of outrunning the API's time limit.
CSV_MAX_READS = 20_000


def sessions_of_customer(
    sub: str,
    organisation: str | None,
    ean: str | None,
    edv: str | None,
    limit: int,
    start: dict[str, Any] | None,
) -> tuple[list[AccessSession], dict[str, Any] | None]:
    """The caller's log grouped into sessions, newest first, from where `start` (a position
    this returned) left off, and where the next page starts."""
    identity = _identity(sub, organisation)
    after = str(start["entry"]) if start else None
    entries = access_log_store.entries_before(identity.key, ean, edv, after)
    found, last_entry = sessions(entries, limit)
    return found, ({"entry": last_entry} if last_entry else None)


def all_sessions_of_customer(
    sub: str, organisation: str | None, ean: str | None, edv: str | None
) -> list[AccessSession]:
    identity = _identity(sub, organisation)
    entries = access_log_store.entries_before(identity.key, ean, edv, None)
    counted = _at_most(entries, CSV_MAX_READS)
    grouped, _ = sessions(counted, CSV_MAX_READS + 1)
    return grouped


def _at_most[T](items: Iterator[T], limit: int) -> Iterator[T]:
    for count, item in enumerate(items):
        if count == limit:
            raise DomainError(
                "too_many_results",
                f"The access log holds more than {limit} reads: download it per EAN or per EDV.",
            )
        yield item


def _identity(sub: str, organisation: str | None) -> GridUser:
    identity = GridUser("org", organisation) if organisation else GridUser("person", sub)
    if identity not in acting_as(sub):
        raise DomainError("forbidden", "You do not administer this organisation.")
    return identity
