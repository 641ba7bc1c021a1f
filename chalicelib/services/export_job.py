"""A history export job, run by the export function (functions/export.py, pyarrow in its bundle):
read through the one entitlement and logged per EAN (R9, R12), written to S3 as one Parquet file,
a gzip CSV per energy in the portal's layout and a manifest. Resumable: each EAN's part is a file
of the job, and the job counts the parts done."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import time
from dataclasses import asdict, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .. import invoke
from ..aws import s3
from ..config import settings
from ..domain import exports as rules
from ..domain.brussels import brussels_date
from ..domain.errors import DomainError
from ..domain.exports import ExportJob, ExportRequest, Served
from ..domain.readings import QUALITY_NAMES, Quality
from ..domain.vocabulary import Energy, Resolution
from ..domain.volumes import FINE_RANGE_DAYS, ChannelSeries
from ..observability import logger
from ..render import history_csv
from ..store import exports as exports_store
from ..store.base import ContendedError
from . import meterdata, webhooks

if TYPE_CHECKING:
    from .meterdata import Volumes

PARQUET = "history.parquet"
MANIFEST = "manifest.json"


def run(job_id: str, now: datetime, stop_by: float | None = None) -> ExportJob | None:
    """Export every EAN of the plan not yet done, then the files. Run twice, or after an
    interruption, it continues where the job stands: each part is written before it counts.
    With `stop_by` (a time.monotonic() deadline: the function's own time limit, less a margin)
    it stops between two EANs and starts the next run of itself, which goes on from there."""
    job = exports_store.get(job_id)
    if job is None or not job.is_open:
        return job
    try:
        job = exports_store.save(rules.started(job, now))
        while (ean := job.next_ean()) is not None:
            if stop_by is not None and time.monotonic() > stop_by:
                job = exports_store.save(rules.restarted(job, now))
                invoke.start("export", {"job": job.id})
                return job
            job = _one(job, ean, now)
        files = _assemble(job)
        job = exports_store.save(rules.finished(job, files, now))
    except ContendedError:
        return exports_store.get(job_id)  # another run of the job got further: it finishes
    except Exception as error:
        # Lambda tries twice more, each continuing where this one stopped; after the last, the
        # job has failed (asked for again, it runs anew).
        logger.exception("export interrupted", extra={"export": job_id})
        latest = exports_store.get(job_id) or job
        if latest.attempts >= rules.MAX_ATTEMPTS:
            exports_store.save(rules.failed(latest, type(error).__name__, now))
        raise
    webhooks.export_ready(job, now)
    return job


def _prefix(job: ExportJob) -> str:
    return f"exports/jobs/{job.id}/run-{job.run}/"


def _part_key(job: ExportJob, index: int, ean: str, suffix: str) -> str:
    return f"{_prefix(job)}parts/{index:05d}-{ean}.{suffix}"


def _one(job: ExportJob, ean: str, now: datetime) -> ExportJob:
    index = job.done
    served, chunks = _read(job, ean, now)
    bucket = settings().exports_bucket
    s3().put_object(Bucket=bucket, Key=_part_key(job, index, ean, "parquet"), Body=_parquet(chunks))
    csv_body = b"".join(history_csv.write(_csv_export(chunk)) for chunk in chunks)
    s3().put_object(Bucket=bucket, Key=_part_key(job, index, ean, "csv"), Body=csv_body)
    meta = {**asdict(served), "energy": chunks[0].point.energy.value if chunks else None}
    s3().put_object(
        Bucket=bucket, Key=_part_key(job, index, ean, "json"), Body=json.dumps(meta).encode()
    )
    return exports_store.save(rules.advanced(job, ean, now))


def _read(job: ExportJob, ean: str, now: datetime) -> tuple[Served, list[Volumes]]:
    """What the entitlement gives the EDV on the EAN, in chunks the volumes read allows, each
    read logged for the customer (R12). An EAN it may not read is skipped with the reason."""
    export = job.request
    try:
        granted, point = meterdata.authorise(None, export.edv, ean, now)
        resolution = export.resolution or _finest(point.energy, granted.fine)
        meterdata.check_resolution(point, granted, resolution)
    except DomainError as refused:
        return Served(ean, None, None, None, None, 0, skipped=refused.code), []
    first = max(export.first or granted.first, granted.first)
    end = min(export.end or brussels_date(now), granted.end, brussels_date(now))
    chunks: list[Volumes] = []
    step = FINE_RANGE_DAYS if resolution.is_fine else 365 * 4  # what one volumes read allows
    while first < end:
        chunk_end = min(first + timedelta(days=step), end)
        volumes = meterdata.volumes(
            None, export.edv, ean, first, chunk_end, resolution, now, "export"
        )
        chunks.append(_only(volumes, export.channels))
        first = chunk_end
    if not chunks:
        return Served(ean, granted.mandate.id, resolution.value, None, None, 0), []
    rows = sum(len(series) for chunk in chunks for series in chunk.channels.values())
    served = Served(
        ean,
        granted.mandate.id,
        resolution.value,
        chunks[0].served_first.isoformat(),
        chunks[-1].served_end.isoformat(),
        rows,
    )
    return served, chunks


def _finest(energy: Energy, fine: bool) -> Resolution:
    if not fine:
        return Resolution.DAY
    return Resolution.HOUR if energy is Energy.GAS else Resolution.QUARTER_HOUR


def _only(volumes: Volumes, channels: tuple[str, ...]) -> Volumes:
    kept = {name: series for name, series in volumes.channels.items() if name in channels}
    return replace(volumes, channels=kept or volumes.channels)


def _parquet(chunks: list[Volumes]) -> bytes:
    """A part's rows, built column by column in Arrow (a year of quarter-hours on two channels is
    70,000 rows: no Python loop per row)."""
    tables = [
        _table(chunk, channel, series)
        for chunk in chunks
        for channel, series in chunk.channels.items()
    ]
    table = pa.concat_tables(tables) if tables else SCHEMA.empty_table()
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue()


def _table(chunk: Volumes, channel: str, series: ChannelSeries) -> Any:
    rows = len(series)
    missing = pc.equal(pa.array(series.qualities, pa.uint8()), int(Quality.MISSING))
    value = pc.if_else(missing, None, pc.divide(pa.array(series.values, pa.float64()), 1000))
    kwh = (
        pc.if_else(missing, None, pc.divide(pa.array(series.kwh_values, pa.float64()), 1000))
        if series.kwh_values is not None
        else value
    )
    names = pa.array([QUALITY_NAMES[Quality(code)] for code in sorted(set(series.qualities))])
    codes = sorted(set(series.qualities))
    status = pc.take(names, pa.array([codes.index(q) for q in series.qualities], pa.int32()))
    columns = {
        "ean": pa.array([chunk.point.ean] * rows, pa.string()),
        "channel": pa.array([channel] * rows, pa.string()),
        "start": pa.array(series.starts).cast(INSTANT),
        "end": pa.array(series.ends).cast(INSTANT),
        "value": value,
        "value_kwh": kwh,
        "unit": pa.array(["m3" if chunk.is_gas else "kWh"] * rows, pa.string()),
        "status": status,
    }
    return pa.table(columns, schema=SCHEMA)


INSTANT = pa.timestamp("ms", tz="UTC")  # what Parquet keeps (it has no seconds unit)
SCHEMA = pa.schema(
    [
        ("ean", pa.string()),
        ("channel", pa.string()),
        ("start", INSTANT),
        ("end", INSTANT),
        ("value", pa.float64()),  # kWh for electricity, m³ for gas; null when missing
        ("value_kwh", pa.float64()),
        ("unit", pa.string()),
        ("status", pa.string()),  # validated | estimated | missing
    ]
)


def _csv_export(chunk: Volumes) -> history_csv.Export:
    return history_csv.Export(
        ean=chunk.point.ean,
        meter_number=chunk.point.meter_number,
        meter_type=chunk.point.meter_type.value,
        energy=chunk.point.energy.value,
        fine=chunk.resolution.is_fine,
        channels=chunk.channels,
        lang="nl",
    )


def _assemble(job: ExportJob) -> dict[str, dict[str, str | int]]:
    """The parts, in plan order, as one Parquet file (a row group per EAN), a gzip CSV per
    energy (one header) and the manifest. The same parts give the same bytes."""
    bucket = settings().exports_bucket
    parquet = io.BytesIO()
    csv_by_energy: dict[str, io.BytesIO] = {}
    served: list[dict[str, Any]] = []
    with pq.ParquetWriter(parquet, SCHEMA, compression="zstd") as writer:
        for index, ean in enumerate(job.plan):

            def part(suffix: str, index: int = index, ean: str = ean) -> bytes:
                key = _part_key(job, index, ean, suffix)
                return bytes(s3().get_object(Bucket=bucket, Key=key)["Body"].read())

            writer.write_table(pq.read_table(io.BytesIO(part("parquet"))))
            meta = json.loads(part("json"))
            energy = meta.pop("energy")
            served.append(meta)
            if energy is not None:
                _append_csv(csv_by_energy.setdefault(energy, io.BytesIO()), part("csv"))
    files: dict[str, bytes] = {PARQUET: parquet.getvalue()}
    for energy, text in sorted(csv_by_energy.items()):
        files[f"history-{energy}.csv.gz"] = gzip.compress(text.getvalue(), mtime=0)
    listed = {name: _describe(body) for name, body in files.items()}
    manifest = {
        "export_id": job.id,
        "run": job.run,
        "request": _request_view(job.request),
        "eans": served,
        "rows": sum(entry["rows"] for entry in served),
        "files": listed,
    }
    files[MANIFEST] = json.dumps(manifest, indent=2, sort_keys=True).encode()
    stored: dict[str, dict[str, str | int]] = {}
    for name, body in files.items():
        key = f"{_prefix(job)}{name}"
        s3().put_object(Bucket=bucket, Key=key, Body=body)
        stored[name] = {"key": key, **_describe(body)}
    return stored


def _append_csv(target: io.BytesIO, body: bytes) -> None:
    """Each part is a whole portal CSV (its header first, for every chunk): one header in all."""
    lines = body.split(b"\r\n")
    header, rows = lines[0], [line for line in lines[1:] if line and line != lines[0]]
    rows = [row for row in rows if not row.startswith(history_csv.BOM.encode())]
    if target.tell() == 0:
        target.write(header + b"\r\n")
    for row in rows:
        target.write(row + b"\r\n")


def _describe(body: bytes) -> dict[str, str | int]:
    return {"bytes": len(body), "sha256": hashlib.sha256(body).hexdigest()}


def _request_view(export: ExportRequest) -> dict[str, Any]:
    return {
        "eans": list(export.eans) if export.eans is not None else "all",
        "resolution": export.resolution.value if export.resolution else "finest",
        "channels": list(export.channels),
        "from": export.first.isoformat() if export.first else None,
        "to": export.end.isoformat() if export.end else None,
    }
