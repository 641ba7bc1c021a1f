"""Starting the local stack as `make run` does, on free ports, from another process: the
end-to-end tests and `make load` drive it over HTTP like any client would."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
READY_SECONDS = 120


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class RunningStack:
    base_url: str
    banner: str
    log: list[str] = field(default_factory=list)  # what it writes while serving

    def token_of(self, sub: str) -> str:
        """The token the banner printed for a demo identity."""
        lines = self.banner.splitlines()
        for index, line in enumerate(lines):
            if line.strip().startswith(sub + " "):
                match = re.search(r"Bearer ([\w.-]+)", lines[index + 1])
                if match:
                    return match.group(1)
        raise LookupError(f"{sub} not in the banner")

    def machine_client(self) -> tuple[str, str, str]:
        """(client_id, client_secret, subscription key) of the demo EDV's API client."""
        client = re.search(r"client_id=(\S+) -d client_secret=(\S+) ", self.banner)
        key = re.search(r"Ocp-Apim-Subscription-Key: ([^']+)'", self.banner)
        if not client or not key:
            raise LookupError("no machine client in the banner")
        return client.group(1), client.group(2), key.group(1)


@contextmanager
def local_stack() -> Iterator[RunningStack]:
    """A fresh local stack (its own moto) with the demo data; stopped on exit."""
    port, moto_port = free_port(), free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AWS_", "STAGE", "TABLE_PREFIX", "BUCKET_", "AUTH_", "PAGES_"))
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "devstack", "--port", str(port), "--moto-port", str(moto_port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    output: list[str] = []
    stack = RunningStack(f"http://127.0.0.1:{port}", "")
    # Once ready, keep reading what it logs: a full pipe would stall it.
    drain = threading.Thread(target=lambda: stack.log.extend(process.stdout or []), daemon=True)
    deadline = time.monotonic() + READY_SECONDS
    try:
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                raise RuntimeError("the local stack exited:\n" + "".join(output))
            output.append(line)
            if line.startswith("Ready: "):
                break
        else:
            raise RuntimeError("the local stack did not get ready:\n" + "".join(output))
        stack.banner = "".join(output)
        drain.start()
        yield stack
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        if drain.is_alive():
            drain.join(timeout=5)
