"""Meter data figures (issue 5):
(a) one year of quarter-hours of a digital meter, both channels, served as JSON in-process:
    median time, DynamoDB items and bytes read;
(b) the same from a naive one-item-per-quarter-hour layout, and the ratio;
(c) ingest parse+pack throughput, readings per second;
(d) PNG and PDF render times."""

from __future__ import annotations

import gzip
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import orjson

from .support import active_edv, emulated_aws, machine_api_headers

EDV, EAN = "0123456749", "541448820000000015"
FIRST = date(2024, 1, 1)  # a leap year: 366 days
# A year of quarter-hours; `--quick` takes a fortnight and fewer runs, to prove the code still runs.
END = date(2025, 1, 1)
RUNS = 7


def _year_rows(seed: int) -> list[dict[str, Any]]:
    from chalicelib.domain.brussels import slot_bounds_iso

    rows = []
    day = FIRST
    while day < END:
        for index, start in enumerate(slot_bounds_iso(day, 15)[:-1]):
            rows.append(
                {"start": start, "value": ((index * 37 + seed) % 900) / 1000, "status": "validated"}
            )
        day += timedelta(days=1)
    return rows


def _setup() -> None:
    from chalicelib.domain.access_points import GridUser
    from chalicelib.domain.vocabulary import Direction, Energy, Granularity, MeterType
    from chalicelib.services import access_points, ingest, mandates

    now = datetime.now(UTC)
    active_edv(EDV, now)
    access_points.register(
        EAN,
        access_points.Registration(
            Energy.ELECTRICITY,
            MeterType.DIGITAL,
            Direction.BOTH,
            "x",
            "m",
            GridUser("person", "karel"),
            date(2020, 1, 1),
        ),
        now,
    )
    mandates.grant(
        "karel", mandates.GrantRequest(EDV, EAN, Granularity.QUARTER_HOUR, FIRST, END), now
    )
    for channel, seed in (("offtake", 1), ("injection", 5)):
        body = {
            "ean": EAN,
            "channel": channel,
            "resolution": "quarter_hour",
            "unit": "kWh",
            "readings": _year_rows(seed),
        }
        ingest.ingest(orjson.dumps(body), "bench", f"bench-{channel}", now)


def _serve_json() -> bytes:
    from chalicelib.domain.vocabulary import Resolution
    from chalicelib.render.volumes import volumes_json
    from chalicelib.services import meterdata

    result = meterdata.volumes(
        "admin", EDV, EAN, FIRST, END, Resolution.QUARTER_HOUR, datetime.now(UTC)
    )
    return volumes_json(result, "kWh")


@contextmanager
def _time_in_dynamodb() -> Iterator[list[float]]:
    """Milliseconds spent inside AWS calls (moto emulating them in this process), accumulated in
    the one-element list it yields."""
    import botocore.client

    from tests.support.counting import aws_calls_through

    inner = botocore.client.BaseClient._make_api_call
    spent = [0.0]

    def timed(self: Any, operation: str, params: Any) -> Any:
        started = time.perf_counter()
        try:
            return inner(self, operation, params)
        finally:
            spent[0] += (time.perf_counter() - started) * 1000

    with aws_calls_through(timed):
        yield spent


def _median_split(work: Any, runs: int = RUNS) -> tuple[float, float, Any]:
    """Median wall time, and median of it spent in the emulated AWS calls, over `runs` runs."""
    walls, emulated, result = [], [], None
    with _time_in_dynamodb() as spent:
        for _ in range(runs):
            before = spent[0]
            started = time.perf_counter()
            result = work()
            walls.append((time.perf_counter() - started) * 1000)
            emulated.append(spent[0] - before)
    return statistics.median(walls), statistics.median(emulated), result


def _median_ms(work: Any, runs: int = RUNS) -> tuple[float, Any]:
    samples, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = work()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), result


def _naive(packed_ms: float) -> None:
    """The layout we did not choose: one item per quarter-hour and channel."""
    from pynamodb.attributes import NumberAttribute, UnicodeAttribute
    from pynamodb.models import Model

    from chalicelib.store.base import TableMeta
    from tests.support.counting import dynamodb_read_volume

    class NaiveReading(Model):
        class Meta(TableMeta):
            table_name = "bench-naive-readings"

        series = UnicodeAttribute(hash_key=True)
        start = UnicodeAttribute(range_key=True)
        value = NumberAttribute()
        status = UnicodeAttribute()

    NaiveReading.create_table(wait=True)
    for channel, seed in (("offtake", 1), ("injection", 5)):
        with NaiveReading.batch_write() as batch:
            for row in _year_rows(seed):
                batch.save(
                    NaiveReading(
                        f"{EAN}#{channel}", row["start"], value=row["value"], status=row["status"]
                    )
                )

    def serve() -> bytes:
        channels = {}
        for channel in ("offtake", "injection"):
            items = NaiveReading.query(
                f"{EAN}#{channel}",
                NaiveReading.start.between(f"{FIRST.isoformat()}T00", f"{END.isoformat()}T00"),
            )
            channels[channel] = [
                {"start": i.start, "value": i.value, "status": i.status} for i in items
            ]
        return orjson.dumps({"channels": channels})

    with dynamodb_read_volume() as volume:
        naive_ms, _ = _median_ms(serve, runs=3)
    runs = 3
    print(
        f"(b) naive layout: median {naive_ms:.0f} ms; {volume['items'] // runs:,} items, "
        f"{volume['bytes'] // runs / 1e6:.2f} MB read per request; packed is {naive_ms / packed_ms:.0f}x faster"
    )


def _machine_api(client: Any) -> None:
    """(e) The same range through the machine API, as EDV software asks it (gzip accepted)."""
    headers = machine_api_headers(EDV, "bench")
    path = (
        f"/esco-live/v3/api/mandate/energy?ean={EAN}&periodType=readTime"
        f"&granularity=hourly_quarterhourly&from={FIRST}&to={END}"
    )
    ms, emulated, response = _median_split(lambda: client.http.get(path, headers=headers))
    plain_headers = {k: v for k, v in headers.items() if k != "Accept-Encoding"}
    plain = client.http.get(path, headers=plain_headers)
    raw = len(gzip.decompress(response.body)) if response.status_code == 200 else 0
    print(
        f"(e) machine API, {(END - FIRST).days} days of quarter-hours, both channels: "
        f"{response.status_code}, {len(response.body) / 1e6:.2f} MB on the wire with gzip "
        f"({raw / 1e6:.1f} MB of JSON), median {ms:.0f} ms; without gzip: {plain.status_code}"
    )
    print(
        f"    of which in DynamoDB calls (moto emulating them in this process): {emulated:.0f} ms; "
        f"own work: {ms - emulated:.0f} ms (goal: at most 100 ms)"
    )


def _ingest_throughput() -> None:
    from chalicelib.domain.ingest_json import collector_paused, decode_json
    from chalicelib.domain.ingest_parse import parse

    body = orjson.dumps(
        {
            "ean": EAN,
            "channel": "offtake",
            "resolution": "quarter_hour",
            "unit": "kWh",
            "readings": _year_rows(3),
        }
    )

    def parse_and_pack() -> int:
        with collector_paused():
            [raw] = decode_json(body)
            parsed = parse(raw)
            blobs = [series.pack() for series, _ in parsed.days.values()]
        return len(blobs)

    parse_and_pack()  # warm: imports and the timestamp cache
    ms, _ = _median_ms(parse_and_pack, runs=9)
    rows = (END - FIRST).days * 96
    print(
        f"(c) ingest parse+pack: {rows / (ms / 1000):,.0f} readings/s (median of 9 runs over {(END - FIRST).days} days, {ms:.0f} ms)"
    )


def _render() -> None:
    """Drawn in this process, and through the rendering function's path (the request encoded,
    decoded and answered as the API's invocation does it; AWS adds the network round trip)."""
    from chalicelib.domain.vocabulary import Resolution
    from chalicelib.render.charts import volumes_png
    from chalicelib.render.requests import Header, VolumesChart, VolumesReport
    from chalicelib.render.volumes import volumes_chart as _chart
    from chalicelib.render.volumes import volumes_csv as _csv
    from chalicelib.services import meterdata
    from functions.render import draw

    def volumes(first: date, end: date, resolution: Resolution) -> Any:
        return meterdata.volumes("admin", EDV, EAN, first, end, resolution, datetime.now(UTC))

    week = volumes(date(2024, 1, 8), date(2024, 1, 15), Resolution.QUARTER_HOUR)
    year = volumes(FIRST, END, Resolution.DAY)
    year_fine = volumes(END - timedelta(days=365), END, Resolution.QUARTER_HOUR)
    started = time.perf_counter()
    chart = _chart(week, "kWh")
    draw(chart)
    first_png = (time.perf_counter() - started) * 1000

    def chart_ms(shown: VolumesChart, runs: int) -> tuple[float, float]:
        """Drawing, and what the path to the rendering function adds to it."""
        drawn, png = _median_ms(
            lambda: volumes_png(shown.channels, shown.unit, shown.title, shown.fine), runs
        )
        return drawn, _path_ms(shown, png)

    png_ms, png_path_ms = chart_ms(chart, runs=5)
    year_ms, year_path_ms = chart_ms(_chart(year, "kWh"), runs=3)
    fine_ms, fine_path_ms = chart_ms(_chart(year_fine, "kWh"), runs=3)
    header = Header("Bench", [("Periode", "een week")], "kWh", "notice", "footer")
    report = VolumesReport(header, chart, week.channels, None, split_tariffs=True, fine=True)
    pdf_ms, pdf = _median_ms(lambda: draw(report), runs=5)
    pdf_path_ms = _path_ms(report, pdf)
    csv_ms, _ = _median_ms(lambda: _csv(week), runs=5)
    print(
        f"(d) PNG, a week of quarter-hours: {png_ms:.0f} ms ({first_png:.0f} ms the first time, "
        f"importing matplotlib); {(END - FIRST).days} days as days: {year_ms:.0f} ms; "
        f"a year of quarter-hours: {fine_ms:.0f} ms"
    )
    print(
        f"    PDF (chart and 672-row table): {pdf_ms:.0f} ms, {len(pdf) / 1000:.0f} kB; "
        f"CSV of the week {csv_ms:.0f} ms"
    )
    print(
        "    the path to the rendering function adds (encode, invoke's JSON, decode, answer): "
        f"PNG week {png_path_ms:.1f} ms, days {year_path_ms:.1f} ms, year of quarter-hours "
        f"{fine_path_ms:.1f} ms; PDF {pdf_path_ms:.1f} ms, plus AWS's round trip"
    )


def _path_ms(drawing: Any, body: bytes) -> float:
    """What travelling to the rendering function and back costs beyond drawing: the request
    packed and read back, the answer encoded and read back, through JSON as invoke.py sends it."""
    from chalicelib.render import requests

    def travel() -> bytes:
        event = orjson.loads(orjson.dumps(requests.to_event(drawing)))
        answer = requests.to_answer(requests.from_event(event), body)
        return requests.from_answer(orjson.loads(orjson.dumps(answer)))

    ms, _ = _median_ms(travel, runs=5)
    return ms


def run(quick: bool = False) -> None:
    global END, RUNS
    if quick:
        END, RUNS = FIRST + timedelta(days=14), 2
    with emulated_aws():
        from tests.support.counting import dynamodb_read_volume

        _setup()
        _serve_json()  # warm
        with dynamodb_read_volume() as volume:
            ms, in_emulator, body = _median_split(_serve_json)
        from chalice.test import Client

        from app import app

        client = Client(app, stage_name="local")
        from chalicelib.services import dev_issuer

        token, _ = dev_issuer.mint("admin", "Bench", [], datetime.now(UTC))
        path = f"/v1/organisations/{EDV}/access-points/{EAN}/volumes?from={FIRST}&to={END}&resolution=quarter_hour"
        headers = {"Authorization": f"Bearer {token}", "Accept-Encoding": "gzip"}
        http_ms, http_emulated, response = _median_split(
            lambda: client.http.get(path, headers=headers)
        )
        print(
            f"(a) {(END - FIRST).days} days of quarter-hours, both channels, as JSON: median {ms:.0f} ms over {RUNS} runs "
            f"({len(body) / 1e6:.1f} MB JSON, {(END - FIRST).days * 96 * 2:,} points); {volume['items'] // RUNS} items, "
            f"{volume['bytes'] // RUNS / 1e3:.0f} kB read from DynamoDB per request"
        )
        print(
            f"    of which in DynamoDB calls (moto emulating them in this process): "
            f"{in_emulator:.0f} ms; the service's own work: {ms - in_emulator:.0f} ms (goal: at most 25 ms)"
        )
        print(
            f"    through the HTTP handler with gzip: median {http_ms:.0f} ms "
            f"({http_ms - http_emulated:.0f} ms own work), {len(response.body) / 1e6:.2f} MB on the wire"
        )
        _machine_api(client)
        _ingest_throughput()
        _render()
        _naive(ms)


if __name__ == "__main__":
    run()
