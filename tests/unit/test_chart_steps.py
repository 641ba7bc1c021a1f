"""A long series is drawn in as many steps as the chart has pixels (render/charts.downsampled):
what a reader must still see at that width survives the grouping."""

from __future__ import annotations

from array import array

from chalicelib.domain.readings import Quality
from chalicelib.domain.volumes import ChannelSeries
from chalicelib.render.charts import STEPS_DRAWN, downsampled


def a_year_of_quarter_hours() -> ChannelSeries:
    count = 366 * 96
    starts = [f"slot-{n}" for n in range(count)]
    return ChannelSeries(
        starts=starts,
        ends=[f"slot-{n + 1}" for n in range(count)],
        values=array("i", [100] * count),
        qualities=array("B", [Quality.VALIDATED] * count),
    )


def test_a_year_is_drawn_in_at_most_as_many_steps_as_pixels_and_covers_the_whole_range() -> None:
    series = a_year_of_quarter_hours()
    shown = downsampled(series, STEPS_DRAWN)
    assert len(shown.starts) <= STEPS_DRAWN
    assert shown.starts[0] == series.starts[0] and shown.ends[-1] == series.ends[-1]
    assert len(shown.values) == len(shown.qualities) == len(shown.starts) == len(shown.ends)


def test_a_peak_an_estimate_and_a_gap_stay_visible() -> None:
    series = a_year_of_quarter_hours()
    series.values[20_000] = 9_999  # one quarter-hour's peak
    series.qualities[5_000] = Quality.ESTIMATED
    gap = range(30_000, 30_400)  # about four days without data
    for index in gap:
        series.values[index], series.qualities[index] = 0, Quality.MISSING
    shown = downsampled(series, STEPS_DRAWN)
    assert max(shown.values) == 9_999
    assert Quality.ESTIMATED in shown.qualities
    missing = [n for n, q in enumerate(shown.qualities) if q == Quality.MISSING]
    assert missing and all(shown.values[n] == 0 for n in missing)
    assert shown.qualities.count(Quality.ESTIMATED) == 1  # one group, not the whole year


def test_a_short_series_is_drawn_as_it_is() -> None:
    series = a_year_of_quarter_hours()
    week = ChannelSeries(
        series.starts[:672], series.ends[:672], series.values[:672], series.qualities[:672]
    )
    assert downsampled(week, STEPS_DRAWN) is week
