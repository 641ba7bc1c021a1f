"""An EDV's webhook endpoint on 127.0.0.1, verifying every Standard Webhooks signature with the
`standardwebhooks` package, and the queue's consumer run until nothing is left."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from chalicelib.services import webhooks


@dataclass
class Receiver:
    """An EDV's endpoint: checks every signature, fails the first attempts if told to."""

    secret: str = ""
    fail_first: int = 0
    always_fail: bool = False
    attempts: dict[str, int] = field(default_factory=dict)
    accepted: list[dict[str, Any]] = field(default_factory=list)
    bad_signatures: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, headers: dict[str, str], body: bytes) -> int:
        try:
            Webhook(self.secret).verify(body, headers)
        except WebhookVerificationError:
            self.bad_signatures += 1
            return 400
        with self.lock:
            message_id = headers["webhook-id"]
            self.attempts[message_id] = self.attempts.get(message_id, 0) + 1
            if self.always_fail or self.attempts[message_id] <= self.fail_first:
                return 503
            self.accepted.append({"id": message_id, **json.loads(body)})
            return 204


def serve(receiver: Receiver, port: int = 0) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            status = receiver.handle({k.lower(): v for k, v in self.headers.items()}, body)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def drain(rounds: int = 60) -> None:
    """Run the queue's consumer until nothing is left (bounded)."""
    idle = 0
    for _ in range(rounds):
        idle = idle + 1 if webhooks.run_worker_once(wait_seconds=0) == 0 else 0
        if idle == 2:
            return
    raise AssertionError("the webhook queue did not drain")


@contextmanager
def receiving() -> Iterator[tuple[Receiver, str]]:
    """A receiver listening on 127.0.0.1, and the URL to register for it."""
    target = Receiver()
    server = serve(target)
    try:
        yield target, f"http://127.0.0.1:{server.server_address[1]}/hooks"
    finally:
        server.shutdown()


def wait_for(receiver: Receiver, count: int, seconds: float = 20) -> None:
    """Until `count` deliveries were accepted (a local stack delivers in its own time)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and len(receiver.accepted) < count:
        time.sleep(0.2)
