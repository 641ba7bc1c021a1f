"""Concurrency: grants, ends and a market event on the same EAN at once; overlapping ingest files
at once. Afterwards the invariants hold: at most one active mandate per (EAN, EDV), no grant
escapes a move it raced, every change has exactly one event in a gapless feed, no reading is
lost and the month agrees with its days."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from functools import partial

import orjson
import pytest

from chalicelib.domain.access_points import GridUser
from chalicelib.domain.brussels import brussels_date
from chalicelib.domain.errors import DomainError
from chalicelib.domain.readings import Quality
from chalicelib.domain.vocabulary import Granularity, MandateStatus, Scenario
from chalicelib.services import ingest, mandates, market
from chalicelib.store import access_points as points_store
from chalicelib.store import feed as feed_store
from chalicelib.store import mandates as store
from chalicelib.store import readings as readings_store
from tests.support.http import Http
from tests.support.readings import batch, day_readings
from tests.support.world import World, customer_with_meter, ean

EDVS = ("0123456749", "0765432146")
# Refusals a racing caller may meet; anything else (or any other exception) fails the test.
EXPECTED_REFUSALS = {"not_grid_user", "conflict", "mandate_not_active", "not_found"}

MARCH = date(2025, 3, 1)


@pytest.fixture
def world(http: Http) -> World:
    world = World(http)
    for number, edv in enumerate(EDVS):
        world.active(edv, f"EDV {number}")
    return world


def all_at_once(tasks: list[Callable[[], object]]) -> tuple[list[object], list[BaseException]]:
    start = threading.Barrier(len(tasks))
    results: list[object] = []
    errors: list[BaseException] = []

    def run(task: Callable[[], object]) -> None:
        start.wait()
        try:
            results.append(task())
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(task,)) for task in tasks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


def end_whatever_is_active(meter: str) -> int:
    now = datetime.now(UTC)
    ended = 0
    for mandate in store.of_ean(meter):
        if mandate.status is MandateStatus.ACTIVE:
            mandates.end("karel", mandate.id, now)
            ended += 1
    return ended


@pytest.mark.parametrize("round_", range(3))
def test_grants_ends_and_a_move_at_once_keep_every_invariant(world: World, round_: int) -> None:
    meter = ean(100 + round_)
    customer_with_meter(world, "karel", meter)
    now = datetime.now(UTC)
    moved_on = brussels_date(now) - timedelta(days=2)  # reported late: effective in the past
    anna = GridUser("person", "anna")

    def grant(edv: str) -> Callable[[], object]:
        request = mandates.GrantRequest(
            edv, meter, Granularity.DAY, date(2024, 1, 1), date(2027, 1, 1)
        )
        return lambda: mandates.grant("karel", request, datetime.now(UTC))

    def move() -> object:
        return market.report(meter, Scenario.CUSTOMER_SWITCH, moved_on, anna, datetime.now(UTC))

    tasks: list[Callable[[], object]] = [grant(edv) for edv in EDVS for _ in range(6)]
    tasks += [lambda: end_whatever_is_active(meter) for _ in range(4)]
    tasks += [move, move]
    _, errors = all_at_once(tasks)

    unexpected = [e for e in errors if not isinstance(e, DomainError)]
    assert unexpected == []
    assert {e.code for e in errors if isinstance(e, DomainError)} <= EXPECTED_REFUSALS

    point = points_store.get(meter)
    assert point is not None and point.grid_user_on(brussels_date(now)) == anna
    stored = store.of_ean(meter)
    for edv in EDVS:
        of_edv = [m for m in stored if m.edv == edv]
        active = [m for m in of_edv if m.status is MandateStatus.ACTIVE]
        assert len(active) <= 1
        projection = store.active_of_edv_and_ean(edv, meter)
        assert (projection.id if projection else None) == (active[0].id if active else None)
        # No grant escaped the move: whatever still gives access ends where Karel's tenure did.
        assert all(m.period_end <= moved_on for m in active)
        events = feed_store.page(edv, 0, 500)
        assert [e.seq for e in events] == list(range(1, len(events) + 1))
        kinds = Counter((e.mandate_id, e.type.value) for e in events)
        for mandate in of_edv:
            assert kinds[(mandate.id, "granted")] == 1
            ended = mandate.status is MandateStatus.ENDED
            assert kinds[(mandate.id, "ended")] == (1 if ended else 0)
            cut = any(adjustment for adjustment in mandate.period_adjustments)
            assert kinds[(mandate.id, "period_truncated")] == (1 if cut else 0)
        assert {e.mandate_id for e in events} == {m.id for m in of_edv}


def test_overlapping_ingest_files_at_once_lose_nothing(world: World) -> None:
    """Six files over three days (one of them the 92-quarter-hour spring day), at once:
    estimates that overlap, validated halves, and two of the files twice."""
    meter = ean(200)
    customer_with_meter(world, "karel", meter)
    days = [date(2025, 3, 29), date(2025, 3, 30), date(2025, 3, 31)]

    def rows(chosen: list[date], status: str, value: float, part: slice) -> bytes:
        readings = [
            r for day in chosen for r in day_readings(day, value=value, status=status)[part]
        ]
        return orjson.dumps(batch(meter, readings))

    everything = slice(None)
    files = [
        rows(days[:2], "estimated", 0.9, everything),
        rows(days[1:], "estimated", 0.8, everything),
        rows(days, "validated", 0.25, slice(0, None, 2)),
        rows(days, "validated", 0.25, slice(1, None, 2)),
    ]
    files += [files[0], files[2]]
    tasks: list[Callable[[], object]] = [
        partial(ingest.ingest, data, "test", f"file-{n}", datetime.now(UTC))
        for n, data in enumerate(files)
    ]
    reports, errors = all_at_once(tasks)
    assert errors == [] and len(reports) == 6

    stored = {
        day: found.series for day, found in readings_store.read_days(meter, "offtake", days).items()
    }
    assert [len(stored[day].values) for day in days] == [96, 92, 96]
    for day in days:
        assert set(stored[day].qualities) == {Quality.VALIDATED}
        assert set(stored[day].values) == {250}  # thousandths of a kWh: every slot, validated
    month = readings_store.months_between(meter, "offtake", MARCH, MARCH)[MARCH]
    for day in days:
        assert month.day_value(day) == (250 * len(stored[day].values), Quality.VALIDATED, True)
