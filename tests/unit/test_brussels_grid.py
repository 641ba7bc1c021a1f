from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.brussels import (
    BRUSSELS,
    GAS_DAY_HOUR,
    brussels_date,
    slot_bounds_iso,
    slot_count,
    slot_of,
    slot_start,
)

SPRING_FORWARD = date(2025, 3, 30)  # 02:00 -> 03:00
FALL_BACK = date(2025, 10, 26)  # 03:00 -> 02:00


@pytest.mark.parametrize(
    ("day", "quarter_hours", "hours"),
    [(SPRING_FORWARD, 92, 23), (FALL_BACK, 100, 25), (date(2025, 6, 1), 96, 24)],
)
def test_a_brussels_day_has_92_96_or_100_quarter_hours(
    day: date, quarter_hours: int, hours: int
) -> None:
    assert slot_count(day, 15) == quarter_hours
    assert slot_count(day, 60) == hours
    assert len(slot_bounds_iso(day, 15)) == quarter_hours + 1


@pytest.mark.parametrize(
    ("day", "minutes"),
    [(SPRING_FORWARD, 15), (FALL_BACK, 15), (SPRING_FORWARD, 60), (FALL_BACK, 60)],
)
def test_slots_round_trip_on_daylight_saving_days(day: date, minutes: int) -> None:
    starts = [slot_start(day, index, minutes) for index in range(slot_count(day, minutes))]
    assert [slot_of(start, minutes) for start in starts] == [(day, i) for i in range(len(starts))]
    assert len(set(starts)) == len(starts)
    assert all(b - a == timedelta(minutes=minutes) for a, b in itertools.pairwise(starts))


def test_spring_forward_skips_the_local_hour_from_two_to_three() -> None:
    local = [slot_start(SPRING_FORWARD, i, 15).astimezone(BRUSSELS) for i in (7, 8)]
    assert [t.isoformat() for t in local] == [
        "2025-03-30T01:45:00+01:00",
        "2025-03-30T03:00:00+02:00",
    ]


def test_fall_back_repeats_the_local_hour_from_two_to_three_with_its_offset() -> None:
    local = [slot_start(FALL_BACK, i, 15).astimezone(BRUSSELS).isoformat() for i in (8, 12)]
    assert local == ["2025-10-26T02:00:00+02:00", "2025-10-26T02:00:00+01:00"]
    assert slot_of(datetime.fromisoformat("2025-10-26T02:00:00+01:00"), 15) == (FALL_BACK, 12)
    assert slot_of(datetime.fromisoformat("2025-10-26T02:00:00+02:00"), 15) == (FALL_BACK, 8)


def test_the_last_slot_of_a_day_ends_at_the_next_local_midnight() -> None:
    bounds = slot_bounds_iso(FALL_BACK, 15)
    assert bounds[0] == "2025-10-26T00:00:00+02:00"
    assert bounds[-1] == "2025-10-27T00:00:00+01:00"
    with pytest.raises(ValueError):
        slot_start(FALL_BACK, 100, 15)


def test_an_instant_off_the_grid_is_refused() -> None:
    with pytest.raises(ValueError):
        slot_of(datetime(2025, 1, 1, 10, 7, tzinfo=UTC), 15)
    with pytest.raises(ValueError):
        brussels_date(datetime(2025, 1, 1))  # no offset: which Brussels date is that?


@given(st.dates(date(2000, 1, 1), date(2100, 12, 31)), st.data())
def test_any_slot_round_trips(day: date, data: st.DataObject) -> None:
    for minutes in (15, 60):
        index = data.draw(st.integers(0, slot_count(day, minutes) - 1))
        assert slot_of(slot_start(day, index, minutes), minutes) == (day, index)


@given(st.datetimes(datetime(2000, 1, 1), datetime(2100, 1, 1)))
def test_any_aligned_instant_round_trips_and_belongs_to_its_brussels_date(naive: datetime) -> None:
    instant = naive.replace(minute=naive.minute // 15 * 15, second=0, microsecond=0, tzinfo=UTC)
    day, index = slot_of(instant, 15)
    assert slot_start(day, index, 15) == instant
    assert day == instant.astimezone(BRUSSELS).date()


@pytest.mark.parametrize(
    ("gas_day", "hours", "first", "last_end"),
    [
        (date(2025, 3, 29), 23, "2025-03-29T06:00:00+01:00", "2025-03-30T06:00:00+02:00"),
        (date(2025, 10, 25), 25, "2025-10-25T06:00:00+02:00", "2025-10-26T06:00:00+01:00"),
        (date(2025, 3, 30), 24, "2025-03-30T06:00:00+02:00", "2025-03-31T06:00:00+02:00"),
    ],
)
def test_a_gas_day_runs_from_six_to_six(
    gas_day: date, hours: int, first: str, last_end: str
) -> None:
    bounds = slot_bounds_iso(gas_day, 60, GAS_DAY_HOUR)
    assert slot_count(gas_day, 60, GAS_DAY_HOUR) == hours == len(bounds) - 1
    assert (bounds[0], bounds[-1]) == (first, last_end)


def test_the_small_hours_belong_to_the_previous_gas_day() -> None:
    five = datetime(2025, 3, 30, 5, 0, tzinfo=BRUSSELS)  # 05:00 summer time, after the change
    assert brussels_date(five, GAS_DAY_HOUR) == date(2025, 3, 29)
    assert slot_of(five.astimezone(UTC), 60, GAS_DAY_HOUR) == (date(2025, 3, 29), 22)
    assert brussels_date(five) == date(2025, 3, 30)
