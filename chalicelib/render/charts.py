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
from ..domain.volumes import ChannelSeries

OFFTAKE_COLOUR, INJECTION_COLOUR, MISSING_COLOUR = "#7a2e8c", "#f0a500", "#bbbbbb"
LABELS = {"offtake": "Afname", "injection": "Injectie"}
BARS_UP_TO = 62


def _pyplot() -> Any:
    # Lambda's file system is read-only but for /tmp; matplotlib wants a writable config dir.
    os.environ.setdefault("MPLCONFIGDIR", str(Path(tempfile.gettempdir()) / "matplotlib"))
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def volumes_png(
    channels: dict[str, ChannelSeries], unit: str, title: str, fine: bool, scale: float = 0.001
) -> bytes:
    """Offtake above the axis, injection below it; missing points are left out, not drawn as 0."""
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(10, 4), dpi=100)
    try:
        for channel, series in channels.items():
            sign = -1 if channel == "injection" else 1
            colour = INJECTION_COLOUR if channel == "injection" else OFFTAKE_COLOUR
            starts = [datetime.fromisoformat(start) for start in series.starts]
            values = [
                sign * value * scale if quality != Quality.MISSING else float("nan")
                for value, quality in zip(series.values, series.qualities, strict=True)
            ]
            ends = [datetime.fromisoformat(end) for end in series.ends]
            if fine or len(starts) > BARS_UP_TO:
                # One artist for all points: thousands of bars would take seconds to draw.
                axes.stairs(
                    values,
                    [*starts, ends[-1]],
                    color=colour,
                    fill=not fine,
                    linewidth=0.8,
                    label=LABELS[channel],
                )
            else:
                widths = [
                    (end - start).total_seconds() / 86400 * 0.8
                    for start, end in zip(starts, ends, strict=True)
                ]
                axes.bar(
                    starts, values, width=widths, align="edge", color=colour, label=LABELS[channel]
                )
        axes.xaxis_date(tz=BRUSSELS)  # the local clock, as on the meter's own page
        axes.axhline(0, color="#333333", linewidth=0.6)
        axes.set_ylabel(unit)
        axes.set_title(title, fontsize=11)
        axes.legend(loc="upper right", fontsize=8)
        axes.grid(axis="y", color="#e5e5e5")
        figure.autofmt_xdate()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", bbox_inches="tight")
        return buffer.getvalue()
    finally:
        plt.close(figure)
