"""Readings batches as JSON: `{ean, channel, resolution, unit, readings: [{start, value,
status}], conversion_factor?}`, one or a list, decoded into `RawBatch`es for `ingest_parse.parse`.

Typed msgspec structs outside the garbage collector's view decode several times faster than dicts:
a year of quarter-hours is ~100,000 objects."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal

import msgspec

from .ingest import BatchError, RawBatch

Status = Literal["validated", "estimated", "missing"]


class Reading(msgspec.Struct, gc=False, forbid_unknown_fields=True):
    start: str
    value: float | None = None
    status: Status | None = None


class LenientReading(msgspec.Struct, gc=False, forbid_unknown_fields=True):
    """For a batch with bad statuses: read them as text, so each row can be reported."""

    start: str
    value: float | None = None
    status: str | None = None


class Batch(msgspec.Struct, gc=False, forbid_unknown_fields=True):
    ean: str
    channel: Literal["offtake", "injection"]
    resolution: Literal["quarter_hour", "hour", "day"]
    unit: str
    readings: list[Reading]
    conversion_factor: float | None = None


class LenientBatch(msgspec.Struct, gc=False, forbid_unknown_fields=True):
    ean: str
    channel: Literal["offtake", "injection"]
    resolution: Literal["quarter_hour", "hour", "day"]
    unit: str
    readings: list[LenientReading]
    conversion_factor: float | None = None


_STRICT = msgspec.json.Decoder(Batch | list[Batch])
_LENIENT = msgspec.json.Decoder(LenientBatch | list[LenientBatch])


@contextmanager
def collector_paused() -> Iterator[None]:
    """Decoding a year of quarter-hours allocates ~100,000 objects and no cycles; the cyclic
    garbage collector would walk them again and again meanwhile."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def decode_json(raw: bytes) -> list[RawBatch]:
    """JSON batches; BatchError when the document is not one."""
    try:
        with collector_paused():
            try:
                decoded: Any = _STRICT.decode(raw)
            except msgspec.ValidationError:
                decoded = _LENIENT.decode(raw)
    except msgspec.ValidationError as error:
        raise BatchError(f"not a readings batch: {error}") from error
    except msgspec.DecodeError as error:
        raise BatchError(f"not valid JSON: {error}") from error
    batches = decoded if isinstance(decoded, list) else [decoded]
    return [
        RawBatch(
            ean=batch.ean,
            channel=batch.channel,
            resolution=batch.resolution,
            unit=batch.unit,
            starts=[reading.start for reading in batch.readings],
            values=[reading.value for reading in batch.readings],
            statuses=[reading.status for reading in batch.readings],
            conversion_factor=batch.conversion_factor,
        )
        for batch in batches
    ]
