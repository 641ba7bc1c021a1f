"""Optimistic concurrency: read, decide, write conditionally; on a lost race, read again."""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from ..domain.errors import DomainError
from ..store.base import ContendedError

ATTEMPTS = 16
MAX_BACKOFF_SECONDS = 0.4


def retrying[T](attempt: Callable[[], T]) -> T:
    """Run `attempt` until its conditional write wins; each try re-reads what it decides on."""
    for tries in range(ATTEMPTS):
        try:
            return attempt()
        except ContendedError:
            # Jittered back-off so that racers spread out instead of colliding again.
            ceiling = min(MAX_BACKOFF_SECONDS, 0.005 * 2**tries)
            time.sleep(random.uniform(0, ceiling))  # noqa: S311
    raise DomainError("conflict", "Too many simultaneous changes; please try again.")
