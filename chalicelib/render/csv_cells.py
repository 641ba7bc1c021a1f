"""Text cells that a spreadsheet cannot mistake for a formula or a new row (OWASP CSV injection):
a cell that starts with =, +, -, @, a tab or a carriage return gets a leading apostrophe, and a
cell holding the separator, a quote or a line break is quoted with its quotes doubled."""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def text_cell(value: str, separator: str = ";") -> str:
    if value.startswith(FORMULA_STARTS):
        value = "'" + value
    if any(char in value for char in (separator, '"', "\n", "\r")):
        value = '"' + value.replace('"', '""') + '"'
    return value
