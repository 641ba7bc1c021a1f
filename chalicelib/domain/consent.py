"""EDV-initiated consent sessions: what an EDV may ask for, how long the request stays open, and
which grants it may feed (R4, R5)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ..limits import TRANSACTION_ITEMS
from .errors import DomainError, FieldError
from .vocabulary import Granularity

SESSION_LIFETIME = timedelta(hours=24)
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


@dataclass(frozen=True)
class WebUrl:
    """A URL as a browser resolves it (WHATWG URL parsing): scheme and host lower-cased, the
    default port dropped, backslashes read as slashes, dot segments (`..`, `%2e%2e`) resolved."""

    href: str
    scheme: str
    host: str
    port: str
    path: str
    query: str
    fragment: str
    credentials: bool


def as_browser_reads(url: str) -> WebUrl | None:
    """The URL a browser would go to, or None where it would go nowhere."""
    if len(url) > MAX_URL_LENGTH:
        return None
    from ada_url import URL  # loaded with the consent rules' first use, not with the app

    try:
        parsed = URL(url)
    except ValueError:
        return None
    return WebUrl(
        href=parsed.href,
        scheme=parsed.protocol.rstrip(":"),
        host=parsed.hostname,
        port=parsed.port,
        path=parsed.pathname,
        query=parsed.search,
        fragment=parsed.hash,
        credentials=bool(parsed.username or parsed.password),
    )


def _web_url(url: str, local: bool) -> WebUrl | None:
    """https, or plain http to this machine in the local stage; with a host."""
    parsed = as_browser_reads(url)
    if parsed is None or not parsed.host:
        return None
    on_this_machine = parsed.host in LOCAL_HOSTS and local
    secure = parsed.scheme == "https" or (parsed.scheme == "http" and on_this_machine)
    return parsed if secure else None


def _is_web_url(url: str, local: bool) -> bool:
    return _web_url(url, local) is not None


def lies_under(url: str, root: str) -> bool:
    """As a browser resolves both: the same scheme, host and port, and a path inside the root's
    path by whole segments; no credentials."""
    target, base = as_browser_reads(url), as_browser_reads(root)
    if target is None or base is None or target.credentials:
        return False
    if (target.scheme, target.host, target.port) != (base.scheme, base.host, base.port):
        return False
    inside = base.path if base.path.endswith("/") else base.path + "/"
    return target.path == inside.rstrip("/") or target.path.startswith(inside)


def normalise_roots(roots: Sequence[str], local: bool) -> tuple[str, ...]:
    """Return URL roots as registered: https origins with a path ending in `/`, no query, no
    fragment, no credentials, written as a browser resolves them; at most
    MAX_RETURN_URL_ROOTS, without duplicates."""
    if len(roots) > MAX_RETURN_URL_ROOTS:
        detail = f"At most {MAX_RETURN_URL_ROOTS} return URL roots."
        raise DomainError("validation_error", detail, errors=[FieldError("roots", detail)])
    result: list[str] = []
    problems: list[FieldError] = []
    for index, root in enumerate(roots):
        parsed = _web_url(root, local)
        if parsed is None or parsed.query or parsed.fragment or parsed.credentials or "#" in root:
            problems.append(
                FieldError(
                    f"roots[{index}]",
                    "A return URL root is an https URL without query, fragment or credentials, "
                    "such as https://www.example.be/energie/.",
                )
            )
            continue
        path = parsed.path if parsed.path.endswith("/") else parsed.path + "/"
        netloc = f"{parsed.host}:{parsed.port}" if parsed.port else parsed.host  # [::1] as is
        normal = f"{parsed.scheme}://{netloc}{path}"
        if normal not in result:
            result.append(normal)
    if problems:
        raise DomainError("validation_error", "Model validation failed.", errors=problems)
    return tuple(result)


def valid_to(created_at: datetime) -> datetime:
    return created_at + SESSION_LIFETIME


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
