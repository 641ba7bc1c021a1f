from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.errors import DomainError
from chalicelib.domain.identifiers import (
    enterprise_number_check,
    gs1_check_digit,
    is_valid_ean,
    is_valid_enterprise_number,
    parse_ean,
    parse_enterprise_number,
)

digits = st.text(alphabet="0123456789", min_size=17, max_size=17)


def make_ean(data: str) -> str:
    return data + str(gs1_check_digit(data))


@given(digits)
def test_an_ean_with_its_gs1_check_digit_is_valid(data: str) -> None:
    assert is_valid_ean(make_ean(data))


@given(digits, st.integers(0, 17), st.integers(1, 9))
def test_changing_any_one_digit_of_an_ean_is_detected(data: str, position: int, shift: int) -> None:
    ean = make_ean(data)
    changed = ean[:position] + str((int(ean[position]) + shift) % 10) + ean[position + 1 :]
    assert not is_valid_ean(changed)


def test_known_belgian_ean() -> None:
    assert parse_ean("541448820000000015") == "541448820000000015"


@pytest.mark.parametrize(
    "value", ["54144882000000001", "5414488200000000155", "54144882000000001X", "", None, 5414]
)
def test_malformed_eans_are_refused_with_invalid_ean(value: object) -> None:
    with pytest.raises(DomainError) as refused:
        parse_ean(value)
    assert refused.value.code == "invalid_ean"


@given(st.integers(0, 19_999_999))
def test_an_enterprise_number_with_its_mod97_check_is_valid(first: int) -> None:
    first_eight = f"{first:08d}"
    number = first_eight + f"{enterprise_number_check(first_eight):02d}"
    assert is_valid_enterprise_number(number)
    assert parse_enterprise_number(number) == number


@given(st.integers(0, 19_999_999), st.integers(1, 96))
def test_a_wrong_enterprise_number_check_is_refused(first: int, delta: int) -> None:
    first_eight = f"{first:08d}"
    wrong = (enterprise_number_check(first_eight) + delta) % 100
    assert not is_valid_enterprise_number(first_eight + f"{wrong:02d}")


@pytest.mark.parametrize("value", ["0123456748", "123456749", "01234567490", "0123.456.749", ""])
def test_bad_enterprise_numbers_are_refused(value: str) -> None:
    with pytest.raises(DomainError) as refused:
        parse_enterprise_number(value)
    assert refused.value.code == "invalid_enterprise_number"
