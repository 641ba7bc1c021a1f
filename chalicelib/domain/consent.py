"""EDV-initiated consent sessions: what an EDV may ask for, how long the request stays open, and
which grants it may feed (R4, R5)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from .errors import DomainError, FieldError
from .vocabulary import Granularity

SESSION_LIFETIME = timedelta(hours=24)
MAX_IDENTIFIER_LENGTH = 128
LOCAL_HOSTS = ("127.0.0.1", "localhost")


@dataclass(frozen=True)
class RequestedService:
    granularity: Granularity  # day, or the fine one (quarter-hour/hour, by the EAN's energy)
    period_start: date | None
    period_end: date | None


def check_request(
    *,
    contract_number: str,
    own_contract_number: str | None,
    return_urls: dict[str, str | None],
    local: bool,
) -> None:
    """An EDV asks in its own name (its data access contract) and sends customers back over
    https only (plain http to this machine in the local stage)."""
    problems: list[FieldError] = []
    if own_contract_number is None or contract_number != own_contract_number:
        problems.append(
            FieldError(
                "dataAccessContractNumber",
                "Property 'dataAccessContractNumber' is not this client's data access contract.",
            )
        )
    for name, url in return_urls.items():
        if url is None:
            continue
        parts = urlsplit(url)
        on_this_machine = parts.hostname in LOCAL_HOSTS and local
        if parts.scheme != "https" and not (parts.scheme == "http" and on_this_machine):
            problems.append(FieldError(name, f"Property '{name}' must be an https URL."))
    if problems:
        raise DomainError("validation_error", "Model validation failed.", errors=problems)


def valid_to(created_at: datetime) -> datetime:
    return created_at + SESSION_LIFETIME


def could_exist(identifier: str) -> bool:
    """An identifier we could have issued; anything else is unknown without a look-up (an empty
    key is not a key to DynamoDB)."""
    return 0 < len(identifier) <= MAX_IDENTIFIER_LENGTH


def is_open(session_valid_to: datetime, now: datetime) -> bool:
    return now < session_valid_to


def require_same_edv(session_edv: str, granted_edv: str) -> None:
    """A session feeds only grants to the EDV that asked for it."""
    if session_edv != granted_edv:
        raise DomainError("validation_error", "This consent request is from another EDV.")
