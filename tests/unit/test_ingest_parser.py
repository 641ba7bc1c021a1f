"""The ingest parser: the fast path and the careful path agree, whatever order or format."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.brussels import slot_bounds_iso
from chalicelib.domain.ingest import BatchError, RawBatch
from chalicelib.domain.ingest_json import decode_json
from chalicelib.domain.ingest_parse import parse
from chalicelib.domain.readings import Quality

EAN = "541448820000000015"
DST_DAYS = [date(2025, 3, 30), date(2025, 10, 26), date(2025, 6, 1)]


def raw(
    starts: list[str],
    values: list[float | None],
    statuses: list[str | None],
    resolution: str = "quarter_hour",
) -> RawBatch:
    return RawBatch(EAN, "offtake", resolution, "kWh", starts, values, statuses)


def canonical(day: date, minutes: int = 15) -> list[str]:
    return list(slot_bounds_iso(day, minutes)[:-1])


@pytest.mark.parametrize("day", DST_DAYS)
def test_utc_timestamps_land_on_the_same_slots_as_local_ones(day: date) -> None:
    local = canonical(day)
    utc = [
        datetime.fromisoformat(s).astimezone(UTC).isoformat().replace("+00:00", "Z") for s in local
    ]
    values: list[float | None] = [i / 1000 for i in range(len(local))]
    statuses: list[str | None] = ["validated"] * len(local)
    fast, careful = parse(raw(local, values, statuses)), parse(raw(utc, values, statuses))
    assert fast.errors == careful.errors == []
    assert (
        list(fast.days[day][0].values)
        == list(careful.days[day][0].values)
        == list(range(len(local)))
    )


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(DST_DAYS), st.randoms(use_true_random=False), st.integers(1, 100))
def test_any_subset_in_any_order_is_placed_by_its_start(
    day: date, shuffle: random.Random, keep: int
) -> None:
    starts = canonical(day)
    chosen = shuffle.sample(range(len(starts)), min(keep, len(starts)))
    parsed = parse(
        raw([starts[i] for i in chosen], [i / 1000 for i in chosen], ["estimated"] * len(chosen))
    )
    series, given = parsed.days[day]
    assert parsed.accepted == len(chosen) and parsed.errors == []
    for index in range(len(starts)):
        if index in chosen:
            assert (series.values[index], series.qualities[index], given[index]) == (
                index,
                Quality.ESTIMATED,
                1,
            )
        else:
            assert (series.values[index], series.qualities[index], given[index]) == (
                0,
                Quality.MISSING,
                0,
            )


def test_a_contiguous_run_over_several_days_starts_mid_day() -> None:
    starts = (
        canonical(date(2025, 3, 29))[90:]
        + canonical(date(2025, 3, 30))
        + canonical(date(2025, 3, 31))[:4]
    )
    parsed = parse(raw(starts, [1.0] * len(starts), ["validated"] * len(starts)))
    assert sorted(parsed.days) == [date(2025, 3, 29), date(2025, 3, 30), date(2025, 3, 31)]
    assert sum(parsed.days[date(2025, 3, 29)][1]) == 6
    assert sum(parsed.days[date(2025, 3, 30)][1]) == 92
    assert sum(parsed.days[date(2025, 3, 31)][1]) == 4


def test_values_are_kept_in_exact_thousandths() -> None:
    starts = canonical(date(2025, 1, 1))[:4]
    parsed = parse(raw(starts, [0.1, 0.2, 0.3, 1234.5675], ["validated"] * 4))
    assert list(parsed.days[date(2025, 1, 1)][0].values[:4]) == [100, 200, 300, 1234568]


def test_daily_readings_start_at_brussels_midnight() -> None:
    starts = [
        "2025-03-30",
        "2025-03-31T00:00:00+02:00",
        "2025-04-01T00:00:00+01:00",
        "2025-04-02T01:00:00+02:00",
    ]
    parsed = parse(raw(starts, [5.0, 6.0, 7.0, 8.0], ["validated"] * 4, resolution="day"))
    assert parsed.daily == {
        date(2025, 3, 30): (5000, Quality.VALIDATED),
        date(2025, 3, 31): (6000, Quality.VALIDATED),
    }
    assert [e.row for e in parsed.errors] == [3, 4]


def test_a_bad_status_does_not_sink_the_batch() -> None:
    rows = [{"start": s, "value": 1.0, "status": "validated"} for s in canonical(date(2025, 1, 2))]
    rows[7]["status"] = "probably"
    [batch] = decode_json(
        orjson.dumps(
            {
                "ean": EAN,
                "channel": "offtake",
                "resolution": "quarter_hour",
                "unit": "kWh",
                "readings": rows,
            }
        )
    )
    parsed = parse(batch)
    assert parsed.accepted == 95 and [(e.row, e.field) for e in parsed.errors] == [(8, "status")]


@pytest.mark.parametrize(
    "document",
    [
        b"",
        b"[1, 2]",
        b'{"ean": "x"}',
        b'{"ean": "1", "channel": "sideways", "resolution": "day", "unit": "kWh", "readings": []}',
    ],
)
def test_documents_that_are_no_batch_are_refused_whole(document: bytes) -> None:
    with pytest.raises(BatchError):
        decode_json(document)


def test_a_long_run_takes_the_fast_path_and_agrees_with_the_careful_one() -> None:
    starts: list[str] = []
    day = date(2025, 1, 1)
    while day < date(2025, 2, 1):
        starts += canonical(day)
        day += timedelta(days=1)
    values: list[float | None] = [(i % 13) / 1000 for i in range(len(starts))]
    fast = parse(raw(starts, values, ["validated"] * len(starts)))
    shuffled = list(zip(starts, values, strict=True))
    random.Random(4).shuffle(shuffled)
    careful = parse(
        raw([s for s, _ in shuffled], [v for _, v in shuffled], ["validated"] * len(starts))
    )
    assert {d: list(s.values) for d, (s, _) in fast.days.items()} == {
        d: list(s.values) for d, (s, _) in careful.days.items()
    }
