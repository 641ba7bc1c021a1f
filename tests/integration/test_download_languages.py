"""Downloads in the reader's language (`lang=nl|fr|en`): the PDF report, the chart's request and
the CSV carry no word of another language, and the CSV read back gives what was written. A
Dutch phrase of render/words.py without its French and English fails here too."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import pypdfium2
import pytest
from pypdf import PdfReader

from chalicelib.render import history_csv
from chalicelib.render.words import MONTHS, PHRASES
from tests.support.http import Http
from tests.support.readings import batch, days_readings
from tests.support.world import World, customer_with_meter, grant, ingest

EDV = "0123456749"
DIGITAL = "541448820000000947"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "pdf"
WEEK = (date(2025, 3, 24), date(2025, 3, 31))  # with the spring clock change (92 quarter-hours)


@pytest.fixture
def world(http: Http) -> World:
    world = World(http)
    world.edv = world.active(EDV, "Zonnig Advies BV")
    karel = customer_with_meter(world, "karel", DIGITAL)
    grant(world, karel, EDV, DIGITAL, period_start="2024-01-01", period_end="2026-01-01")
    ingest(world, batch(DIGITAL, days_readings(*WEEK, value=0.05)))
    ingest(world, batch(DIGITAL, days_readings(*WEEK, value=0.01), channel="injection"))
    return world


def _download(http: Http, world: World, format_: str, lang: str, resolution: str) -> bytes:
    answer = http.get(
        f"/v1/organisations/{EDV}/access-points/{DIGITAL}/volumes?from={WEEK[0]}&to={WEEK[1]}"
        f"&resolution={resolution}&format={format_}&lang={lang}",
        token=world.edv.member,
    )
    assert answer.status == 200, answer.body
    return answer.body


def _foreign_words(lang: str) -> set[str]:
    """Words that mark another language's text: the phrases' words (longer than three letters,
    to leave "gas", "Page" and the like) and the month names, except those this language shares."""
    own = {"nl": 0, "fr": 1, "en": 2}[lang]
    texts: dict[int, list[str]] = {0: [], 1: [], 2: []}
    for dutch, (french, english) in PHRASES.items():
        for index, text in enumerate((dutch, french, english)):
            texts[index].append(text)
    for index, code in enumerate(("nl", "fr", "en")):
        texts[index].extend(MONTHS[code])
        texts[index].extend(history_csv.LAYOUTS[code].columns)

    def words(index: int) -> set[str]:
        return {
            word.casefold() for text in texts[index] for word in re.findall(r"[^\W\d_]{4,}", text)
        }

    mine = words(own)
    return {word for index in (0, 1, 2) if index != own for word in words(index)} - mine


@pytest.mark.parametrize("lang", ["nl", "fr", "en"])
def test_the_pdf_report_speaks_the_readers_language_only(
    http: Http, world: World, lang: str
) -> None:
    body = _download(http, world, "pdf", lang, "quarter_hour")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)  # looked at: test-artifacts/pdf/week-{lang}.png
    pypdfium2.PdfDocument(body)[0].render(scale=1.5).to_pil().save(ARTIFACTS / f"week-{lang}.png")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    found = {word.casefold() for word in re.findall(r"[^\W\d_]{4,}", text)}
    assert not found & _foreign_words(lang), sorted(found & _foreign_words(lang))
    heading = {"nl": "Totalen", "fr": "Totaux", "en": "Totals"}[lang]
    assert heading in text
    assert {"nl": "maart", "fr": "mars", "en": "March"}[lang] in text  # the period in words


@pytest.mark.parametrize("lang", ["nl", "fr", "en"])
def test_the_csv_speaks_the_readers_language_and_reads_back(
    http: Http, world: World, lang: str
) -> None:
    body = _download(http, world, "csv", lang, "quarter_hour")
    text = body.decode("utf-8-sig")
    assert text.split("\r\n", 1)[0] == ";".join(history_csv.LAYOUTS[lang].columns)
    found = {word.casefold() for word in re.findall(r"[^\W\d_]{4,}", text)}
    assert not found & _foreign_words(lang), sorted(found & _foreign_words(lang))
    batches, errors = history_csv.read(body)
    assert errors == []
    offtake = next(b for b in batches if b.channel == "offtake")
    assert len(offtake.starts) == 7 * 96 - 4  # the week, with its 92-quarter-hour Sunday


def test_every_phrase_has_its_translations() -> None:
    for dutch, translations in PHRASES.items():
        assert dutch and all(translations), dutch
