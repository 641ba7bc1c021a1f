"""R5-R8 as pure rules: validity, periods, granularities, truncation, purge."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain import mandates as rules
from chalicelib.domain.access_points import AccessPoint, GridUser, Tenure, check_configuration
from chalicelib.domain.brussels import BRUSSELS
from chalicelib.domain.errors import DomainError
from chalicelib.domain.vocabulary import (
    Direction,
    EndReason,
    Energy,
    Granularity,
    MandateStatus,
    MeterType,
    RenewalState,
    Scenario,
)

KAREL = GridUser("person", "karel")


def point(energy: Energy = Energy.ELECTRICITY) -> AccessPoint:
    direction = Direction.BOTH if energy is Energy.ELECTRICITY else Direction.OFFTAKE
    return AccessPoint(
        "541448820000000015",
        energy,
        MeterType.DIGITAL,
        direction,
        "x",
        "m",
        (Tenure(KAREL, date(2023, 5, 1)),),
    )


def grant(**overrides: object) -> rules.Mandate:
    arguments: dict[str, object] = {
        "mandate_id": "m1",
        "point": point(),
        "tenure": Tenure(KAREL, date(2023, 5, 1)),
        "edv": "0123456749",
        "granularity": Granularity.QUARTER_HOUR,
        "period_start": date(2024, 1, 1),
        "period_end": date(2025, 1, 1),
        "granted_by": "karel",
        "now": datetime(2025, 6, 1, 10, 0, tzinfo=UTC),
    }
    arguments.update(overrides)
    return rules.grant(**arguments)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("granted", "expected"),
    [
        ("2025-06-01T12:00:00+02:00", "2028-06-01T12:00:00+02:00"),
        ("2024-02-29T09:30:00+01:00", "2027-02-28T09:30:00+01:00"),  # leap day maps to 28 Feb
        ("2025-03-30T03:30:00+02:00", "2028-03-30T03:30:00+02:00"),  # DST day, summer time
        ("2025-10-26T02:30:00+01:00", "2028-10-26T02:30:00+02:00"),  # 2028: still summer time
        ("2025-01-15T23:30:00+01:00", "2028-01-15T23:30:00+01:00"),  # late evening stays that date
    ],
)
def test_valid_until_is_three_calendar_years_on_the_brussels_clock(
    granted: str, expected: str
) -> None:
    until = rules.valid_until(datetime.fromisoformat(granted))
    assert until.astimezone(BRUSSELS).isoformat() == expected


def test_an_active_mandate_expires_at_valid_until_whatever_the_jobs_did() -> None:
    mandate = grant()
    just_before = datetime.fromtimestamp(mandate.valid_until.timestamp() - 1, UTC)
    assert mandate.gives_access_at(just_before)
    assert not mandate.gives_access_at(mandate.valid_until)
    assert mandate.status_at(mandate.valid_until) is MandateStatus.EXPIRED


@pytest.mark.parametrize(
    ("energy", "granularity", "ok"),
    [
        (Energy.ELECTRICITY, Granularity.DAY, True),
        (Energy.ELECTRICITY, Granularity.QUARTER_HOUR, True),
        (Energy.ELECTRICITY, Granularity.HOUR, False),
        (Energy.GAS, Granularity.DAY, True),
        (Energy.GAS, Granularity.HOUR, True),
        (Energy.GAS, Granularity.QUARTER_HOUR, False),
    ],
)
def test_granularity_fits_the_energy(energy: Energy, granularity: Granularity, ok: bool) -> None:
    if ok:
        grant(point=point(energy), granularity=granularity)
    else:
        with pytest.raises(DomainError) as refused:
            grant(point=point(energy), granularity=granularity)
        assert refused.value.code == "invalid_granularity"


def test_the_period_is_half_open_and_starts_with_the_grid_user() -> None:
    with pytest.raises(DomainError) as empty:
        grant(period_start=date(2024, 1, 1), period_end=date(2024, 1, 1))
    assert empty.value.code == "invalid_period"
    with pytest.raises(DomainError) as early:
        grant(period_start=date(2023, 4, 30))
    assert early.value.code == "period_before_grid_user"
    assert grant(period_start=date(2023, 5, 1), period_end=date(2030, 1, 1)).period_end.year == 2030


def test_truncation_sets_the_end_where_the_period_reaches_past_the_effective_date() -> None:
    now = datetime(2025, 6, 1, tzinfo=UTC)
    mandate = grant()
    cut = rules.truncate(mandate, Scenario.MOVE_OUT, date(2024, 7, 1), now)
    assert cut is not None
    assert cut.period_end == date(2024, 7, 1)
    assert cut.status is MandateStatus.ACTIVE
    [adjustment] = cut.period_adjustments
    assert (adjustment.previous_end, adjustment.new_end) == (date(2025, 1, 1), date(2024, 7, 1))
    assert rules.truncate(cut, Scenario.MOVE_OUT, date(2024, 7, 1), now) is None  # idempotent
    assert rules.truncate(mandate, Scenario.MOVE_OUT, date(2025, 3, 1), now) is None  # not past
    assert rules.truncate(mandate, Scenario.SUPPLIER_SWITCH, date(2024, 7, 1), now) is None
    wholly_after = rules.truncate(mandate, Scenario.MOVE_OUT, date(2023, 12, 1), now)
    assert wholly_after is not None
    assert wholly_after.period_end == wholly_after.period_start  # empty: nothing to read


def test_a_purge_is_owed_only_when_reported_on_or_after_the_effective_date() -> None:
    assert rules.purge_from(date(2025, 1, 1), date(2025, 2, 1)) == date(2025, 1, 1)
    assert rules.purge_from(date(2025, 2, 1), date(2025, 2, 1)) == date(2025, 2, 1)
    assert rules.purge_from(date(2025, 3, 1), date(2025, 2, 1)) is None


def test_who_may_end_a_mandate() -> None:
    """The customer who granted it, or the grid user it was granted for; not a later occupant,
    to whom it does not exist."""
    from chalicelib.domain.account import concerns, end_reason_for

    asked = replace(grant(), granted_by="anna")  # a co-occupant asked, Karel approved
    anna = GridUser("person", "anna")
    assert end_reason_for(asked, "anna", {anna}) is EndReason.REVOKED_BY_CUSTOMER
    assert end_reason_for(asked, "karel", {KAREL}) is EndReason.REVOKED_BY_GRID_USER
    newcomer = GridUser("person", "piet")  # grid user of the EAN since a move
    assert not concerns(asked, "piet", {newcomer})
    with pytest.raises(DomainError) as refused:
        end_reason_for(asked, "piet", {newcomer})
    assert refused.value.code == "not_found"


@pytest.mark.parametrize(
    ("energy", "meter_type", "direction", "ok"),
    [
        (Energy.ELECTRICITY, MeterType.DIGITAL, Direction.BOTH, True),
        (Energy.ELECTRICITY, MeterType.DIGITAL, Direction.OFFTAKE, False),
        (Energy.ELECTRICITY, MeterType.AMR, Direction.OFFTAKE, True),
        (Energy.ELECTRICITY, MeterType.AMR, Direction.INJECTION, True),
        (Energy.ELECTRICITY, MeterType.AMR, Direction.BOTH, False),
        (Energy.GAS, MeterType.DIGITAL, Direction.OFFTAKE, True),
        (Energy.GAS, MeterType.AMR, Direction.OFFTAKE, True),
        (Energy.GAS, MeterType.DIGITAL, Direction.BOTH, False),
        (Energy.GAS, MeterType.AMR, Direction.INJECTION, False),
    ],
)
def test_which_meters_exist(
    energy: Energy, meter_type: MeterType, direction: Direction, ok: bool
) -> None:
    if ok:
        check_configuration(energy, meter_type, direction)
    else:
        with pytest.raises(DomainError):
            check_configuration(energy, meter_type, direction)


def test_renewal_is_due_in_the_last_90_days_then_requested_once_the_edv_asks() -> None:
    mandate = grant()  # valid until 2028-06-01 12:00 Brussels
    before = datetime(2028, 3, 1, 12, 0, tzinfo=UTC)  # 92 days before
    assert mandate.renewal_at(before) is None
    with pytest.raises(DomainError) as refused:
        rules.request_renewal(mandate, before)
    assert refused.value.code == "renewal_not_due"
    assert refused.value.extra["renewable_from"] == "2028-03-03T12:00:00+01:00"  # winter time
    due = datetime(2028, 4, 1, tzinfo=UTC)
    asked = rules.request_renewal(mandate, due)
    assert asked is not None and asked.renewal_at(due) is RenewalState.REQUESTED
    assert rules.request_renewal(asked, due) is None  # asking again changes nothing


def test_a_renewal_keeps_the_choices_and_starts_three_new_years() -> None:
    mandate = grant()
    now = datetime(2028, 4, 1, 8, 0, tzinfo=UTC)  # over the spring clock change since the grant
    renewed = rules.renewal(mandate, Tenure(KAREL, date(2023, 5, 1)), "karel", "m2", now)
    assert (renewed.id, renewed.granted_at, renewed.version) == ("m2", now, 0)
    assert (renewed.period_start, renewed.period_end) == (mandate.period_start, mandate.period_end)
    assert renewed.valid_until.isoformat() == "2031-04-01T10:00:00+02:00"
    with pytest.raises(DomainError):  # another grid user now
        rules.renewal(
            mandate, Tenure(GridUser("person", "greet"), date(2027, 1, 1)), "g", "m3", now
        )


def test_expiring_is_announced_once_within_thirty_days() -> None:
    mandate = grant()
    assert rules.announce_expiring(mandate, datetime(2028, 4, 30, tzinfo=UTC)) is None  # 32 days
    announced = rules.announce_expiring(mandate, datetime(2028, 5, 3, tzinfo=UTC))
    assert announced is not None
    assert rules.announce_expiring(announced, datetime(2028, 5, 4, tzinfo=UTC)) is None


STATUS_SETS = [
    None,
    *(frozenset({s}) for s in MandateStatus),
    frozenset({MandateStatus.ENDED, MandateStatus.EXPIRED}),
]


@settings(max_examples=300, deadline=None)
@given(
    stored=st.sampled_from(MandateStatus),
    valid_in_days=st.integers(-400, 1200),
    seen=st.sampled_from(STATUS_SETS),
    renewal=st.sampled_from([None, *RenewalState]),
    expiring_in_days=st.one_of(st.none(), st.integers(-400, 1200)),
    renewal_asked=st.booleans(),
    kind=st.sampled_from([(energy, grain) for energy in Energy for grain in energy.granularities]),
    energy=st.sampled_from([None, *Energy]),
    granularities=st.sampled_from([None, frozenset(), *(frozenset({g}) for g in Granularity)]),
)
def test_the_status_index_stretches_hold_every_mandate_the_filters_select(
    stored: MandateStatus,
    valid_in_days: int,
    seen: frozenset[MandateStatus] | None,
    renewal: RenewalState | None,
    expiring_in_days: int | None,
    renewal_asked: bool,
    kind: tuple[Energy, Granularity],
    energy: Energy | None,
    granularities: frozenset[Granularity] | None,
) -> None:
    """The machine API reads only these stretches of the status index, then checks each mandate:
    so a mandate the filters select must lie in one of them, however it is stored (an active
    mandate past valid_until, not yet expired by the job, is seen as expired), and the
    stretches of another energy or granularity are not read."""
    now = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # the spring clock change in Brussels
    until = now + timedelta(days=valid_in_days)
    mandate = replace(
        grant(),
        status=stored,
        valid_until=until,
        renewal_requested_at=now if renewal_asked else None,
        energy=kind[0],
        granularity=kind[1],
    )
    expiring_by = None if expiring_in_days is None else now + timedelta(days=expiring_in_days)
    selected = (
        (seen is None or mandate.status_at(now) in seen)
        and (renewal is None or mandate.renewal_at(now) is renewal)
        and (expiring_by is None or until <= expiring_by)
        and (energy is None or mandate.energy is energy)
        and (granularities is None or mandate.granularity in granularities)
    )
    found = rules.stretches(seen, renewal, expiring_by, now, energy, granularities)
    if found is None:
        assert seen is None and renewal is None and expiring_by is None
        assert energy is None and granularities is None
        return
    assert all(energy in (None, s.energy) for s in found)
    assert all(granularities is None or s.granularity in granularities for s in found)
    held = any(
        s.status is stored
        and (s.energy, s.granularity) == kind
        and not s.is_empty()
        and (s.after is None or until >= s.after)  # the index reads `after` inclusively
        and (s.until is None or until <= s.until)
        for s in found
    )
    assert held or not selected
