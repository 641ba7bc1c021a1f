"""Every text the portal shows exists in French and English beside Dutch (web/assets/i18n.js):
the texts the pages' code passes to t() or marks with n(), and the markup marked data-i18n in
the pages and in the EDV's published pages. A translation keeps the Dutch text's {placeholders},
and a table holds no text that no page uses any more."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ASSETS = ROOT / "web" / "assets"
PAGES = [
    *ROOT.joinpath("web").rglob("*.html"),
    *ROOT.joinpath("chalicelib/render/templates").glob("*.html"),
]
CALL = re.compile(r'\b[tn]\(\s*"((?:[^"\\]|\\.)*)"')
MARKED_VALUE = re.compile(r'\sdata-i18n(?:-alt)?="([^"]+)"')
MARKED_TEXT = re.compile(r"<(\w+)\b[^>]*\sdata-i18n(?=[\s>])[^>]*>([^<]*)</\1>")
ENTRY = re.compile(r'^\s*"((?:[^"\\]|\\.)*)":\s*"((?:[^"\\]|\\.)*)",?\s*$')
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _string(literal: str) -> str:
    return str(json.loads(f'"{literal}"'))


def texts_used() -> set[str]:
    used: set[str] = set()
    for script in ASSETS.glob("*.js"):
        if not script.name.startswith("i18n"):
            used |= {_string(text) for text in CALL.findall(script.read_text("utf-8"))}
    for page in PAGES:
        markup = page.read_text("utf-8")
        used |= {html.unescape(value) for value in MARKED_VALUE.findall(markup)}
        used |= {
            html.unescape(text).strip() for _, text in MARKED_TEXT.findall(markup) if text.strip()
        }
    return {text for text in used if text and "$" not in text}


def table(language: str) -> dict[str, str]:
    lines = (ASSETS / f"i18n-{language}.js").read_text("utf-8").splitlines()
    entries = [ENTRY.match(line) for line in lines]
    return {_string(m.group(1)): _string(m.group(2)) for m in entries if m}


def test_the_scan_finds_the_portals_texts() -> None:
    used = texts_used()
    assert {"Mijn mandaten", "Toestemming geven", "Meetgegevens delen met {name}"} <= used
    assert len(used) > 300


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_text_has_a_translation(language: str) -> None:
    translations, used = table(language), texts_used()
    assert not sorted(used - set(translations)), (
        f"without {language}: {sorted(used - set(translations))}"
    )
    assert not sorted(set(translations) - used), (
        f"no longer used: {sorted(set(translations) - used)}"
    )


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_translation_keeps_the_placeholders(language: str) -> None:
    wrong = {
        dutch: text
        for dutch, text in table(language).items()
        if set(PLACEHOLDER.findall(dutch)) != set(PLACEHOLDER.findall(text)) or not text.strip()
    }
    assert wrong == {}


def test_no_page_passes_a_computed_text_to_t() -> None:
    """t(`…${x}`) or t(variable) would dodge the scan: only literal texts and tables of n()."""
    for script in ASSETS.glob("*.js"):
        if script.name.startswith("i18n"):
            continue
        code = script.read_text("utf-8")
        assert not re.findall(r"\bt\(\s*`", code), script.name
