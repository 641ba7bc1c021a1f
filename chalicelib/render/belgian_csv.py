"""CSV as Belgian spreadsheets (Excel with a Belgian locale, LibreOffice) open it without asking:
UTF-8 with a byte-order mark, `;` between cells, CRLF line ends, a decimal comma. And text cells
that a spreadsheet cannot mistake for a formula or a new row (OWASP CSV injection): a cell that
starts with =, +, -, @, a tab or a carriage return gets a leading apostrophe, and a cell holding
the separator, a quote or a line break is quoted with its quotes doubled. One writer for every
download: the history export, the access log, the usage report."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

BOM = "\ufeff"
SEPARATOR = ";"
LINE_END = "\r\n"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def text_cell(value: str, separator: str = SEPARATOR) -> str:
    if value.startswith(FORMULA_STARTS):
        value = "'" + value
    if any(char in value for char in (separator, '"', "\n", "\r")):
        value = '"' + value.replace('"', '""') + '"'
    return value


def number_cell(amount: Decimal | int | float) -> str:
    """A number with a decimal comma."""
    return str(amount).replace(".", ",")


def code_cell(code: str) -> str:
    """A number to keep as written (an EAN, an enterprise number): as a formula of text, so the
    spreadsheet neither drops a leading zero nor writes it in scientific notation."""
    return f'="{code}"'


def document(rows: Iterable[Sequence[str]]) -> bytes:
    """Cells already made (by the functions above) joined into the file's bytes."""
    lines = (SEPARATOR.join(row) for row in rows)
    return (BOM + LINE_END.join(lines) + LINE_END).encode()
