"""Charts of volumes (PNG), with matplotlib imported only when a chart is drawn."""

from __future__ import annotations

import io
import os
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from ..domain.brussels import BRUSSELS
from ..domain.readings import Quality
from ..domain.vocabulary import MeterChannel
from ..domain.volumes import ChannelSeries
from .words import Words

# The meter page's colours (web/assets/portal.css: --offtake, --injection, --estimated).
COLOURS: dict[str, str] = {MeterChannel.OFFTAKE: "#7a2e8c", MeterChannel.INJECTION: "#1e6b35"}
ESTIMATED: dict[str, str] = {MeterChannel.OFFTAKE: "#b07cc0", MeterChannel.INJECTION: "#86b996"}
BARS_UP_TO = 62
# The plot is about 850 pixels wide: more steps than that draw nothing more, and a year of
# quarter-hours (35,136) took 5.5 s to draw point by point.
STEPS_DRAWN = 1000


def _pyplot() -> Any:
    # Lambda's file system is read-only but for /tmp; matplotlib wants a writable config dir.
    os.environ.setdefault("MPLCONFIGDIR", str(Path(tempfile.gettempdir()) / "matplotlib"))
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _tick_text(span_days: float, words: Words) -> Any:
    """Ticks on the local clock with the reader's day names: "ma 03/03", and the hour for short
    spans."""
    from matplotlib.dates import num2date
    from matplotlib.ticker import FuncFormatter

    def text(value: float, _: int) -> str:
        local = num2date(value, tz=BRUSSELS)  # type: ignore[no-untyped-call]
        label = f"{words.weekday(local)} {local:%d/%m}"
        return f"{label}\n{local:%H:%M}" if span_days <= 3 else label

    return FuncFormatter(text)


def volumes_png(
    channels: dict[str, ChannelSeries],
    unit: str,
    title: str,
    fine: bool,
    scale: float = 0.001,
    lang: str = "nl",
) -> bytes:
    """Offtake above the axis, injection below it, estimated values paler (as on the screen);
    missing points are left out, not drawn as 0."""
    plt = _pyplot()
    from matplotlib.patches import Patch

    words = Words(lang)
    figure, axes = plt.subplots(figsize=(10, 4), dpi=100)
    try:
        span_days = 1.0
        any_estimated = False
        first = next(iter(channels.values()))
        # The whole range asked for, even where nothing is there yet.
        axes.set_xlim(
            datetime.fromisoformat(first.starts[0]), datetime.fromisoformat(first.ends[-1])
        )
        for channel, shown in channels.items():
            sign = -1 if channel == MeterChannel.INJECTION else 1
            series = downsampled(shown, STEPS_DRAWN)
            starts = [datetime.fromisoformat(start) for start in series.starts]
            ends = [datetime.fromisoformat(end) for end in series.ends]
            span_days = (ends[-1] - starts[0]).total_seconds() / 86400
            values = [
                sign * value * scale if quality != Quality.MISSING else float("nan")
                for value, quality in zip(series.values, series.qualities, strict=True)
            ]
            estimated = [
                value if quality == Quality.ESTIMATED else float("nan")
                for value, quality in zip(values, series.qualities, strict=True)
            ]
            any_estimated = any_estimated or any(q == Quality.ESTIMATED for q in series.qualities)
            if fine or len(starts) > BARS_UP_TO:
                # One artist for all points: thousands of bars would take seconds to draw.
                edges = [*starts, ends[-1]]
                axes.stairs(values, edges, color=COLOURS[channel], fill=True, linewidth=0.6)
                axes.stairs(estimated, edges, color=ESTIMATED[channel], fill=True)
            else:
                widths = [
                    (end - start).total_seconds() / 86400 * 0.8
                    for start, end in zip(starts, ends, strict=True)
                ]
                colours = [
                    ESTIMATED[channel] if quality == Quality.ESTIMATED else COLOURS[channel]
                    for quality in series.qualities
                ]
                axes.bar(starts, values, width=widths, align="edge", color=colours)
        legend = [
            Patch(color=COLOURS[channel], label=words.channel(channel)) for channel in channels
        ]
        if any_estimated:
            legend.append(
                Patch(color=ESTIMATED[MeterChannel.OFFTAKE], label=words("Geschat (lichter)"))
            )
        axes.xaxis_date(tz=BRUSSELS)  # the local clock, as on the meter's own page
        axes.xaxis.set_major_formatter(_tick_text(span_days, words))
        axes.axhline(0, color="#333333", linewidth=0.6)
        axes.set_ylabel(unit)
        axes.set_title(title, fontsize=11, loc="left")
        axes.legend(handles=legend, loc="upper right", fontsize=8)
        axes.grid(color="#e5e5e5")
        axes.set_axisbelow(True)
        axes.yaxis.set_major_formatter(_numbers(words))
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", bbox_inches="tight")
        return buffer.getvalue()
    finally:
        plt.close(figure)


def downsampled(series: ChannelSeries, steps: int) -> ChannelSeries:
    """At most `steps` points: consecutive points grouped, each group drawn as its largest
    value (a peak stays visible), estimated if any of it is, missing only if all of it is. A year
    of quarter-hours is 35,136 points on a plot about 850 pixels wide."""
    count = len(series.starts)
    if count <= steps:
        return series
    size = -(-count // steps)
    values: list[int] = []
    qualities: list[int] = []
    for first in range(0, count, size):
        group = range(first, min(first + size, count))
        present = [series.values[i] for i in group if series.qualities[i] != Quality.MISSING]
        marks = {series.qualities[i] for i in group}
        values.append(max(present) if present else 0)
        if not present:
            qualities.append(Quality.MISSING)
        elif Quality.ESTIMATED in marks:
            qualities.append(Quality.ESTIMATED)
        else:
            qualities.append(Quality.VALIDATED)
    return ChannelSeries(
        starts=series.starts[::size],
        ends=[series.ends[min(first + size, count) - 1] for first in range(0, count, size)],
        values=values,
        qualities=qualities,
    )


def _numbers(words: Words) -> Any:
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda value, _: words.number(value, 2))
