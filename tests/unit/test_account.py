"""The one account of a pair's mandates (domain/account.py), rule by rule, without AWS."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from chalicelib.domain.access_points import GridUser
from chalicelib.domain.account import (
    Holding,
    PurgeReason,
    account,
    billed_days,
    concerns,
    duties,
    in_force,
    lost,
    purge_status,
    readable_until,
)
from chalicelib.domain.mandates import Mandate
from chalicelib.domain.vocabulary import EndReason, Energy, Granularity, MandateStatus
from tests.support.clock import brussels

DAY, QUARTER = Granularity.DAY, Granularity.QUARTER_HOUR
KAREL = GridUser("person", "karel")


def mandate(
    name: str,
    granted: datetime,
    *,
    granularity: Granularity = QUARTER,
    period: tuple[date, date] = (date(2024, 1, 1), date(2026, 1, 1)),
    status: MandateStatus = MandateStatus.ACTIVE,
    ended: datetime | None = None,
) -> Mandate:
    return Mandate(
        id=name,
        ean="541448820000000015",
        edv="0123456749",
        granularity=granularity,
        period_start=period[0],
        period_end=period[1],
        granted_at=granted,
        valid_until=granted.replace(year=granted.year + 3),
        status=status,
        granted_by="karel",
        grid_user=KAREL,
        energy=Energy.ELECTRICITY,
        end_reason=EndReason.REVOKED_BY_CUSTOMER if ended else None,
        ended_at=ended,
    )


def test_a_request_or_a_refusal_never_stands_in_for_the_mandate_in_force() -> None:
    active = mandate("active", brussels(2025, 1, 1, 9, 0))
    asked = mandate("asked", brussels(2025, 2, 1, 9, 0), status=MandateStatus.REQUESTED)
    refused = mandate("refused", brussels(2025, 3, 1, 9, 0), status=MandateStatus.REJECTED)
    pair = account([refused, asked, active], brussels(2025, 3, 2, 9, 0))
    assert pair.in_force is active and pair.may_read
    assert pair.pending == (asked,) and pair.answered == (refused,)
    assert pair.holds == Holding(date(2024, 1, 1), date(2026, 1, 1), QUARTER)
    # Without an active one, the latest that gave access is in force, and it gives nothing.
    ended = replace(active, status=MandateStatus.ENDED, ended_at=brussels(2025, 4, 1, 9, 0))
    older = replace(ended, id="older", granted_at=brussels(2024, 6, 1, 9, 0))
    assert in_force([asked, older, ended]) is ended
    stopped = account([asked, older, ended], brussels(2025, 5, 1, 9, 0))
    assert not stopped.may_read and stopped.holds is None and stopped.earlier == (older,)
    assert in_force([asked, refused]) is None


def test_what_a_change_leaves_to_delete() -> None:
    fine = Holding(date(2024, 1, 1), date(2026, 1, 1), QUARTER)
    days = Holding(date(2025, 1, 1), date(2025, 7, 1), DAY)
    until = date(2025, 10, 1)  # nothing later could have been read
    assert lost(fine, fine, until) == []  # a renewal
    assert lost(days, fine, until) == []  # a replacement that keeps more
    assert lost(fine, days, until) == [
        ((date(2024, 1, 1), date(2025, 1, 1)), False),
        ((date(2025, 1, 1), date(2025, 7, 1)), True),  # the days stay, the quarter-hours go
        ((date(2025, 7, 1), date(2025, 10, 1)), False),
    ]
    assert lost(fine, None, until) == [((date(2024, 1, 1), date(2025, 10, 1)), False)]
    assert lost(Holding(date(2026, 1, 1), date(2027, 1, 1), DAY), None, until) == []  # not begun


def test_an_end_on_the_short_day_owes_that_day_too() -> None:
    """Ended at 00:30 on 30 March 2025 (Brussels; still the 29th in UTC): its day was readable."""
    granted = brussels(2025, 1, 1, 9, 0)
    ended = mandate("m", granted, status=MandateStatus.ENDED, ended=brussels(2025, 3, 30, 0, 30))
    assert readable_until(ended) == date(2025, 3, 31)
    [duty] = duties(
        mandate("m", granted),
        None,
        PurgeReason.REVOKED_BY_CUSTOMER,
        readable_until=readable_until(ended),
        since=ended.ended_at or granted,
    )
    assert (duty.first, duty.end, duty.keep) == (date(2024, 1, 1), date(2025, 3, 31), None)
    assert duty.id.startswith("20250329233000-20240101-")  # ordered by when, in UTC
    assert purge_status([duty]) is not None


def test_each_pair_and_day_is_billed_once_per_granularity() -> None:
    morning = brussels(2025, 10, 26, 1, 30)  # the 25-hour day
    first = mandate("a", morning, status=MandateStatus.ENDED, ended=brussels(2025, 10, 26, 2, 0))
    second = replace(first, id="b", granted_at=brussels(2025, 10, 26, 9, 0))
    third = mandate("c", brussels(2025, 10, 26, 10, 0), granularity=DAY)
    asked = mandate("d", brussels(2025, 10, 27, 9, 0), status=MandateStatus.REQUESTED)
    billed = billed_days([first, second, third, asked])
    assert billed[QUARTER] == [(date(2025, 10, 26), date(2025, 10, 27))]
    assert billed[DAY] == [(date(2025, 10, 26), date(2028, 10, 26))]


def test_who_sees_a_mandate() -> None:
    asked = replace(mandate("m", brussels(2025, 1, 1, 9, 0)), granted_by="anna")
    assert concerns(asked, "anna", {GridUser("person", "anna")})
    assert concerns(asked, "karel", {KAREL})
    assert not concerns(asked, "piet", {GridUser("person", "piet")})  # moved in later
