"""(g) A history export of N EANs x one year of quarter-hours, two channels (full: 1,000 EANs;
quick: 5 EANs x 14 days): items read (the day items, and per EAN those of each other table),
bytes written, and the job's own time beside the time spent in AWS calls (moto emulating
DynamoDB and S3 in this process). Target: at most one day item read per EAN, channel and day,
plus a constant per EAN; the job's own work under 60 s. The full size takes ~8 minutes, most of
it moto's (setting up 730,000 day items, then answering for them)."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any
from unittest import mock

from .support import active_edv, emulated_aws

EDV = "0123456749"
FIRST = date(2025, 1, 1)


def _ean(serial: int) -> str:
    from chalicelib.domain.identifiers import gs1_check_digit

    data = f"54144883{serial:09d}"
    return data + str(gs1_check_digit(data))


def _setup(eans: list[str], days: int, now: datetime) -> None:
    """An active EDV, a mandate per EAN (granted as customers do), and a year of packed day
    items per EAN and channel, written straight to the store (ingest would take as long again)."""
    from array import array

    from chalicelib.domain.access_points import GridUser
    from chalicelib.domain.brussels import slot_count
    from chalicelib.domain.readings import DaySeries
    from chalicelib.domain.vocabulary import Direction, Energy, Granularity, MeterType
    from chalicelib.services import access_points, mandates
    from chalicelib.store.readings import DAY, ReadingItem, series_key

    active_edv(EDV, now)
    end = FIRST + timedelta(days=days)
    year = []
    for offset in range(days):
        day = FIRST + timedelta(days=offset)
        slots = slot_count(day, 15, 0)
        values = array("i", [(offset * 7 + slot * 13) % 900 for slot in range(slots)])
        year.append(DaySeries(day, 15, values, bytearray([1] * slots)))
    for serial, ean in enumerate(eans):
        owner = GridUser("person", f"customer-{serial}")
        registration = access_points.Registration(
            Energy.ELECTRICITY, MeterType.DIGITAL, Direction.BOTH, "x", "m", owner, date(2020, 1, 1)
        )
        access_points.register(ean, registration, now)
        request = mandates.GrantRequest(EDV, ean, Granularity.QUARTER_HOUR, FIRST, end)
        mandates.grant(owner.id, request, now)
        for channel in ("offtake", "injection"):
            with ReadingItem.batch_write() as batch:  # a first load: nobody else writes them
                for series in year:
                    key = f"{DAY}{series.day.isoformat()}"
                    item = ReadingItem(series_key(ean, channel), key, blob=series.pack())
                    item.minutes, item.updated_at, item.version = 15, now, 1
                    batch.save(item)


@contextmanager
def _aws_calls() -> Iterator[Counter[str]]:
    """Items read from DynamoDB, bytes put to S3, and microseconds inside AWS calls."""
    import botocore.client

    from tests.support.counting import aws_calls_through

    inner = botocore.client.BaseClient._make_api_call
    tally: Counter[str] = Counter()

    def counted(self: Any, operation: str, params: Any) -> Any:
        started = time.perf_counter()
        try:
            result = inner(self, operation, params)
        finally:
            # Microseconds: milliseconds, cut per call, lose half of one on each.
            tally["aws_us"] += int((time.perf_counter() - started) * 1e6)
        if operation in ("Query", "GetItem"):
            items = result.get("Items") or ([result["Item"]] if result.get("Item") else [])
            tally[f"items {params['TableName']}"] += len(items)
        for table, items in result.get("Responses", {}).items():  # BatchGetItem
            tally[f"items {table}"] += len(items)
        if operation in ("PutObject", "UploadPart"):
            body = params["Body"]
            tally["bytes"] += len(body) if isinstance(body, bytes) else body.getbuffer().nbytes
        return result

    with aws_calls_through(counted):
        yield tally


def run(quick: bool = False, size: tuple[int, int] | None = None) -> None:
    count, days = size or ((5, 14) if quick else (1000, 365))
    with emulated_aws():
        from chalicelib import invoke
        from chalicelib.config import table_name
        from chalicelib.domain.exports import ExportRequest
        from chalicelib.services import export_job, exports

        now = datetime.now(UTC)
        eans = [_ean(serial) for serial in range(count)]
        set_up = time.perf_counter()
        _setup(eans, days, now)
        set_up_s = time.perf_counter() - set_up
        request = ExportRequest(EDV, None, None, ("offtake", "injection"), FIRST, None)
        started = time.perf_counter()
        # The export function is run here, in this process, instead of being started.
        with (
            _aws_calls() as tally,
            mock.patch.object(invoke, "start", lambda function, event: None),
        ):
            job = exports.request(request, "admin", now)
            finished = export_job.run(job.id, now)
        wall_s = time.perf_counter() - started
    assert finished is not None and finished.status.value == "ready"
    read = {
        name.removeprefix(f"items {table_name('')}"): n
        for name, n in tally.items()
        if name.startswith("items ") and n
    }
    days_read = read.pop("readings")
    per_day = days_read / (count * 2 * days)
    others = ", ".join(f"{table} {n / count:.2f}" for table, n in sorted(read.items()))
    aws_s = tally["aws_us"] / 1e6
    own_s = wall_s - aws_s
    print(
        f"(g) export of {count:,} EANs x {days} days of quarter-hours, two channels: "
        f"{days_read:,} day items read ({per_day:.2f} per EAN, channel and day) and "
        f"{sum(read.values()) / count:.2f} other items per EAN ({others}); "
        f"{tally['bytes'] / 1e6:.1f} MB written; {wall_s:.1f} s in all, of which "
        f"{aws_s:.1f} s in AWS calls (moto) and {own_s:.1f} s the job's own work"
        f" (setting up the data: {set_up_s:.0f} s)"
    )
