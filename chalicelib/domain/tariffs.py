"""Tariffs and monthly usage (R13): what using the service costs an EDV.

Money is `Decimal`, never float. A tariff entry is valid on Brussels dates [valid_from, valid_to);
it sets, per granularity, an amount per EAN per day of mandate, and a fixed yearly fee that is
charged pro rata for the days the EDV is active. Amounts are rounded to the cent per line
(half up); a total is the sum of its lines, so every invoice adds up to the cent.

A mandate counts on the Brussels dates from the day it was granted up to the day it stopped giving
access (ended, replaced, terminated or expired), that last day excluded, and at least one day; a
request or a refusal never counts, and a pair (EDV, EAN) counts each day once per granularity,
however many of its mandates held it (`account.billed_days`). A market scenario that cuts its
consumption period short does not stop the mandate (R8): the EDV still holds it, so it still
counts. A history export counts each EAN it served, on the Brussels
date it finished, at the entry's `per_exported_ean` (none: exports are not charged).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from .account import billed_days
from .brussels import brussels_date
from .errors import DomainError, FieldError
from .mandates import Mandate
from .vocabulary import Granularity

CENT = Decimal("0.01")
MAX_RATE_DECIMALS = 6
GRANULARITIES = (Granularity.DAY, Granularity.HOUR, Granularity.QUARTER_HOUR)


@dataclass(frozen=True)
class TariffEntry:
    valid_from: date
    valid_to: date | None  # exclusive; None: until a later entry says otherwise
    per_ean_day: dict[Granularity, Decimal]  # EUR per EAN per day of mandate
    yearly_fee: Decimal  # EUR per EDV per year, charged pro rata per active day
    decision: str  # the regulator's approval it rests on
    per_exported_ean: Decimal = Decimal("0")  # EUR per EAN a history export served

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)


@dataclass(frozen=True)
class TariffTable:
    revision: int
    entries: tuple[TariffEntry, ...]
    changed_at: datetime | None = None
    changed_by: str | None = None

    def entry_on(self, day: date) -> TariffEntry | None:
        return next((e for e in self.entries if e.covers(day)), None)


def validate(entries: list[TariffEntry]) -> tuple[TariffEntry, ...]:
    """Sorted, non-overlapping entries with sane amounts, or a 422 naming each problem."""
    problems: list[FieldError] = []
    ordered = sorted(entries, key=lambda e: e.valid_from)
    for index, entry in enumerate(ordered):
        where = f"entries[{index}]"
        if entry.valid_to is not None and entry.valid_to <= entry.valid_from:
            problems.append(FieldError(f"{where}.valid_to", "valid_to must be after valid_from."))
        amounts = {f"per_ean_day.{g.value}": a for g, a in entry.per_ean_day.items()}
        amounts["yearly_fee"] = entry.yearly_fee
        amounts["per_exported_ean"] = entry.per_exported_ean
        for name, amount in amounts.items():
            exponent = amount.as_tuple().exponent
            if amount < 0 or (isinstance(exponent, int) and -exponent > MAX_RATE_DECIMALS):
                problems.append(
                    FieldError(
                        f"{where}.{name}",
                        f"Amounts are ≥ 0 with at most {MAX_RATE_DECIMALS} decimals.",
                    )
                )
        missing = [g.value for g in GRANULARITIES if g not in entry.per_ean_day]
        if missing:
            problems.append(
                FieldError(f"{where}.per_ean_day", f"An amount is needed for {', '.join(missing)}.")
            )
        previous = ordered[index - 1] if index else None
        if previous and (previous.valid_to is None or previous.valid_to > entry.valid_from):
            problems.append(
                FieldError(
                    f"{where}.valid_from", "Entries may not overlap; end the previous one first."
                )
            )
    if problems:
        raise DomainError("validation_error", "The tariff table is invalid.", errors=problems)
    return tuple(ordered)


# Usage ------------------------------------------------------------------------------------------


def month_days(month: str) -> tuple[date, date]:
    """'2025-03' → [2025-03-01, 2025-04-01)."""
    try:
        first = date.fromisoformat(f"{month}-01")
    except ValueError as error:
        raise DomainError(
            "validation_error",
            "month must be YYYY-MM.",
            errors=[FieldError("month", "month must be YYYY-MM.")],
        ) from error
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first, following


@dataclass
class UsageLine:
    kind: str  # "mandate_days", "yearly_fee" or "exported_eans"
    granularity: Granularity | None
    valid_from: date  # the part of the month this line covers
    valid_to: date
    quantity: int  # mandate-days, active days of the EDV for the fee, or EANs exported
    rate: Decimal
    amount: Decimal
    decision: str


@dataclass
class Usage:
    edv: str
    month: str
    mandate_days: dict[Granularity, int]
    lines: list[UsageLine] = field(default_factory=list)
    days_without_tariff: int = 0
    exported_eans: int = 0  # by history exports that finished in the month

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))


def _overlap(a: tuple[date, date], b: tuple[date, date]) -> int:
    return max(0, (min(a[1], b[1]) - max(a[0], b[0])).days)


def _entry_span(entry: TariffEntry, month: tuple[date, date]) -> tuple[date, date]:
    end = month[1] if entry.valid_to is None else min(entry.valid_to, month[1])
    return max(entry.valid_from, month[0]), end


# Mandate-days of a granularity on a range of dates within the month.
MandateDays = Callable[[Granularity, tuple[date, date]], int]


def spans_of(mandates: Iterable[Mandate]) -> MandateDays:
    """Mandate-days from the mandates themselves: each pair's billed days (account.billed_days)."""
    by_pair: dict[tuple[str, str], list[Mandate]] = {}
    for mandate in mandates:
        by_pair.setdefault((mandate.edv, mandate.ean), []).append(mandate)
    spans: dict[Granularity, list[tuple[date, date]]] = {g: [] for g in GRANULARITIES}
    for pair in by_pair.values():
        for granularity, billed in billed_days(pair).items():
            spans[granularity] += billed
    return lambda granularity, part: sum(_overlap(s, part) for s in spans[granularity])


def usage(
    edv: str,
    month: str,
    mandates: Iterable[Mandate] | MandateDays,
    edv_active: list[tuple[date, date]],
    table: TariffTable,
    exported: dict[date, int] | None = None,
) -> Usage:
    """The month's mandate-days by granularity, the EANs its history exports served (`exported`,
    by day), and what they cost, line by tariff period. Mandate-days come from the mandates, or
    from counters kept as mandates change (domain/usage_counts.py): the same figures."""
    span = month_days(month)
    days_of = mandates if callable(mandates) else spans_of(mandates)
    exported = {day: n for day, n in (exported or {}).items() if span[0] <= day < span[1]}
    result = Usage(edv, month, {g: days_of(g, span) for g in GRANULARITIES})
    result.exported_eans = sum(exported.values())
    covered = 0
    for entry in table.entries:
        part = _entry_span(entry, span)
        if part[0] >= part[1]:
            continue
        covered += (part[1] - part[0]).days
        for granularity in GRANULARITIES:
            days = days_of(granularity, part)
            if days:
                rate = entry.per_ean_day[granularity]
                result.lines.append(
                    UsageLine(
                        "mandate_days",
                        granularity,
                        part[0],
                        part[1],
                        days,
                        rate,
                        _cents(rate * days),
                        entry.decision,
                    )
                )
        if entry.yearly_fee:
            days = sum(_overlap(active, part) for active in edv_active)
            if days:
                year_days = 366 if _leap(part[0].year) else 365
                result.lines.append(
                    UsageLine(
                        "yearly_fee",
                        None,
                        part[0],
                        part[1],
                        days,
                        entry.yearly_fee,
                        _cents(entry.yearly_fee * days / year_days),
                        entry.decision,
                    )
                )
        eans = sum(n for day, n in exported.items() if part[0] <= day < part[1])
        if entry.per_exported_ean and eans:
            result.lines.append(
                UsageLine(
                    "exported_eans",
                    None,
                    part[0],
                    part[1],
                    eans,
                    entry.per_exported_ean,
                    _cents(entry.per_exported_ean * eans),
                    entry.decision,
                )
            )
    result.days_without_tariff = (span[1] - span[0]).days - covered
    return result


def active_spans(
    transitions: Iterable[tuple[str, datetime]], until: date
) -> list[tuple[date, date]]:
    """The Brussels dates an EDV was active, from its application's (status, at) history: each
    approval opens a span, termination closes it; one still open runs until `until`."""
    spans: list[tuple[date, date]] = []
    opened: date | None = None
    for status, at in transitions:
        if status == "active" and opened is None:
            opened = brussels_date(at)
        elif status == "terminated" and opened is not None:
            spans.append((opened, brussels_date(at)))
            opened = None
    if opened is not None:
        spans.append((opened, until))
    return spans


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)
