"""Webhook deliveries cannot be aimed at our own network (SSRF): the name is resolved once, every
address must be public, the connection goes to the checked address (so DNS rebinding reaches
nothing), TLS still checks the certificate for the name, and failures are categories."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any, ClassVar

import pytest

from chalicelib.domain.errors import DomainError
from chalicelib.domain.webhooks import check_endpoint, is_public_address
from chalicelib.services import outbound

PUBLIC = "93.184.215.14"


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "::1",
        "::ffff:127.0.0.1",  # IPv4-mapped loopback
        "::ffff:169.254.169.254",
        "0.0.0.0",  # noqa: S104 - the address under test, not a bind
        "169.254.169.254",  # the cloud's metadata service
        "10.0.0.1",
        "172.16.5.4",
        "192.168.1.1",
        "100.64.0.1",  # shared address space (CGNAT)
        "fd00::1",  # unique-local
        "fe80::1",  # link-local
        "224.0.0.251",  # multicast
        "ff02::1",
        "not an address",
    ],
)
def test_addresses_of_our_own_network_are_not_public(address: str) -> None:
    assert not is_public_address(address)


@pytest.mark.parametrize("address", [PUBLIC, "2001:4860:4860::8888", "1.1.1.1"])
def test_internet_addresses_are_public(address: str) -> None:
    assert is_public_address(address)


@pytest.mark.parametrize(
    "url",
    [
        "https://169.254.169.254/",
        "https://10.0.0.1/",
        "https://localhost:9001/",
        "https://[::ffff:127.0.0.1]/",
        "https://[fd00::1]/hooks",
        "https://api.localhost/",
        "https://127.0.0.1/",
        "https://10.0.0.1:8443/",
    ],
)
def test_registration_refuses_our_own_network_in_every_stage(url: str) -> None:
    for local in (False, True):
        with pytest.raises(DomainError) as refused:
            check_endpoint(url, ["granted"], local=local)
        assert refused.value.code == "validation_error"
    check_endpoint("https://hooks.zonnig.example/mandaten", ["granted"], local=False)


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com:99999/hook",  # no such port: it used to jam every EDV's delivery
        "https://example.com:0/hook",
        "https://example.com:22/hook",  # another service's port
        "https://example.com:abc/hook",
        "https://[::1/hook",  # a broken IPv6 literal
        "https://user:pass@example.com/hook",
        "https://example.com/hook#fragment",
        "https://example.com/ho ok",
        "https://example.com/h\u00e9",
        "http://example.com/hook",
        "https:///hook",
        "https://example.com/" + "a" * 2000,
    ],
)
def test_registration_parses_the_whole_url(url: str) -> None:
    with pytest.raises(DomainError) as refused:
        check_endpoint(url, ["granted"], local=True)
    assert refused.value.errors[0].field == "url"


def test_only_this_machine_is_relaxed_locally() -> None:
    for url in ("http://127.0.0.1:9/hook", "http://localhost:8080/x", "http://[::1]:7/y"):
        check_endpoint(url, ["granted"], local=True)
        with pytest.raises(DomainError):
            check_endpoint(url, ["granted"], local=False)
    for port in (443, 1024, 8443, 65535):
        check_endpoint(f"https://hooks.example:{port}/x", ["granted"], local=False)


def test_a_url_stored_before_the_rule_is_a_failed_attempt_not_a_crash() -> None:
    outcome = outbound.post("https://example.com:99999/hook", b"{}", {}, 5, False)
    assert outcome == outbound.Outcome(None, "invalid_url")


class _Listener(BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        self.hits.append(self.path)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture
def loopback_listener() -> Any:
    server = HTTPServer(("127.0.0.1", 0), _Listener)
    _Listener.hits = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_a_name_that_rebinds_to_loopback_reaches_nothing(
    monkeypatch: pytest.MonkeyPatch, loopback_listener: HTTPServer
) -> None:
    """The name answers a public address first and 127.0.0.1 afterwards: the delivery connects to
    the address that was checked, never resolving again, and the loopback listener hears nothing."""
    port = int(loopback_listener.server_address[1])
    answers = iter([PUBLIC, "127.0.0.1", "127.0.0.1"])
    lookups: list[str] = []

    def rebinding(host: str, *args: Any, **kwargs: Any) -> list[Any]:
        lookups.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]

    connected: list[tuple[str, int]] = []

    def create_connection(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
        connected.append(address)
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    monkeypatch.setattr(socket, "create_connection", create_connection)
    outcome = outbound.post(f"https://rebind.example:{port}/hooks", b"{}", {}, 5, False)
    assert lookups == ["rebind.example"]  # resolved once
    assert connected == [(PUBLIC, port)]  # to the checked address
    assert _Listener.hits == []
    assert outcome == outbound.Outcome(None, "refused")  # a category, not "[Errno 111] …"


def test_a_name_with_any_private_address_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    def both(host: str, *args: Any, **kwargs: Any) -> list[Any]:
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", (PUBLIC, 443)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", 443)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", both)
    assert outbound.post("https://mixed.example/", b"{}", {}, 5, False) == outbound.Outcome(
        None, "private_address"
    )


def test_tls_checks_the_certificate_for_the_name_not_the_address(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda *a, **k: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (PUBLIC, 443))],
    )
    wrapped: list[str | None] = []

    class FakeSocket:
        def close(self) -> None:
            return

    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: FakeSocket())

    def wrap_socket(self: Any, sock: Any, server_hostname: str | None = None, **_: Any) -> Any:
        wrapped.append(server_hostname)
        assert self.check_hostname and self.verify_mode.name == "CERT_REQUIRED"
        import ssl

        raise ssl.SSLCertVerificationError("certificate verify failed")

    monkeypatch.setattr("ssl.SSLContext.wrap_socket", wrap_socket)
    outcome = outbound.post("https://hooks.zonnig.example/x", b"{}", {}, 5, False)
    assert wrapped == ["hooks.zonnig.example"]
    assert outcome == outbound.Outcome(None, "tls")


def test_the_local_stage_posts_to_this_machine(loopback_listener: HTTPServer) -> None:
    port = int(loopback_listener.server_address[1])
    outcome = outbound.post(f"http://127.0.0.1:{port}/hooks?x=1", b"{}", {}, 5, True)
    assert outcome == outbound.Outcome(204, None)
    assert _Listener.hits == ["/hooks?x=1"]
    refused = outbound.post(f"http://127.0.0.1:{port}/hooks", b"{}", {}, 5, False)
    assert refused.failure == "private_address"
