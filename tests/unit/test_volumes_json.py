"""The portal's volumes JSON is written as text from the series' arrays (render/volumes.py): held
here to what a dict per point through orjson gives, byte for byte."""

from __future__ import annotations

from array import array
from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.volumes import ChannelSeries
from chalicelib.render import volumes as render


def _point_by_point(series: ChannelSeries) -> bytes:
    names = ("missing", "estimated", "validated")
    points: list[dict[str, Any]] = [
        {
            "start": start,
            "end": end,
            "value": value / 1000 if quality else None,
            "status": names[quality],
        }
        for start, end, value, quality in zip(
            series.starts, series.ends, series.values, series.qualities, strict=True
        )
    ]
    return orjson.dumps(points)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(-(2**31), 2**31 - 1), st.integers(0, 2)), min_size=0, max_size=120
    ),
    st.booleans(),
)
def test_points_are_written_as_dicts_would_be(points: list[tuple[int, int]], packed: bool) -> None:
    starts = [f"2026-03-29T{n // 4 % 24:02d}:{n % 4 * 15:02d}:00+02:00" for n in range(len(points))]
    values: Any = array("i", [v for v, _ in points]) if packed else [v for v, _ in points]
    qualities: Any = array("B", [q for _, q in points]) if packed else [q for _, q in points]
    ends = [*starts[1:], "2026-03-30T00:00:00+02:00"] if starts else []
    series = ChannelSeries(starts, ends, values, qualities)
    written = render._points(series).encode()
    assert written == _point_by_point(series)
