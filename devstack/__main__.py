"""`make run`: the whole system on this machine.

Starts moto's server on 127.0.0.1 as the embedded AWS, creates every table and bucket, loads the
demo data, and serves the API (stage dev) and the static pages on http://127.0.0.1:8000.
Ctrl-C stops everything it started.

moto runs inside this process: its server thread answers on 127.0.0.1 (S3 goes through it, so
presigned download links work in a browser), and the app's own DynamoDB calls reach the same
emulated account in-process, as in the tests. Over HTTP each DynamoDB call cost moto ~10 ms, which
made loading two years of demo readings take most of a minute.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import signal
import socket
import threading
import time
from pathlib import Path
from types import FrameType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


STOPPING = threading.Event()  # set on Ctrl-C or SIGTERM: background workers finish and return
WORKERS: list[threading.Thread] = []


def _stage_environment() -> dict[str, str]:
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    return {
        **config.get("environment_variables", {}),
        **config["stages"]["dev"]["environment_variables"],
    }


def _port_free(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--moto-port", type=int, default=int(os.environ.get("MOTO_PORT", "5000")))
    parser.add_argument("--no-demo", action="store_true", help="start empty")
    parser.add_argument("--quiet", action="store_true", help="print only the ready line")
    args = parser.parse_args()
    for port in (args.port, args.moto_port):
        if not _port_free(port):
            raise SystemExit(f"Port {port} on 127.0.0.1 is in use; set PORT / MOTO_PORT to others.")

    base_url = f"http://127.0.0.1:{args.port}"
    os.environ.update(_stage_environment())
    for name in [name for name in os.environ if name.startswith("AWS_ENDPOINT_URL")]:
        del os.environ[name]
    os.environ.update(
        AWS_ENDPOINT_URL_S3=f"http://127.0.0.1:{args.moto_port}",
        AWS_ACCESS_KEY_ID="local",
        AWS_SECRET_ACCESS_KEY="local",  # noqa: S106 - moto accepts anything
        AWS_DEFAULT_REGION="eu-west-1",
        AWS_REGION="eu-west-1",
        PAGES_BASE_URL=base_url,
        AUTH_ISSUER=f"{base_url}/v1/dev",
        DEV_ISSUER_KEY_FILE=str(ROOT / ".local" / "dev-issuer.pem"),
        TOKEN_SIGNING_KEY_FILE=str(ROOT / ".local" / "token-signing.pem"),
        API_BASE_URL=base_url,
        MPLCONFIGDIR=str(ROOT / ".local" / "matplotlib"),
    )

    from moto import mock_aws
    from moto.server import ThreadedMotoServer

    moto_server = ThreadedMotoServer(ip_address="127.0.0.1", port=args.moto_port, verbose=False)
    moto_server.start()
    in_process = mock_aws()
    in_process.start()

    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        _serve(args, base_url)
    except KeyboardInterrupt:
        print("\nStopping.", flush=True)
    finally:
        # In order: the worker that calls the emulator first, then the emulator itself.
        STOPPING.set()
        for worker in WORKERS:
            worker.join(timeout=5)
        in_process.stop()
        moto_server.stop()


def _serve(args: argparse.Namespace, base_url: str) -> None:
    # Imported only now: the models read their table names and region from the environment.
    from app import app
    from chalicelib.aws import s3
    from chalicelib.config import settings
    from chalicelib.local import bootstrap

    from . import demo, web
    from .server import LocalStack, make_server

    bootstrap()
    web.publish(s3(), settings().pages_bucket, web.local_login(base_url))
    os.environ["DEV_IDENTITIES"] = json.dumps([demo.identity(p) for p in demo.PEOPLE])
    guide = demo.load() if not args.no_demo else None
    stack = LocalStack(app, settings().pages_bucket, s3())
    server = make_server(stack, "127.0.0.1", args.port)
    for work in (_deliver_webhooks, _run_started_functions):
        worker = threading.Thread(target=work, args=(stack,), daemon=True)
        WORKERS.append(worker)
        worker.start()
    if guide is not None and not args.quiet:
        print(guide.banner(base_url), flush=True)
    print(f"Ready: {base_url} (Ctrl-C stops)", flush=True)
    server.serve_forever()


STARTED: queue.Queue[tuple[str, dict[str, Any]]] = queue.Queue()
SLICE_SECONDS = 1.0  # an export works this long at a time, then lets the API in
IDLE_SECONDS = 1.0  # and only once the API has been quiet this long: callers come first


def _run_started_functions(stack: Any) -> None:
    """What Lambda does with an asynchronous invocation (a history export): run it, here in
    slices of a second when the API is quiet, each handing over to the next as a run near its time
    limit does on AWS."""
    from chalicelib import invoke

    waiting: set[str] = set()  # a start already queued is not queued twice (Lambda may, harmlessly)

    def started(function: str, event: dict[str, Any]) -> None:
        key = f"{function}:{sorted(event.items())}"
        if key not in waiting:
            waiting.add(key)
            STARTED.put((function, event))

    invoke.LOCAL_ASYNC.append(started)
    while not STOPPING.is_set():
        try:
            function, event = STARTED.get(timeout=1)
        except queue.Empty:
            continue
        waiting.discard(f"{function}:{sorted(event.items())}")
        while time.monotonic() - stack.last_api_call < IDLE_SECONDS and not STOPPING.is_set():
            STOPPING.wait(IDLE_SECONDS)
        with stack.api_lock:
            # The export handler stops a minute before its end: a minute and a slice.
            invoke.run_here(function, event, 60 + SLICE_SECONDS)


def _deliver_webhooks(stack: Any) -> None:
    """What Lambda's SQS trigger does on AWS: take webhook deliveries off the queue and post
    them (one API call's worth of work at a time: the embedded AWS is not thread-safe)."""
    from chalicelib.observability import logger
    from chalicelib.services import webhooks

    while not STOPPING.is_set():
        try:
            with stack.api_lock:
                handled = webhooks.run_worker_once(wait_seconds=0)
        except Exception:
            logger.exception("local webhook delivery failed")
            handled = 0
        if not handled:
            STOPPING.wait(1)


if __name__ == "__main__":
    main()
