"""`make load`: a fresh local stack on 127.0.0.1 (demo data), driven for a fixed time by a bounded
number of concurrent clients doing what EDVs and customers do: portal reads of quarter-hours and
days, machine-API energy reads, mandate lists, and grants that replace the previous one. A pair
(EDV, EAN) takes five new mandates a day, so the grants go round access points registered for
the run, enough that none reaches the limit. Prints throughput, latency percentiles and errors per
kind of request; exits 1 on any error.

LOAD_SECONDS (default 20) and LOAD_CONCURRENCY (default 8) tune it. The local stack serves one
API call at a time, as one Lambda instance would: the figures are per instance, not per fleet.
"""

from __future__ import annotations

import http.client
import itertools
import json
import os
import random
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode, urlsplit

from devstack import demo
from devstack.launch import RunningStack, local_stack

SECONDS = float(os.environ.get("LOAD_SECONDS", "20"))
CONCURRENCY = int(os.environ.get("LOAD_CONCURRENCY", "8"))
METER = demo.KAREL_ELECTRICITY.ean
READER = demo.EDV_API  # holds a quarter-hour mandate on METER
GRANTEE = demo.EDV_PORTAL  # the granting customer keeps re-granting it a day mandate
# A customer of the run's own (not a demo identity, whose pages other checks read) grants on these
# access points in turn: a pair takes five grants a day, and a grant takes a few tens of
# milliseconds here, so this many outlast any LOAD_SECONDS of minutes.
GRANTOR = "klant-belasting"
GRANT_METERS = max(50, int(SECONDS * 4))


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, seconds: float, error: str | None) -> None:
        with self.lock:
            self.latencies[kind].append(seconds)
            if error:
                self.errors[kind].append(error)


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes = b""


class Client:
    """One keep-alive connection, as one EDV's software would hold."""

    def __init__(self, base_url: str) -> None:
        self.host = urlsplit(base_url).netloc
        self.connection = http.client.HTTPConnection(self.host, timeout=30)

    def send(self, call: Call) -> tuple[int, bytes]:
        try:
            self.connection.request(call.method, call.path, body=call.body, headers=call.headers)
            response = self.connection.getresponse()
            return response.status, response.read()
        except (http.client.HTTPException, OSError):
            self.connection.close()
            self.connection = http.client.HTTPConnection(self.host, timeout=30)
            raise


def machine_token(stack: RunningStack) -> tuple[str, str]:
    client_id, secret, key = stack.machine_client()
    form = urlencode(
        {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    )
    status, body = Client(stack.base_url).send(
        Call(
            "POST",
            "/oauth2/token",
            {"Content-Type": "application/x-www-form-urlencoded"},
            form.encode(),
        )
    )
    if status != 200:
        raise RuntimeError(f"no machine token: {status} {body[:200]!r}")
    return str(json.loads(body)["access_token"]), key


def granting_customer(stack: RunningStack) -> dict[str, str]:
    """The run's own customer, logged in at the local issuer."""
    body = json.dumps({"sub": GRANTOR, "name": "Belasting Proef"}).encode()
    status, answer = Client(stack.base_url).send(
        Call("POST", "/v1/dev/token", {"Content-Type": "application/json"}, body)
    )
    if status != 200:
        raise RuntimeError(f"no customer token: {status} {answer[:200]!r}")
    return {"Authorization": f"Bearer {json.loads(answer)['access_token']}"}


def granted_meters(stack: RunningStack) -> list[str]:
    """Digital meters of the granting customer, registered by an operator for the run."""
    from chalicelib.domain.identifiers import gs1_check_digit

    operator = {
        "Authorization": f"Bearer {stack.token_of(demo.OPERATOR.sub)}",
        "Content-Type": "application/json",
    }
    client, meters = Client(stack.base_url), []
    for serial in range(GRANT_METERS):
        data = f"54144889{serial:09d}"
        ean = data + str(gs1_check_digit(data))
        body = {
            "energy": "electricity",
            "meter_type": "digital",
            "direction": "both",
            "address": "Lastweg 1, 9000 Gent",
            "meter_number": f"LOAD{serial:06d}",
            "grid_user": {"sub": GRANTOR},
            "grid_user_since": "2020-01-01",
        }
        status, answer = client.send(
            Call("PUT", f"/v1/ops/access-points/{ean}", operator, json.dumps(body).encode())
        )
        if status not in (200, 201):
            raise RuntimeError(f"no meter to grant on: {status} {answer[:200]!r}")
        meters.append(ean)
    return meters


def workload(stack: RunningStack) -> list[tuple[str, int, Callable[[], Call]]]:
    """(kind, weight, a fresh request of that kind)."""
    member = {"Authorization": f"Bearer {stack.token_of(demo.EDV_API_MEMBER.sub)}"}
    customer = {"Authorization": f"Bearer {stack.token_of(demo.CUSTOMER_SOLAR.sub)}"}
    token, key = machine_token(stack)
    machine = {"Authorization": f"Bearer {token}", "Ocp-Apim-Subscription-Key": key}
    today = datetime.now(UTC).date()

    def recent_day() -> date:
        return today - timedelta(days=random.randint(2, 60))

    def quarter_hours() -> Call:
        day = recent_day()
        query = urlencode(
            {"from": day, "to": day + timedelta(days=1), "resolution": "quarter_hour"}
        )
        path = f"/v1/organisations/{READER.enterprise_number}/access-points/{METER}/volumes"
        return Call("GET", f"{path}?{query}", member)

    def days_of_a_month() -> Call:
        first = recent_day().replace(day=1)
        query = urlencode({"from": first, "to": first + timedelta(days=31), "resolution": "day"})
        path = f"/v1/organisations/{READER.enterprise_number}/access-points/{METER}/volumes"
        return Call("GET", f"{path}?{query}", member)

    def machine_energy() -> Call:
        start = datetime.combine(recent_day(), datetime.min.time(), UTC)
        query = urlencode(
            {
                "ean": METER,
                "periodType": "readTime",
                "granularity": "hourly_quarterhourly",
                "from": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "to": (start + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
        )
        return Call("GET", f"/esco-live/v3/api/mandate/energy?{query}", machine)

    def my_mandates() -> Call:
        return Call("GET", "/v1/me/mandates", customer)

    meters = itertools.cycle(granted_meters(stack))
    grantor = granting_customer(stack)
    lock = threading.Lock()

    def grant() -> Call:
        with lock:
            ean = next(meters)
        body = {
            "edv": GRANTEE.enterprise_number,
            "ean": ean,
            "granularity": "day",
            "period_start": (today - timedelta(days=365)).isoformat(),
            "period_end": (today + timedelta(days=365)).isoformat(),
        }
        headers = {**grantor, "Content-Type": "application/json"}
        return Call("POST", "/v1/me/mandates", headers, json.dumps(body).encode())

    return [
        ("portal quarter-hours (1 day)", 30, quarter_hours),
        ("portal days (1 month)", 20, days_of_a_month),
        ("machine API energy (1 day)", 25, machine_energy),
        ("customer's mandates", 15, my_mandates),
        ("grant (replaces)", 10, grant),
    ]


def drive(stack: RunningStack, tally: Tally, seconds: float, concurrency: int) -> float:
    """Run the workload for `seconds` with `concurrency` clients; the time it took."""
    kinds = workload(stack)
    weights = [weight for _, weight, _ in kinds]
    deadline = time.monotonic() + seconds

    def worker(seed: int) -> None:
        chooser = random.Random(seed)
        client = Client(stack.base_url)
        while time.monotonic() < deadline:
            kind, _, make = chooser.choices(kinds, weights)[0]
            call = make()
            started = time.perf_counter()
            try:
                status, body = client.send(call)
                error = None if 200 <= status < 300 else f"{status} {body[:160]!r}"
            except (http.client.HTTPException, OSError) as failure:
                error = f"{type(failure).__name__}: {failure}"
            tally.add(kind, time.perf_counter() - started, error)

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.monotonic() - started


def percentile(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def row(label: str, ordered: list[float], errors: int, elapsed: float) -> str:
    """One line of the table: count, errors, throughput and latency figures (ms)."""
    figures = [percentile(ordered, share) for share in (0.5, 0.9, 0.99)] + [ordered[-1]]
    return f"{label:<30} {len(ordered):>6} {errors:>6} {len(ordered) / elapsed:>7.1f}" + "".join(
        f" {seconds * 1000:>8.1f}" for seconds in figures
    )


def report(tally: Tally, elapsed: float, concurrency: int) -> int:
    print(f"{concurrency} concurrent clients for {elapsed:.1f} s against the local stack")
    header = f"{'request':<30} {'count':>6} {'errors':>6} {'req/s':>7}"
    print(header + "   p50 ms   p90 ms   p99 ms   max ms")
    for kind, latencies in sorted(tally.latencies.items()):
        print(row(kind, sorted(latencies), len(tally.errors[kind]), elapsed))
    everything = sorted(s for latencies in tally.latencies.values() for s in latencies)
    errors = sum(len(found) for found in tally.errors.values())
    print(row("all", everything, errors, elapsed))
    for kind, found in tally.errors.items():
        for error in found[:3]:
            print(f"  error in {kind}: {error}")
    return 1 if errors else 0


def main() -> int:
    print("starting a local stack with the demo data ...", flush=True)
    with local_stack() as stack:
        tally = Tally()
        elapsed = drive(stack, tally, SECONDS, CONCURRENCY)
    return report(tally, elapsed, CONCURRENCY)


if __name__ == "__main__":
    sys.exit(main())
