"""The local stack as `make run` starts it, on free ports, once per test session."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class RunningStack:
    base_url: str
    banner: str

    def token_of(self, sub: str) -> str:
        """The token the banner printed for a demo identity."""
        lines = self.banner.splitlines()
        for index, line in enumerate(lines):
            if line.strip().startswith(sub + " "):
                match = re.search(r"Bearer ([\w.-]+)", lines[index + 1])
                assert match, lines[index + 1]
                return match.group(1)
        raise AssertionError(f"{sub} not in the banner")


@pytest.fixture(scope="session")
def local_stack() -> Iterator[RunningStack]:
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
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                raise AssertionError("the local stack exited:\n" + "".join(output))
            output.append(line)
            if line.startswith("Ready: "):
                break
        else:
            raise AssertionError("the local stack did not get ready:\n" + "".join(output))
        yield RunningStack(f"http://127.0.0.1:{port}", "".join(output))
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
