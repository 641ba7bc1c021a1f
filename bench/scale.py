"""(h) One EDV with N active mandates (full: N = 100, 1,000 and 10,000; quick: 20 and 200), set up
straight through the store: for each request that should cost the same at any size, items and
bytes read, the answer's size and the request's own time (beside moto's), and the ratio between
the largest N and the smallest. Target: at most 1.5 for every request that returns a bounded
page. Three of the mandates are gas and two ended, at every N: the filtered lists' rare rows (0-3 %
at the smallest N, 0.05 % at the largest), so a filtered page is the same page at any N."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from .support import emulated_aws

EDV = "0123456749"
GAS, ENDED = {1, 2, 3}, {4, 5}


def _ean(serial: int) -> str:
    from chalicelib.domain.identifiers import gs1_check_digit

    data = f"54144883{serial:09d}"
    return data + str(gs1_check_digit(data))


def _setup(count: int, now: datetime) -> None:
    """N pairs and mandates, written as the store writes them (batch writes, no transactions)."""
    from chalicelib.domain.access_points import GridUser
    from chalicelib.domain.mandates import Mandate
    from chalicelib.domain.usage_counts import pair_deltas
    from chalicelib.domain.vocabulary import Energy, Granularity, MandateStatus
    from chalicelib.store import mandates as mandates_store
    from chalicelib.store.mandates import MandateItem
    from chalicelib.store.projections import EdvAccessPointItem, facet
    from chalicelib.store.usage import UsageItem

    counted: Counter[tuple[str, str]] = Counter()
    with MandateItem.batch_write() as mandates, EdvAccessPointItem.batch_write() as pairs:
        for serial in range(count):
            ean = _ean(serial)
            gas = serial in GAS
            ended = serial in ENDED
            energy = Energy.GAS if gas else Energy.ELECTRICITY
            granularity = Granularity.HOUR if gas else Granularity.QUARTER_HOUR
            status = MandateStatus.ENDED if ended else MandateStatus.ACTIVE
            # Spread over the same 300 days at any N: the usage report covers the same months.
            granted = now - timedelta(days=1 + serial * 299 // max(count - 1, 1))
            mandate = Mandate(
                id=f"m-{serial:06d}",
                ean=ean,
                edv=EDV,
                granularity=granularity,
                period_start=(granted - timedelta(days=365)).date(),
                period_end=(granted + timedelta(days=365)).date(),
                granted_at=granted,
                valid_until=granted + timedelta(days=1096),
                status=status,
                granted_by=f"customer-{serial}",
                grid_user=GridUser("person", f"customer-{serial}"),
                energy=energy,
                ended_at=now - timedelta(hours=1) if ended else None,
            )
            mandates.save(mandates_store.item_of(mandate, granted))
            counted.update(pair_deltas({}, [], [mandate])[0])  # one mandate per pair
            pairs.save(
                EdvAccessPointItem(
                    EDV,
                    ean,
                    active_mandate_id=None if ended else mandate.id,
                    latest_mandate_id=mandate.id,
                    status=status.value,
                    granularity=granularity.value,
                    valid_until=mandate.valid_until,
                    energy=energy.value,
                    meter_type="digital",
                    direction="offtake" if gas else "both",
                    updated_at=granted,
                    facet=facet(EDV, energy.value, "digital", granularity.value, status.value),
                )
            )
    periods: dict[str, dict[str, int]] = {}
    for (period, field), count in counted.items():
        periods.setdefault(period, {})[field] = count
    with UsageItem.batch_write() as usage:  # the usage counters, as the mandates' writes keep them
        for period, fields in periods.items():
            item = UsageItem(EDV, period)
            for name, count in fields.items():
                setattr(item, name, count)
            usage.save(item)


def _requests(http: Any, member: str, machine: Any) -> dict[str, Callable[[], list[bytes]]]:
    """Each request (or, for "all pages", every page of one list), returning the answers."""
    base = f"/v1/organisations/{EDV}"

    def portal(path: str) -> list[bytes]:
        answer = http.get(f"{base}{path}", token=member)
        assert answer.status == 200, answer.body[:300]
        return [answer.body]

    def all_pages() -> list[bytes]:
        bodies, cursor = [], None
        while True:
            suffix = f"&cursor={cursor}" if cursor else ""
            answer = http.get(f"{base}/access-points?limit=100{suffix}", token=member)
            bodies.append(answer.body)
            cursor = answer.json["next_cursor"]
            if cursor is None:
                return bodies

    def machine_get(path: str) -> list[bytes]:
        answer = machine.get(path)
        assert answer.status in (200, 400, 404), answer.body[:300]
        return [answer.body]

    month = datetime.now(UTC).strftime("%Y-%m")
    return {
        "machine mandate by ean": lambda: machine_get(f"/mandate?ean={_ean(10)}"),
        "machine mandate list": lambda: machine_get("/mandate"),
        "machine mandate list, status=Finished": lambda: machine_get("/mandate?status=Finished"),
        "machine mandate list, ToBeRenewed": lambda: machine_get(
            "/mandate?renewalStatus=ToBeRenewed"
        ),
        "machine mandate list, energyType=G": lambda: machine_get("/mandate?energyType=G"),
        "machine mandate list, a page": lambda: machine_get("/mandate?pageSize=100"),
        "access points, status=ended": lambda: portal("/access-points?status=ended"),
        "access points, energy=gas": lambda: portal("/access-points?energy=gas"),
        "access points, first page": lambda: portal("/access-points?limit=50"),
        "access points, all pages": all_pages,
        "monthly usage": lambda: portal(f"/usage?month={month}"),
    }


BOUNDED = {
    "machine mandate by ean",
    "machine mandate list, status=Finished",
    "machine mandate list, ToBeRenewed",
    "machine mandate list, energyType=G",
    "machine mandate list, a page",
    "access points, status=ended",
    "access points, energy=gas",
    "access points, first page",
    "monthly usage",
}


def run(quick: bool = False) -> None:
    from chalice.test import Client

    from tests.support.counting import dynamodb_read_volume
    from tests.support.http import Http
    from tests.support.machine import secret_client
    from tests.support.world import Edv

    sizes = (20, 200) if quick else (100, 1_000, 10_000)
    results: dict[str, dict[int, dict[str, float]]] = {}
    for count in sizes:
        with emulated_aws():
            from app import app

            from .support import active_edv

            now = datetime.now(UTC)
            active_edv(EDV, now)
            started = time.perf_counter()
            _setup(count, now)
            set_up_s = time.perf_counter() - started
            http = Http(Client(app, stage_name="local"))
            member = http.token("admin")
            machine = secret_client(http, Edv(EDV, "Bench EDV", member, member))
            machine.token()
            for name, request in _requests(http, member, machine).items():
                started = time.perf_counter()
                with dynamodb_read_volume() as tally:
                    bodies = request()
                wall_ms = (time.perf_counter() - started) * 1000
                results.setdefault(name, {})[count] = {
                    "items": tally["items"],
                    "bytes": tally["bytes"],
                    "answer_bytes": sum(len(body) for body in bodies),
                    "own_ms": wall_ms - tally["aws_us"] / 1000,
                }
            print(f"(h) N = {count:,}: set up in {set_up_s:.1f} s", flush=True)
    smallest, largest = sizes[0], sizes[-1]
    for name, by_size in results.items():
        cells = "; ".join(
            f"N={n:,}: {t['items']:,.0f} items, {t['bytes'] / 1e3:,.0f} kB read, "
            f"{t['answer_bytes'] / 1e3:,.1f} kB answer, {t['own_ms']:,.0f} ms own"
            for n, t in by_size.items()
        )
        ratio = max(by_size[largest]["items"], 1) / max(by_size[smallest]["items"], 1)
        bounded = " (bounded page)" if name in BOUNDED else ""
        print(
            f"(h) {name}{bounded}: {cells}; items ratio N={largest:,}/N={smallest:,}: {ratio:.2f}"
        )
