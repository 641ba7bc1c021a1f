"""The access log as a download (R12): one row per session, in the reader's language, as
Belgian spreadsheets read it (BOM, semicolons; identifiers kept as text)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..domain.brussels import BRUSSELS
from .belgian_csv import code_cell, document, text_cell
from .words import RESOLUTIONS, Words, enterprise_number

if TYPE_CHECKING:
    from datetime import date, datetime

    from ..domain.access_log import AccessSession

HEADINGS = {
    "nl": ("Van", "Tot", "Dienstverlener", "EAN", "Eerste dag", "Laatste dag", "Gegevens",
           "Detail", "Kanaal", "Raadplegingen"),
    "fr": ("De", "À", "Prestataire", "EAN", "Premier jour", "Dernier jour", "Données",
           "Détail", "Canal", "Consultations"),
    "en": ("From", "To", "Service provider", "EAN", "First day", "Last day", "Data",
           "Detail", "Channel", "Reads"),
}  # fmt: skip
WHAT = {
    "nl": {"volumes": "verbruik", "peak_power": "piekvermogen", "energy": "verbruik"},
    "fr": {
        "volumes": "consommation",
        "peak_power": "puissance de pointe",
        "energy": "consommation",
    },
    "en": {"volumes": "volumes", "peak_power": "peak power", "energy": "volumes"},
}
FACE = {
    "nl": {"portal": "portaal", "api": "API", "export": "historiek-export"},
    "fr": {"portal": "portail", "api": "API", "export": "export d'historique"},
    "en": {"portal": "portal", "api": "API", "export": "history export"},
}


# What was read at which resolution, as words: the portal's resolutions and the machine API's
# series (daily, hourly_quarterhourly).
DETAIL = {
    "nl": {"hourly_quarterhourly": "per kwartier of uur", "daily": "per dag"},
    "fr": {"hourly_quarterhourly": "par quart d'heure ou heure", "daily": "par jour"},
    "en": {"hourly_quarterhourly": "per quarter-hour or hour", "daily": "per day"},
}


def _detail(resolutions: tuple[str, ...], lang: str) -> str:
    words = Words(lang)
    names = [name for joined in resolutions for name in joined.split("+")]
    return ", ".join(
        DETAIL[lang].get(name) or (words.resolution(name) if name in RESOLUTIONS else name)
        for name in names
    )


def _moment(instant: datetime) -> str:
    return instant.astimezone(BRUSSELS).strftime("%d/%m/%Y %H:%M")


def _day(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def sessions_csv(sessions: list[AccessSession], lang: str) -> bytes:
    rows = [list(HEADINGS[lang])]
    for session in sessions:
        cells = [
            _moment(session.first_at),
            _moment(session.last_at),
            enterprise_number(session.edv),  # dotted, as people write it: text to a spreadsheet
            code_cell(session.ean),
            _day(session.first_day),
            _day(session.last_day),
            WHAT[lang].get(session.what, text_cell(session.what)),
            text_cell(_detail(session.resolutions, lang)),
            FACE[lang].get(session.face, text_cell(session.face)),
            str(session.reads),
        ]
        rows.append(cells)
    return document(rows)
