"""Numbers, dates and words of the downloads (PDF report, chart, CSV) in the reader's language,
Dutch, French or English, as the portal's pages show them (web/assets/portal.js: `formatNumber`
is Intl's format for nl-BE, fr-BE or en-GB; `formatDate` dd/mm/yyyy). Phrases are keyed by their
Dutch wording, as the portal's own translations are (docs/decisions/0009), so a report reads like
the screen it came from, in the same language."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from ..domain.brussels import BRUSSELS
from ..domain.vocabulary import MeterChannel

LANGUAGES = ("nl", "fr", "en")

# Every phrase a download prints, by its Dutch wording. A test (tests/unit/test_download_words.py)
# fails on a Dutch phrase without its French and English.
PHRASES: dict[str, tuple[str, str]] = {
    # (French, English)
    "Afname": ("Prélèvement", "Offtake"),
    "Injectie": ("Injection", "Injection"),
    "Geschat (lichter)": ("Estimé (plus clair)", "Estimated (lighter)"),
    "Totalen": ("Totaux", "Totals"),
    "Van": ("Du", "From"),
    "Tot": ("Au", "Until"),
    "T.e.m.": ("Jusqu'au", "Through"),
    "Status": ("Statut", "Status"),
    "gevalideerd": ("validé", "validated"),
    "geschat": ("estimé", "estimated"),
    "ontbreekt": ("manquant", "missing"),
    "per kwartier": ("par quart d'heure", "per quarter-hour"),
    "per uur": ("par heure", "per hour"),
    "per dag": ("par jour", "per day"),
    "per week": ("par semaine", "per week"),
    "per maand": ("par mois", "per month"),
    "per jaar": ("par an", "per year"),
    "Verbruik elektriciteit": ("Consommation d'électricité", "Electricity consumption"),
    "Verbruik gas": ("Consommation de gaz", "Gas consumption"),
    "digitale meter": ("compteur numérique", "digital meter"),
    "Digitale meter": ("Compteur numérique", "Digital meter"),
    "AMR-meter": ("Compteur AMR", "AMR meter"),
    "Energiedienstverlener": ("Prestataire de services énergétiques", "Energy service provider"),
    "Klant": ("Client", "Customer"),
    "Aansluiting": ("Point d'accès", "Connection"),
    "Periode": ("Période", "Period"),
    "Gegevens volledig tot": ("Données complètes jusqu'au", "Data complete until"),
    "Opgevraagd op": ("Demandé le", "Requested on"),
    "in": ("en", "in"),
    "t.e.m.": ("au", "to"),
    "De tabel toont dagtotalen; de grafiek en de CSV-download tonen elk interval.": (
        "Le tableau montre les totaux journaliers ; le graphique et le téléchargement CSV "
        "montrent chaque intervalle.",
        "The table shows daily totals; the chart and the CSV download show every interval.",
    ),
    # domain/volumes.NOTICE
    "Opgelet: deze meetgegevens zijn informatief en sommige zijn pas beschikbaar in de loop van "
    "de komende 72 uur.": (
        "Attention : ces données de mesure sont informatives et certaines ne seront disponibles "
        "qu'au cours des 72 prochaines heures.",
        "Please note: these meter readings are for information, and some only become available "
        "over the next 72 hours.",
    ),
    "dagtarief": ("tarif jour", "day tariff"),
    "nachttarief": ("tarif nuit", "night tariff"),
    "Pagina {page} van {pages}": ("Page {page} sur {pages}", "Page {page} of {pages}"),
}

MONTHS = {
    "nl": [
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ],
    "fr": [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ],
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
}
WEEKDAYS = {
    "nl": ("ma", "di", "wo", "do", "vr", "za", "zo"),
    "fr": ("lun", "mar", "mer", "jeu", "ven", "sam", "dim"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}


@dataclass(frozen=True)
class Words:
    """One language's words and formats."""

    lang: str
    decimal: str = field(init=False)
    thousands: str = field(init=False)

    def __post_init__(self) -> None:
        if self.lang not in LANGUAGES:
            raise ValueError(f"no downloads in {self.lang!r}")
        # As Intl writes them: 1.234,5 (nl-BE), 1 234,5 (fr-BE, a narrow no-break space), 1,234.5.
        separators = {"nl": (",", "."), "fr": (",", "\u202f"), "en": (".", ",")}[self.lang]
        object.__setattr__(self, "decimal", separators[0])
        object.__setattr__(self, "thousands", separators[1])

    def __call__(self, dutch: str) -> str:
        """A phrase in this language, from its Dutch wording."""
        if self.lang == "nl":
            return dutch
        french, english = PHRASES[dutch]
        return french if self.lang == "fr" else english

    def number(self, value: float | None, decimals: int = 3) -> str:
        """1234.5 -> "1.234,500" (nl), "1 234,500" (fr), "1,234.500" (en); nothing -> "–"."""
        if value is None:
            return "–"
        text = f"{value:,.{decimals}f}"  # 1,234.500
        return text.replace(",", "\0").replace(".", self.decimal).replace("\0", self.thousands)

    def day(self, value: date) -> str:
        """A date in words: "3 maart 2025", "3 mars 2025", "3 March 2025"."""
        return f"{value.day} {MONTHS[self.lang][value.month - 1]} {value.year}"

    def period(self, first: date, last: date) -> str:
        """An inclusive period in words: "3 maart 2025 t.e.m. 9 maart 2025"."""
        if first == last:
            return self.day(first)
        return f"{self.day(first)} {self('t.e.m.')} {self.day(last)}"

    def weekday(self, value: datetime) -> str:
        return WEEKDAYS[self.lang][value.weekday()]

    def moment(self, iso: str) -> str:
        """An instant on the local clock with its weekday: "ma 03/03/2025 07:15"."""
        local = datetime.fromisoformat(iso).astimezone(BRUSSELS)
        return f"{self.weekday(local)} {local:%d/%m/%Y %H:%M}"

    def short_date(self, iso: str) -> str:
        local = datetime.fromisoformat(iso).astimezone(BRUSSELS)
        return f"{self.weekday(local)} {local:%d/%m/%Y}"

    def last_day(self, end_iso: str) -> str:
        """The last day of a period that ends (exclusively) at `end_iso`: "zo 09/03/2025"."""
        local = datetime.fromisoformat(end_iso).astimezone(BRUSSELS) - timedelta(hours=12)
        return f"{self.weekday(local)} {local:%d/%m/%Y}"

    def channel(self, channel: str) -> str:
        return self(CHANNELS[channel])

    def status(self, name: str) -> str:
        """validated, estimated, missing: the same word the table, CSV and PDF use."""
        return self(
            {"validated": "gevalideerd", "estimated": "geschat", "missing": "ontbreekt"}[name]
        )

    def resolution(self, name: str) -> str:
        return self(RESOLUTIONS[name])


CHANNELS: dict[str, str] = {MeterChannel.OFFTAKE: "Afname", MeterChannel.INJECTION: "Injectie"}
RESOLUTIONS = {
    "quarter_hour": "per kwartier",
    "hour": "per uur",
    "day": "per dag",
    "week": "per week",
    "month": "per maand",
    "year": "per jaar",
}


def enterprise_number(value: str) -> str:
    return f"{value[:4]}.{value[4:7]}.{value[7:]}"
