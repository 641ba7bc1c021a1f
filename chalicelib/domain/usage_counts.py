"""Mandate-days counted as mandates change (R13), so a month's usage reads a handful of items
whatever the EDV's size. Pure: what a change adds to the counters, and a month's days from them.

A mandate counts on the Brussels dates [first, end) (tariffs.mandate_days). Each span is kept as
two events: +1 on its first day, -1 on its end day, counted per EDV, granularity and day, and per
month in total. The mandates open on a day are the starts up to it less the ends up to it: the
month totals before the month, then its days' own events. A change to a mandate (ended early,
replaced, expired) takes its old span's events back and adds the new ones."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from .mandates import Mandate
from .tariffs import mandate_days
from .vocabulary import Granularity

Span = tuple[date, date]
# (period, field) → delta; period "D#YYYY-MM-DD" (a day's events) or "M#YYYY-MM" (a month's total),
# field "starts_<granularity>" or "ends_<granularity>".
Deltas = Counter[tuple[str, str]]


def day_period(day: date) -> str:
    return f"D#{day.isoformat()}"


def month_period(day: date) -> str:
    return f"M#{day.isoformat()[:7]}"


def span_of(mandate: Mandate | None) -> Span | None:
    return mandate_days(mandate) if mandate is not None else None


def deltas(before: Mandate | None, after: Mandate) -> Deltas:
    """What writing `after` (over `before`, None for a new mandate) does to the counters."""
    changes: Deltas = Counter()
    for mandate, sign in ((before, -1), (after, 1)):
        span = span_of(mandate)
        if mandate is None or span is None:
            continue
        granularity = mandate.granularity.value
        for day, kind in ((span[0], "starts"), (span[1], "ends")):
            field = f"{kind}_{granularity}"
            changes[(day_period(day), field)] += sign
            changes[(month_period(day), field)] += sign
    return Counter({key: n for key, n in changes.items() if n})


def open_days(
    months: dict[str, dict[str, int]],
    days: dict[str, dict[str, int]],
    granularity: Granularity,
    part: Span,
) -> int:
    """Mandate-days of `granularity` on [part), a range within one month: `months` holds the
    month totals of every month before it, `days` the day events of its own month."""
    g = granularity.value
    first, end = part
    before = month_period(first)
    open_now = sum(
        totals.get(f"starts_{g}", 0) - totals.get(f"ends_{g}", 0)
        for period, totals in months.items()
        if period < before
    )
    month_start = first.replace(day=1)
    total = 0
    day = month_start
    while day < end:
        events = days.get(day_period(day), {})
        open_now += events.get(f"starts_{g}", 0) - events.get(f"ends_{g}", 0)
        if day >= first:
            total += open_now
        day += timedelta(days=1)
    return total
