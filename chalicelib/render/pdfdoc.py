"""A4 PDF documents with fpdf2. matplotlib ships DejaVu, which covers every name an organisation
may carry; we take its font files without importing matplotlib."""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path
from typing import Any


@cache
def dejavu(style: str = "") -> Path:
    """DejaVuSans.ttf, or DejaVuSans-Bold.ttf with style="-Bold"."""
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("matplotlib (which carries the DejaVu fonts) is not installed")
    fonts = Path(spec.submodule_search_locations[0]) / "mpl-data" / "fonts" / "ttf"
    return fonts / f"DejaVuSans{style}.ttf"


def new_document(title: str, footer: str = "", lang: str = "nl") -> Any:
    """An A4 fpdf2 document with DejaVu as `dejavu` (regular and bold), one page begun; every
    page ends with `footer` and "Pagina n van m" in the reader's language."""
    from .words import Words

    numbering = Words(lang)("Pagina {page} van {pages}")
    from fpdf import FPDF

    class Document(FPDF):
        def footer(self) -> None:
            self.set_y(-13)
            self.set_font("dejavu", "", 7.5)
            self.set_text_color(89, 89, 89)
            self.cell(0, 5, footer, align="L")
            self.set_x(self.l_margin)
            self.cell(0, 5, numbering.format(page=self.page_no(), pages="{nb}"), align="R")
            self.set_text_color(0, 0, 0)

    pdf = Document(format="A4")
    pdf.add_font("dejavu", "", str(dejavu()))
    pdf.add_font("dejavu", "B", str(dejavu("-Bold")))
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.set_margins(20, 18, 20)
    pdf.set_title(title)
    pdf.set_creator("EDV platform")
    pdf.alias_nb_pages()
    pdf.add_page()
    return pdf


def paragraph(
    pdf: Any, text: str, *, size: float = 10, bold: bool = False, line: float = 5.5
) -> None:
    """Text across the page width, ragged right (fpdf2 justifies by default); the next one starts
    below it at the left margin."""
    pdf.set_font("dejavu", "B" if bold else "", size)
    pdf.multi_cell(0, line, text, new_x="LMARGIN", new_y="NEXT", align="L")
