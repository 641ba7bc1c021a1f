"""No CSV cell we write can be a formula or break a row (OWASP CSV injection)."""

from __future__ import annotations

import csv
import io

import pytest

from chalicelib.render.belgian_csv import text_cell


@pytest.mark.parametrize(
    "hostile",
    ['=HYPERLINK("http://evil")', "+1+1", "-2", "@SUM(A1)", "\tx", "\rx", 'a;b"c\r\nEVIL;row'],
)
def test_a_hostile_text_stays_one_inert_cell(hostile: str) -> None:
    line = f"before;{text_cell(hostile)};after"
    [row] = list(csv.reader(io.StringIO(line, newline=""), delimiter=";"))
    assert len(row) == 3 and row[0] == "before" and row[2] == "after"
    assert not row[1].startswith(("=", "+", "-", "@", "\t", "\r"))
    assert row[1].lstrip("'") == hostile


def test_plain_text_is_left_as_it_is() -> None:
    assert text_cell("1SAG1100000292") == "1SAG1100000292"
