"""The clock the app reads (the routing's `call.now`) and the token checks read, moved by a test:
a job run a week ahead, a mandate three years on, with no sleeping and no real clock involved."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from typing import Any
from unittest import mock


class Clock:
    """The instant the app sees; set `instant` to move it."""

    def __init__(self, instant: datetime) -> None:
        self.instant = instant

    def frozen(self) -> type[datetime]:
        clock = self

        class Frozen(datetime):
            @classmethod
            def now(cls, tz: Any = None) -> Frozen:
                moment = clock.instant.astimezone(tz or UTC)
                return cls.fromtimestamp(moment.timestamp(), tz or UTC)

        return Frozen


@contextmanager
def app_clock(instant: datetime) -> Iterator[Clock]:
    """Within it, requests happen at `clock.instant`; tokens minted within it are of that time."""
    clock = Clock(instant)
    frozen = clock.frozen()
    with ExitStack() as stack:
        stack.enter_context(mock.patch("chalicelib.serving.routing.datetime", frozen))
        stack.enter_context(mock.patch("jwt.api_jwt.datetime", frozen))
        yield clock


def brussels(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A moment on the Brussels wall clock, as UTC."""
    from chalicelib.domain.brussels import BRUSSELS

    return datetime(year, month, day, hour, minute, tzinfo=BRUSSELS).astimezone(UTC)
