"""The operator's bill (issue 34), from what the code is measured to do:
(i) ingest: DynamoDB write and read units per series-day (an EAN's channel, one day of
    quarter-hours), as on-demand DynamoDB charges them (tests/support/counting.capacity_units),
    in daily files of many series; the stored bytes per series-day; the function's own time;
(j) a daily sync: one machine-API read of yesterday per mandate, its units and own time;
(k) the monthly bill of a Flanders-sized deployment at the prices in bench/prices.py, next to
    the naive one-item-per-quarter-hour layout, for the first and third year (storage grows until
    the retention, infrastructure/stages.py, then stays)."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import orjson

from . import prices
from .support import active_edv, emulated_aws, machine_api_headers

EDV = "0123456749"
FIRST = date(2026, 3, 27)  # the days before and after the spring clock change (92 quarter-hours)
SERIES_PER_FILE = 20  # 10 EANs x 2 channels in each day's file (quick: 4 x 2)
DAYS = 7

# A Flanders-sized deployment (issue 34): digital meters, the series they send each day (offtake,
# and injection where there is production), the share under a mandate, and of those the share at
# quarter-hours (the others read days).
METERS = 3_500_000
SERIES_PER_DAY = 4_400_000
MANDATED = 0.05
FINE_SHARE = 0.5
DAYS_PER_MONTH = 30.4
DYNAMODB_MS_PER_REQUEST = 6.0  # a request within the region, which Lambda bills as it waits
FILE_SERIES_IN_PRODUCTION = 10_000  # series in one of the DSO's daily files: one invocation each
INGEST_MEMORY_GB = 1.0  # infrastructure/functions.py
API_MEMORY_GB = 1769 / 1024  # prod's api_memory_mb (infrastructure/stages.py)
ITEM_OVERHEAD = 100  # bytes DynamoDB adds to each stored item and index entry
RETENTION_DAYS = 1096  # prod's readings_days (infrastructure/stages.py)
# The naive layout: one item per quarter-hour and channel, {series, start, value, status}.
NAIVE_ITEM_BYTES = len("series") + 23 + len("start") + 25 + len("value") + 4 + len("status") + 9


def _ean(serial: int) -> str:
    from chalicelib.domain.identifiers import gs1_check_digit

    data = f"54144884{serial:09d}"
    return data + str(gs1_check_digit(data))


def _setup(eans: list[str], now: datetime) -> None:
    from chalicelib.domain.access_points import GridUser
    from chalicelib.domain.vocabulary import Direction, Energy, Granularity, MeterType
    from chalicelib.services import access_points, mandates

    active_edv(EDV, now)
    for serial, ean in enumerate(eans):
        owner = GridUser("person", f"customer-{serial}")
        registration = access_points.Registration(
            Energy.ELECTRICITY, MeterType.DIGITAL, Direction.BOTH, "x", "m", owner, date(2020, 1, 1)
        )
        access_points.register(ean, registration, now)
        request = mandates.GrantRequest(
            EDV, ean, Granularity.QUARTER_HOUR, FIRST, FIRST + timedelta(days=365)
        )
        mandates.grant(owner.id, request, now)


def _day_file(eans: list[str], day: date) -> bytes:
    from chalicelib.domain.brussels import slot_bounds_iso

    starts = slot_bounds_iso(day, 15)[:-1]
    batches = [
        {
            "ean": ean,
            "channel": channel,
            "resolution": "quarter_hour",
            "unit": "kWh",
            "readings": [
                {"start": start, "value": ((n * 37 + serial) % 900) / 1000, "status": "validated"}
                for n, start in enumerate(starts)
            ],
        }
        for serial, ean in enumerate(eans)
        for channel in ("offtake", "injection")
    ]
    return orjson.dumps(batches)


@dataclass
class Measured:
    write_units: float  # per series-day
    read_units: float
    requests: float
    own_ms: float
    stored_bytes: float  # per series-day: items and index entries, with DynamoDB's overhead
    report_units: float  # of the write units, the ingest report's share


def _ingest(eans: list[str], days: int, now: datetime) -> Measured:
    from chalicelib.services import ingest
    from tests.support.counting import capacity_units, dynamodb_requests

    from .meterdata import _time_in_dynamodb

    series_days = 0
    own: list[float] = []
    workers, ingest.WORKERS = ingest.WORKERS, 1  # one at a time: time outside DynamoDB is own work
    with capacity_units() as units, _time_in_dynamodb() as spent, dynamodb_requests() as requests:
        for offset in range(days):
            day = FIRST + timedelta(days=offset)
            body = _day_file(eans, day)
            before, started = spent[0], time.perf_counter()
            report = ingest.ingest(body, "bench", f"cost-{day}", now + timedelta(days=offset))
            own.append((time.perf_counter() - started) * 1000 - (spent[0] - before))
            assert report.status == "ok", report
            series_days += 2 * len(eans)
    ingest.WORKERS = workers
    return Measured(
        write_units=units["write"] / series_days,
        read_units=units["read"] / series_days,
        requests=requests["dynamodb"] / series_days,
        own_ms=statistics.median(own) / (2 * len(eans)),
        stored_bytes=_stored_bytes(eans[0]),
        report_units=units["write edv-local-ingest_reports"] / series_days,
    )


def _stored_bytes(ean: str) -> float:
    """What a series-day occupies: its day item and index entry, and its share of a month item."""
    from chalicelib.store.readings import ReadingItem, series_key
    from tests.support.counting import item_bytes

    connection = ReadingItem._get_connection()
    key = series_key(ean, "offtake")
    day = connection.get_item(key, f"F#{FIRST.isoformat()}")["Item"]
    month = connection.get_item(key, f"M#{FIRST.isoformat()[:7]}")["Item"]
    index_entry = item_bytes({k: day[k] for k in ("series", "key", "updated_at")})
    return (
        (item_bytes(day) + ITEM_OVERHEAD)
        + (index_entry + ITEM_OVERHEAD)
        + (item_bytes(month) + ITEM_OVERHEAD) / 30
    )


def _daily_sync(ean: str, day: date, runs: int) -> Measured:
    """What one EDV call for yesterday's quarter-hours of one EAN costs, token in hand."""
    from chalice.test import Client

    from app import app
    from tests.support.counting import capacity_units, dynamodb_requests

    from .meterdata import _time_in_dynamodb

    headers = machine_api_headers(EDV, "cost")
    path = (
        f"/esco-live/v3/api/mandate/energy?ean={ean}&periodType=readTime"
        f"&granularity=hourly_quarterhourly&from={day}&to={day + timedelta(days=1)}"
    )
    client = Client(app, stage_name="local")
    client.http.get(path, headers=headers)  # warm
    own: list[float] = []
    with capacity_units() as units, _time_in_dynamodb() as spent, dynamodb_requests() as requests:
        for _ in range(runs):
            before, started = spent[0], time.perf_counter()
            answer = client.http.get(path, headers=headers)
            own.append((time.perf_counter() - started) * 1000 - (spent[0] - before))
            assert answer.status_code == 200, answer.body
    return Measured(
        write_units=units["write"] / runs,
        read_units=units["read"] / runs,
        requests=requests["dynamodb"] / runs,
        own_ms=statistics.median(own),
        stored_bytes=0.0,
        report_units=0.0,
    )


def _lambda_usd(billed_ms: float, memory_gb: float, invocations: float) -> float:
    compute = billed_ms / 1000 * memory_gb * prices.LAMBDA_COMPUTE.usd
    return compute + invocations * prices.LAMBDA_REQUESTS.usd / 1e6


def _billed_ms(measured: Measured, workers: int) -> float:
    """Lambda bills the wall time: own work, and the waits on DynamoDB, which `workers` threads
    overlap (services/ingest.WORKERS) but never below the own work."""
    waited = measured.own_ms + measured.requests * DYNAMODB_MS_PER_REQUEST
    return max(measured.own_ms, waited / workers)


def _bill(ingested: Measured, sync: Measured) -> None:
    """A month of the deployment, by part, in year 1 (storage at its mean over the year) and
    year 3 (at the retention)."""
    from chalicelib.services import ingest

    series_days = SERIES_PER_DAY * DAYS_PER_MONTH
    syncs = METERS * MANDATED * DAYS_PER_MONTH
    write = prices.DYNAMODB_WRITE.usd / 1e6
    read = prices.DYNAMODB_READ.usd / 1e6
    # A production file's report: at most 400 KB, over the file's series.
    report_units = 400 / FILE_SERIES_IN_PRODUCTION
    ingest_write_units = ingested.write_units - ingested.report_units + report_units
    ingest_units = series_days * (ingest_write_units * write + ingested.read_units * read)
    ingest_lambda = series_days * _lambda_usd(
        _billed_ms(ingested, ingest.WORKERS), INGEST_MEMORY_GB, 1 / FILE_SERIES_IN_PRODUCTION
    )
    sync_units = sync.read_units * read + sync.write_units * write
    sync_usd = syncs * (
        sync_units
        + prices.API_GATEWAY_REST.usd / 1e6
        + _lambda_usd(_billed_ms(sync, 1), API_MEMORY_GB, 1)
    )

    def storage(days_kept: float, per_series_day: float) -> float:
        return SERIES_PER_DAY * days_kept * per_series_day / 1e9 * prices.DYNAMODB_STORAGE.usd

    year_1 = storage(365 / 2, ingested.stored_bytes)
    year_3 = storage(min(3 * 365 - 365 / 2, RETENTION_DAYS), ingested.stored_bytes)
    steady = storage(RETENTION_DAYS, ingested.stored_bytes)
    naive_bytes = 96 * (NAIVE_ITEM_BYTES + ITEM_OVERHEAD)
    naive_units = series_days * 96 * write
    naive_year_1 = storage(365 / 2, naive_bytes)
    total_1 = ingest_units + ingest_lambda + sync_usd + year_1
    total_3 = ingest_units + ingest_lambda + sync_usd + year_3
    print(
        f"(k) a month, {METERS / 1e6:.1f} M digital meters (files of {FILE_SERIES_IN_PRODUCTION:,} "
        f"series: {ingest_write_units:.2f} write units per series-day) ({SERIES_PER_DAY / 1e6:.1f} M series a "
        f"day), {MANDATED:.0%} mandated and synced daily, readings kept {RETENTION_DAYS} days, "
        "eu-west-1 on-demand prices (bench/prices.py):"
    )
    print(
        f"    a day of ingest: ${(ingest_units + ingest_lambda) / DAYS_PER_MONTH:,.2f} "
        f"(was about $28 at 7.3 write units a series-day); a month:"
    )
    print(
        f"    ingest DynamoDB ${ingest_units:,.0f}, ingest Lambda ${ingest_lambda:,.0f}, daily syncs "
        f"${sync_usd:,.0f}, readings storage ${year_1:,.0f} (year 1, mean) / ${year_3:,.0f} "
        f"(year 3) / ${steady:,.0f} (at the retention, then flat)"
    )
    print(
        f"    total ${total_1:,.0f} a month in year 1 (goal: at most $600), ${total_3:,.0f} in "
        f"year 3; the naive one-item-per-quarter-hour layout: ingest writes alone "
        f"${naive_units:,.0f}, storage ${naive_year_1:,.0f} in year 1"
    )


def run(quick: bool = False) -> None:
    eans = [_ean(serial) for serial in range(4 if quick else SERIES_PER_FILE // 2)]
    days = 3 if quick else DAYS
    with emulated_aws():
        now = datetime.now(UTC)
        _setup(eans, now)
        ingested = _ingest(eans, days, now)
        print(
            f"(i) ingest, {days} daily files of {2 * len(eans)} series (one day of quarter-hours "
            f"each, a 92-quarter-hour day among them): {ingested.write_units:.2f} write units per "
            f"series-day, of which {ingested.write_units - ingested.report_units:.2f} for the "
            f"readings (goal: at most 3) and {ingested.report_units:.2f} the report's share, "
            f"{ingested.read_units:.2f} read units, {ingested.requests:.1f} DynamoDB requests, "
            f"{ingested.own_ms:.2f} ms own work; {ingested.stored_bytes:.0f} bytes stored"
        )
        sync = _daily_sync(eans[0], FIRST + timedelta(days=1), runs=3 if quick else 9)
        print(
            f"(j) daily sync, one EAN's day of quarter-hours through the machine API: "
            f"{sync.read_units:.1f} read units, {sync.write_units:.1f} write units (access log, "
            f"rate windows), {sync.requests:.0f} DynamoDB requests, {sync.own_ms:.1f} ms own work"
        )
        _bill(ingested, sync)
