"""Serving volumes as pure functions: periods, hours from quarter-hours, totals that add up."""

from __future__ import annotations

import itertools
from array import array
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.brussels import slot_count
from chalicelib.domain.readings import DaySeries, MonthSeries, Quality
from chalicelib.domain.vocabulary import Resolution
from chalicelib.domain.volumes import coarse_series, fine_series, periods


def full_day(day: date, minutes: int = 15) -> DaySeries:
    count = slot_count(day, minutes)
    return DaySeries(
        day, minutes, array("i", range(1, count + 1)), bytearray([Quality.VALIDATED] * count)
    )


def test_hours_from_quarter_hours_on_the_change_days() -> None:
    for day, hours in ((date(2025, 3, 30), 23), (date(2025, 10, 26), 25)):
        series = fine_series(
            {day: full_day(day)}, day, date(day.year, day.month, day.day + 1), 15, 60
        )
        assert len(series) == hours
        assert series.total == sum(range(1, 4 * hours + 1))
        assert series.values[0] == 1 + 2 + 3 + 4


@given(
    st.dates(date(2020, 1, 1), date(2030, 12, 31)),
    st.integers(1, 800),
    st.sampled_from(["day", "week", "month", "year"]),
)
def test_periods_cover_the_range_exactly(first: date, length: int, resolution: str) -> None:
    from datetime import timedelta

    end = first + timedelta(days=length)
    parts = periods(first, end, Resolution(resolution))
    assert parts[0][0] == first and parts[-1][1] == end
    assert all(a[1] == b[0] for a, b in itertools.pairwise(parts))
    if resolution == "week":
        assert all(start.weekday() == 0 for start, _ in parts[1:])
    if resolution == "month":
        assert all(start.day == 1 for start, _ in parts[1:])


def test_coarse_points_add_up_and_carry_the_worst_status() -> None:
    march = MonthSeries.empty(date(2025, 3, 1))
    for day in (date(2025, 3, 29), date(2025, 3, 30), date(2025, 3, 31)):
        march.set_derived(full_day(day))
    march.derived_quality[28] = Quality.ESTIMATED  # the 29th
    weeks = coarse_series(
        {date(2025, 3, 1): march}, date(2025, 3, 24), date(2025, 4, 7), Resolution.WEEK, True, False
    )
    assert list(weeks.qualities) == [
        Quality.ESTIMATED,
        Quality.ESTIMATED,
    ]  # some days missing
    assert weeks.values[0] == sum(range(1, 97)) + sum(range(1, 93))
    assert weeks.day_parts is not None and weeks.night_parts is not None
    assert [d + n for d, n in zip(weeks.day_parts, weeks.night_parts, strict=True)] == weeks.values
