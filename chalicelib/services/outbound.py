"""Posting to an EDV's endpoint without being turned against our own network (SSRF).

The host is resolved once; every address it gives must be public, and the connection goes to the
address that was checked, while TLS still verifies the certificate for the name (SNI) and `Host`
carries the name. So a name that answers a public address to the check and 127.0.0.1 to the
connection (DNS rebinding) reaches nothing it should not. What went wrong is told as a category,
never as the exception's text: the delivery log must not make the platform a port scanner."""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass

from ..domain.webhooks import endpoint_url, is_public_address


@dataclass(frozen=True)
class Outcome:
    status: int | None  # the HTTP status, when an answer came
    failure: str | None  # None on a 2xx; else a category (see FAILURES)


# What a failed attempt is called in the delivery log and on the endpoint; an answer that is not
# a 2xx is "http_<status>".
FAILURES = ("dns", "private_address", "refused", "timeout", "tls", "unreachable", "invalid_url")


class _PinnedHTTPS(http.client.HTTPSConnection):
    """HTTPS to a fixed address: the name is used for SNI, the certificate check and Host."""

    def __init__(self, host: str, address: str, port: int, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)  # type: ignore[attr-defined]


class _PinnedHTTP(http.client.HTTPConnection):
    """Plain HTTP to a fixed address: only the local stage's endpoints on this machine."""

    def __init__(self, host: str, address: str, port: int, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


def resolve(host: str, port: int, allow_loopback: bool) -> str | Outcome:
    """The one address to connect to, or why there is none. Every address the name gives must
    be public; the local stage's test receivers on this machine (loopback) aside."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return Outcome(None, "dns")
    addresses = [str(info[4][0]) for info in found]
    if not addresses:
        return Outcome(None, "dns")
    allowed = all(
        is_public_address(a) or (allow_loopback and ipaddress.ip_address(a).is_loopback)
        for a in addresses
    )
    return addresses[0] if allowed else Outcome(None, "private_address")


def post(
    url: str, body: bytes, headers: dict[str, str], timeout: float, allow_loopback: bool
) -> Outcome:
    parts = endpoint_url(url)
    if parts is None or not parts.hostname:
        return Outcome(None, "invalid_url")  # stored before the rule that refuses it
    host = parts.hostname
    secure = parts.scheme == "https"
    port = parts.port or (443 if secure else 80)
    address = resolve(host, port, allow_loopback)
    if isinstance(address, Outcome):
        return address
    connection_type = _PinnedHTTPS if secure else _PinnedHTTP
    connection = connection_type(host, address, port, timeout)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", target, body=body, headers=headers)
        status = connection.getresponse().status
    except ssl.SSLError:
        return Outcome(None, "tls")
    except TimeoutError:
        return Outcome(None, "timeout")
    except ConnectionRefusedError:
        return Outcome(None, "refused")
    except (OSError, http.client.HTTPException):
        return Outcome(None, "unreachable")
    finally:
        connection.close()
    # A redirect is an answer, not a delivery: only a 2xx counts.
    return Outcome(status, None if 200 <= status < 300 else f"http_{status}")
