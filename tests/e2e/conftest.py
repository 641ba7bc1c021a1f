"""The local stack as `make run` starts it, on free ports, once per test session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from devstack import demo, launch
from devstack.launch import ROOT, RunningStack
from tests.e2e.browsing import browser, page
from tests.support import privacy

__all__ = ["ROOT", "RunningStack", "browser", "page"]


@pytest.fixture(scope="session")
def local_stack() -> Iterator[RunningStack]:
    with launch.local_stack() as stack:
        yield stack
    # The banner names the demo people on purpose; what the stack logged while serving may not.
    privacy.remember(*(person.name for person in demo.PEOPLE))
    privacy.remember(*(meter.address for meter in demo.METERS))
    leaked = privacy.scan("the local stack's log", "".join(stack.log))
    assert leaked == [], leaked[:20]
    # It stops in order: nothing calls the embedded AWS after it has gone.
    stopped = "".join(stack.log).partition("Stopping.")[2]
    assert '"level":"ERROR"' not in stopped, stopped[-2000:]
