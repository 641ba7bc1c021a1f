"""Mandate-days counted as mandates change (R13), so a month's usage reads a handful of items
whatever the EDV's size. Pure: what a change adds to the counters, and a month's days from them.

A pair (EDV, EAN) counts on the days it held access, once per granularity (`account.billed_days`:
the union of its mandates' days of access). Each span of that union is kept as two events: +1 on
its first day, -1 on its end day, counted per EDV, granularity and day, and per month in total.
The mandates open on a day are the starts up to it less the ends up to it: the month totals before
the month, then its days' own events. A change to a pair's mandates (granted, ended early,
replaced, renewed, expired) takes the old union's events back and adds the new one's.

A pair's mandates follow one another in time, so only the latest span of its mandates that
stopped can still meet a new one: the pair keeps that span per granularity (`Closed`), and the
union before and after a change is that span with the changed mandates' own."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, timedelta

from .account import Span, access_days, union
from .mandates import Mandate
from .vocabulary import Granularity, MandateStatus

# (period, field) → delta; period "D#YYYY-MM-DD" (a day's events) or "M#YYYY-MM" (a month's total),
# field "starts_<granularity>" or "ends_<granularity>".
Deltas = Counter[tuple[str, str]]
# Per granularity, the latest span of days of a pair's mandates that stopped giving access.
Closed = dict[Granularity, Span]


def day_period(day: date) -> str:
    return f"D#{day.isoformat()}"


def month_period(day: date) -> str:
    return f"M#{day.isoformat()[:7]}"


def _events(spans: Iterable[Span], granularity: Granularity) -> Deltas:
    events: Deltas = Counter()
    for span in union(spans):
        for day, kind in ((span[0], "starts"), (span[1], "ends")):
            field = f"{kind}_{granularity.value}"
            events[(day_period(day), field)] += 1
            events[(month_period(day), field)] += 1
    return events


def _spans(mandates: Iterable[Mandate]) -> dict[Granularity, list[Span]]:
    found: dict[Granularity, list[Span]] = {}
    for mandate in mandates:
        span = access_days(mandate)
        if span is not None:
            found.setdefault(mandate.granularity, []).append(span)
    return found


def pair_deltas(
    closed: Closed, before: Iterable[Mandate], after: Iterable[Mandate]
) -> tuple[Deltas, Closed]:
    """What a change to one pair's mandates does to the counters, and the pair's closed spans
    afterwards. `before`: the changed mandates as they were read (new ones absent), `after`: as
    written."""
    after = list(after)
    was, becomes = _spans(before), _spans(after)
    changes: Deltas = Counter()
    for granularity in Granularity:
        kept = [closed[granularity]] if granularity in closed else []
        changes.update(_events(kept + becomes.get(granularity, []), granularity))
        changes.subtract(_events(kept + was.get(granularity, []), granularity))
    stopped = _spans(m for m in after if m.status is not MandateStatus.ACTIVE)
    now_closed = dict(closed)
    for granularity, spans in stopped.items():
        kept = [closed[granularity]] if granularity in closed else []
        now_closed[granularity] = union(kept + spans)[-1]
    return Counter({key: n for key, n in changes.items() if n}), now_closed


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
