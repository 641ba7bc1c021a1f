"""Monthly usage (R13): mandate-days by granularity, tariff lines, amounts to the cent."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from chalicelib.domain.access_points import GridUser
from chalicelib.domain.account import access_days
from chalicelib.domain.errors import DomainError
from chalicelib.domain.mandates import Mandate, PeriodAdjustment
from chalicelib.domain.tariffs import (
    TariffEntry,
    TariffTable,
    active_spans,
    usage,
    validate,
)
from chalicelib.domain.vocabulary import EndReason, Energy, Granularity, MandateStatus, Scenario
from tests.support.clock import brussels

DAY, HOUR, QUARTER = Granularity.DAY, Granularity.HOUR, Granularity.QUARTER_HOUR


def mandate(
    granularity: Granularity,
    granted: datetime,
    *,
    ended: datetime | None = None,
    valid_until: datetime | None = None,
    status: MandateStatus = MandateStatus.ACTIVE,
    adjustments: tuple[PeriodAdjustment, ...] = (),
    ean: str | None = None,
) -> Mandate:
    """A mandate on an EAN of its own, unless `ean` names a shared one."""
    return Mandate(
        id=f"m-{granted.isoformat()}-{granularity}-{status}",
        ean=ean or f"ean-{granted.isoformat()}-{granularity}",
        edv="0123456749",
        granularity=granularity,
        period_start=date(2024, 1, 1),
        period_end=date(2026, 1, 1),
        granted_at=granted,
        valid_until=valid_until or granted.replace(year=granted.year + 3),
        status=status,
        granted_by="klant",
        grid_user=GridUser("person", "klant"),
        energy=Energy.GAS if granularity is HOUR else Energy.ELECTRICITY,
        end_reason=EndReason.REVOKED_BY_CUSTOMER if ended else None,
        ended_at=ended,
        period_adjustments=adjustments,
    )


def entry(
    start: date, end: date | None, day: str, hour: str, quarter: str, fee: str
) -> TariffEntry:
    return TariffEntry(
        valid_from=start,
        valid_to=end,
        per_ean_day={DAY: Decimal(day), HOUR: Decimal(hour), QUARTER: Decimal(quarter)},
        yearly_fee=Decimal(fee),
        decision=f"VREG {start:%Y-%m}",
    )


TABLE = TariffTable(
    revision=2,
    entries=(
        entry(date(2025, 1, 1), date(2025, 3, 16), "0.0100", "0.0200", "0.0300", "120.00"),
        entry(date(2025, 3, 16), None, "0.0125", "0.0250", "0.0350", "150.00"),
    ),
)


def test_a_month_with_grants_endings_a_truncation_and_a_tariff_change_adds_up() -> None:
    truncation = PeriodAdjustment(
        date(2026, 1, 1),
        date(2025, 3, 10),
        Scenario.MOVE_OUT,
        date(2025, 3, 10),
        brussels(2025, 3, 12, 9, 0),
    )
    mandates = [
        mandate(DAY, brussels(2025, 2, 10, 9, 0)),  # all month: 15 days + 16 days
        mandate(
            DAY, brussels(2025, 2, 11, 9, 0), adjustments=(truncation,)
        ),  # still held: all month
        mandate(QUARTER, brussels(2025, 3, 5, 10, 0), ended=brussels(2025, 3, 20, 8, 0)),  # 5–19
        # 00:30 on 31 March in Brussels is still 30 March in UTC: it counts on the 31st.
        mandate(HOUR, brussels(2025, 3, 31, 0, 30)),
        mandate(DAY, brussels(2025, 3, 10, 9, 0), ended=brussels(2025, 3, 10, 9, 5)),  # 1 day
        mandate(
            QUARTER,
            brussels(2022, 3, 3, 8, 0),
            valid_until=brussels(2025, 3, 3, 8, 0),
            status=MandateStatus.EXPIRED,
        ),  # 1–2 March
    ]
    result = usage("0123456749", "2025-03", mandates, [(date(2024, 6, 1), date(2025, 4, 1))], TABLE)
    assert result.mandate_days == {DAY: 63, HOUR: 1, QUARTER: 17}
    lines = [
        (line.kind, line.granularity, line.quantity, str(line.rate), str(line.amount))
        for line in result.lines
    ]
    assert lines == [
        ("mandate_days", DAY, 31, "0.0100", "0.31"),
        ("mandate_days", QUARTER, 13, "0.0300", "0.39"),
        ("yearly_fee", None, 15, "120.00", "4.93"),  # 120 × 15 / 365
        ("mandate_days", DAY, 32, "0.0125", "0.40"),
        ("mandate_days", HOUR, 1, "0.0250", "0.03"),  # 0.025 rounds half up
        ("mandate_days", QUARTER, 4, "0.0350", "0.14"),
        ("yearly_fee", None, 16, "150.00", "6.58"),
    ]
    assert result.total == Decimal("12.78")
    assert result.total == sum(line.amount for line in result.lines)
    assert result.days_without_tariff == 0


def test_a_mandate_counts_from_its_grant_to_the_day_it_stopped() -> None:
    spring = mandate(DAY, brussels(2025, 3, 30, 1, 30), ended=brussels(2025, 3, 30, 3, 30))
    assert access_days(spring) == (date(2025, 3, 30), date(2025, 3, 31))  # the 23-hour day
    replaced = mandate(DAY, brussels(2025, 10, 25, 23, 0), ended=brussels(2025, 10, 27, 0, 0))
    assert access_days(replaced) == (date(2025, 10, 25), date(2025, 10, 27))


def test_a_pair_counts_each_day_once_per_granularity_and_a_request_never() -> None:
    """Five renewals and five re-grants of one mandate on one day: the pair's day counts once at
    each granularity it was held at; a request and its refusal gave nothing and cost nothing."""
    shared = "541448820000000015"
    first = brussels(2025, 3, 10, 9, 0)
    again = [
        mandate(
            QUARTER if n % 2 else DAY,
            first.replace(minute=n),
            ended=first.replace(minute=n + 1),
            ean=shared,
        )
        for n in range(10)
    ]
    latest = mandate(QUARTER, first.replace(minute=10), ean=shared)  # still held
    asked = mandate(DAY, brussels(2025, 3, 12, 9, 0), status=MandateStatus.REQUESTED, ean=shared)
    refused = mandate(
        DAY,
        brussels(2025, 3, 13, 9, 0),
        ended=brussels(2025, 3, 13, 10, 0),
        status=MandateStatus.REJECTED,
        ean=shared,
    )
    result = usage("0123456749", "2025-03", [*again, latest, asked, refused], [], TABLE)
    assert result.mandate_days == {DAY: 1, HOUR: 0, QUARTER: 22}  # 10–31 March


def test_days_without_a_tariff_are_reported_not_charged() -> None:
    table = TariffTable(1, (entry(date(2025, 3, 16), None, "0.01", "0.02", "0.03", "0"),))
    result = usage("0123456749", "2025-03", [mandate(DAY, brussels(2025, 1, 1, 9, 0))], [], table)
    assert result.days_without_tariff == 15
    assert [(line.quantity, str(line.amount)) for line in result.lines] == [(16, "0.16")]


def test_the_fee_follows_the_edvs_active_days() -> None:
    history = [
        ("requested", brussels(2025, 1, 2, 9, 0)),
        ("active", brussels(2025, 3, 10, 14, 0)),
        ("terminated", brussels(2025, 3, 20, 11, 0)),
    ]
    spans = active_spans(history, date(2025, 4, 1))
    assert spans == [(date(2025, 3, 10), date(2025, 3, 20))]
    result = usage("0123456749", "2025-03", [], spans, TABLE)
    fees = [(line.quantity, str(line.amount)) for line in result.lines if line.kind == "yearly_fee"]
    assert fees == [(6, "1.97"), (4, "1.64")]  # 120×6/365, 150×4/365


def test_overlapping_or_negative_tariffs_are_refused() -> None:
    overlapping = [
        entry(date(2025, 1, 1), None, "0.01", "0.02", "0.03", "0"),
        entry(date(2025, 6, 1), None, "0.01", "0.02", "0.03", "0"),
    ]
    with pytest.raises(DomainError) as refused:
        validate(overlapping)
    assert [e.field for e in refused.value.errors] == ["entries[1].valid_from"]
    with pytest.raises(DomainError) as negative:
        validate([entry(date(2025, 1, 1), date(2024, 1, 1), "-0.01", "0.02", "0.0000001", "0")])
    assert {e.field for e in negative.value.errors} == {
        "entries[0].valid_to",
        "entries[0].per_ean_day.day",
        "entries[0].per_ean_day.quarter_hour",
    }
