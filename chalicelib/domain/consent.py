"""EDV-initiated consent sessions: what an EDV may ask for, how long the request stays open, and
which grants it may feed (R4, R5)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from ..limits import TRANSACTION_ITEMS
from .errors import DomainError, FieldError
from .vocabulary import Granularity

SESSION_LIFETIME = timedelta(hours=24)
MAX_IDENTIFIER_LENGTH = 128
LOCAL_HOSTS = ("127.0.0.1", "localhost")
MAX_RETURN_URL_ROOTS = 10
MAX_URL_LENGTH = 2000
# A decline is one transaction: per EAN named a rejected mandate and its feed event; besides, the
# session's decline, the EDV's feed counter and its `consent_declined` event. No more EANs than fit.
MAX_DECLINED_EANS = (TRANSACTION_ITEMS - 3) // 2


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
    roots: tuple[str, ...],
    local: bool,
) -> None:
    """An EDV asks in its own name (its data access contract) and sends customers back over
    https only (plain http to this machine in the local stage), to a page under one of the return
    URL roots it registered: the consent page never sends a customer anywhere else."""
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
        if not _is_web_url(url, local):
            problems.append(FieldError(name, f"Property '{name}' must be an https URL."))
        elif not any(lies_under(url, root) for root in roots):
            registered = ", ".join(roots) if roots else "none yet"
            problems.append(
                FieldError(
                    name,
                    f"Property '{name}' must lie under a return URL root this EDV registered "
                    f"(registered: {registered}).",
                )
            )
    if problems:
        raise DomainError("validation_error", "Model validation failed.", errors=problems)


def _is_web_url(url: str, local: bool) -> bool:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        return False
    on_this_machine = parts.hostname in LOCAL_HOSTS and local
    secure = parts.scheme == "https" or (parts.scheme == "http" and on_this_machine)
    return secure and bool(parts.hostname) and len(url) <= MAX_URL_LENGTH


def lies_under(url: str, root: str) -> bool:
    """Same scheme, host and port, and a path inside the root's path (by whole segments); no
    credentials, no backslashes and no dot segments, which browsers resolve differently."""
    target, base = urlsplit(url), urlsplit(root)
    if target.username is not None or "\\" in url:
        return False
    if any(segment in (".", "..") for segment in target.path.split("/")):
        return False
    if (target.scheme, target.hostname, target.port) != (base.scheme, base.hostname, base.port):
        return False
    path = target.path or "/"
    return path == base.path.rstrip("/") or path.startswith(base.path)


def normalise_roots(roots: Sequence[str], local: bool) -> tuple[str, ...]:
    """Return URL roots as registered: https origins with a path ending in `/`, no query, no
    fragment, no credentials; at most MAX_RETURN_URL_ROOTS, without duplicates."""
    if len(roots) > MAX_RETURN_URL_ROOTS:
        detail = f"At most {MAX_RETURN_URL_ROOTS} return URL roots."
        raise DomainError("validation_error", detail, errors=[FieldError("roots", detail)])
    result: list[str] = []
    problems: list[FieldError] = []
    for index, root in enumerate(roots):
        parts = urlsplit(root) if _is_web_url(root, local) else None
        if parts is None or parts.query or parts.fragment or parts.username is not None:
            problems.append(
                FieldError(
                    f"roots[{index}]",
                    "A return URL root is an https URL without query, fragment or credentials, "
                    "such as https://www.example.be/energie/.",
                )
            )
            continue
        path = parts.path if parts.path.endswith("/") else parts.path + "/"
        netloc = parts.hostname or ""
        if parts.port is not None:
            netloc = f"{netloc}:{parts.port}"
        normal = f"{parts.scheme}://{netloc}{path}"
        if normal not in result:
            result.append(normal)
    if problems:
        raise DomainError("validation_error", "Model validation failed.", errors=problems)
    return tuple(result)


def valid_to(created_at: datetime) -> datetime:
    return created_at + SESSION_LIFETIME


def could_exist(identifier: str) -> bool:
    """An identifier we could have issued; anything else is unknown without a look-up (an empty
    key is not a key to DynamoDB)."""
    return 0 < len(identifier) <= MAX_IDENTIFIER_LENGTH


def is_open(session_valid_to: datetime, now: datetime) -> bool:
    return now < session_valid_to


def outcome(declined_at: datetime | None, session_valid_to: datetime, now: datetime) -> str:
    """What became of a consent request: declined as a whole, still open, or expired."""
    if declined_at is not None:
        return "declined"
    return "open" if is_open(session_valid_to, now) else "expired"


def require_same_edv(session_edv: str, granted_edv: str) -> None:
    """A session feeds only grants to the EDV that asked for it."""
    if session_edv != granted_edv:
        raise DomainError("validation_error", "This consent request is from another EDV.")
