"""Webhooks: the EDV's mandate events pushed to its own HTTPS endpoints, signed as the Standard
Webhooks specification says (webhook-id, webhook-timestamp, webhook-signature: HMAC-SHA256 over
"{id}.{timestamp}.{body}" with the endpoint's secret). At least once, in order per mandate; the
id stays the same on every attempt, so receivers drop what they already have."""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import SplitResult, urlsplit

from ..media_types import JSON
from .brussels import local_iso
from .errors import DomainError, FieldError
from .exports import ExportJob
from .feed import FeedEvent
from .mandates import Mandate
from .vocabulary import EventType

FEED_EVENT_TYPES = tuple(kind.value for kind in EventType)  # every event of the feed
EVENT_TYPES = (*FEED_EVENT_TYPES, "data_available", "export_ready")
TEST_EVENT = "webhook_test"
SECRET_PREFIX = "whsec_"  # noqa: S105 - the format's prefix, not a secret
# Seconds to wait before attempts 2, 3, ...: 27.7 hours in all, then the dead-letter queue.
BACKOFF = (30, 120, 600, 1800, 3600, 7200, 14400, 28800, 43200)
MAX_ATTEMPTS = len(BACKOFF) + 1
ATTEMPT_TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class Endpoint:
    id: str
    edv: str
    url: str
    event_types: tuple[str, ...]
    secret: str  # whsec_<base64 of 32 random bytes>
    created_at: datetime
    created_by: str
    description: str = ""
    status: str = "active"  # active | failing
    dispatched_seq: int = 0  # the EDV's feed is queued for this endpoint up to here
    failing_since: datetime | None = None
    last_error: str | None = None
    version: int = 0


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def is_public_address(address: str) -> bool:
    """Whether an address is on the public internet: not loopback, private, link-local (the
    cloud's metadata service), shared (CGNAT), unique-local, multicast or unspecified, also when
    written as an IPv4-mapped IPv6 address."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _names_this_network(host: str) -> bool:
    """A host that is, literally, our own network: localhost, or an address that is not public.
    (A name that resolves to one is refused when posting, where it is resolved.)"""
    name = host.lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        ipaddress.ip_address(name.split("%", 1)[0])
    except ValueError:
        return False
    return not is_public_address(name)


LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
# https's own port, and the unprivileged ones a receiver may listen on; not the well-known ports
# of other services (SSH, SMTP, databases' admin ports below 1024), which a webhook has no use for.
ALLOWED_PORTS = range(1024, 65536)
MAX_URL_LENGTH = 2000
_PRINTABLE = re.compile(r"[!-~]+")  # no spaces, no control characters, ASCII only


def endpoint_url(url: str) -> SplitResult | None:
    """The URL split as the delivery will use it, or None when it cannot be: a bad port, a
    broken IPv6 literal, spaces or control characters, or more than MAX_URL_LENGTH."""
    if len(url) > MAX_URL_LENGTH or not _PRINTABLE.fullmatch(url):
        return None
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number in 0-65535
    except ValueError:
        return None
    return parts


def check_endpoint(url: str, event_types: list[str], local: bool) -> None:
    """The same rule in every stage: https to a public host, on port 443 or an unprivileged one,
    no credentials, no fragment. Only the local stage also takes plain http to this machine
    (loopback), where its tests listen; never another private address."""
    problems = []
    parts = endpoint_url(url)
    if parts is None or not parts.hostname:
        problems.append(FieldError("url", "The endpoint must be a URL: https://host[:port]/path."))
    else:
        loopback = local and parts.hostname in LOOPBACK_HOSTS and parts.scheme == "http"
        if not (parts.scheme == "https" or loopback):
            problems.append(FieldError("url", "The endpoint must be an https URL."))
        elif _names_this_network(parts.hostname) and not loopback:
            problems.append(FieldError("url", "The endpoint must be on the public internet."))
        if parts.port not in (None, 443) and parts.port not in ALLOWED_PORTS and not loopback:
            problems.append(FieldError("url", "The port must be 443, or from 1024 to 65535."))
        if parts.username is not None or parts.password is not None:
            problems.append(FieldError("url", "Credentials do not belong in the URL."))
        if parts.fragment or url.endswith("#"):
            problems.append(FieldError("url", "A fragment (#…) does not belong in the URL."))
    unknown = sorted(set(event_types) - set(EVENT_TYPES))
    if unknown or not event_types:
        problems.append(
            FieldError("event_types", f"Choose from {', '.join(EVENT_TYPES)}; not {unknown}.")
        )
    if problems:
        raise DomainError("validation_error", "The webhook endpoint is invalid.", errors=problems)


def event_id(edv: str, seq: int) -> str:
    """The same for every attempt and every endpoint: a receiver's de-duplication key."""
    return f"evt_{edv}_{seq}"


def payload(event: FeedEvent) -> dict[str, Any]:
    return {
        "type": event.type.value,
        "timestamp": local_iso(event.recorded_at or event.at),
        "data": {
            "seq": event.seq,
            "mandate_id": event.mandate_id or None,  # none for consent_declined
            "ean": event.ean or None,
            "at": local_iso(event.at),
            **event.details,
        },
    }


def data_event_id(report_id: str, mandate_id: str, channel: str) -> str:
    """The same for a redelivered ingest file (same report), so receivers drop the repeat."""
    digest = hashlib.sha256(f"{report_id}|{mandate_id}|{channel}".encode()).hexdigest()[:24]
    return f"evt_data_{digest}"


def data_payload(
    mandate: Mandate, channel: str, first: date, last: date, now: datetime
) -> dict[str, Any]:
    """New or corrected values for these days; the mandate's period bounds what may be read."""
    return {
        "type": "data_available",
        "timestamp": local_iso(now),
        "data": {
            "mandate_id": mandate.id,
            "ean": mandate.ean,
            "channel": channel,
            "from": max(first, mandate.period_start).isoformat(),
            "to": min(last + timedelta(days=1), mandate.period_end).isoformat(),
        },
    }


def export_payload(job: ExportJob, now: datetime) -> dict[str, Any]:
    return {
        "type": "export_ready",
        "timestamp": local_iso(now),
        "data": {"export_id": job.id, "run": job.run, "eans": job.eans},
    }


def test_payload(edv: str, now: datetime) -> dict[str, Any]:
    return {"type": TEST_EVENT, "timestamp": local_iso(now), "data": {"edv": edv}}


def body_of(document: dict[str, Any]) -> str:
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False)


def signature(secret: str, message_id: str, timestamp: int, body: str) -> str:
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{message_id}.{timestamp}.{body}".encode()
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(secret: str, message_id: str, at: datetime, body: str) -> dict[str, str]:
    timestamp = int(at.timestamp())
    return {
        "content-type": JSON,
        "user-agent": "edv-platform-webhooks/1",
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret, message_id, timestamp, body),
    }


def retry_delay(attempt: int, scale: float = 1.0) -> int:
    """Seconds before the attempt after `attempt` (1-based)."""
    return int(BACKOFF[min(attempt, len(BACKOFF)) - 1] * scale)


def total_retry_window() -> timedelta:
    return timedelta(seconds=sum(BACKOFF))
