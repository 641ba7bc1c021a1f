"""Numbers, dates and words in Dutch as the portal's pages show them (web/assets/portal.js:
`formatNumber` is nl-BE's Intl format, `formatDate` dd/mm/yyyy), for the PDF and the charts, so
a printed report reads like the screen it came from."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from ..domain.brussels import BRUSSELS
from ..domain.vocabulary import MeterChannel

MONTHS = (
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
)
DAYS = ("ma", "di", "wo", "do", "vr", "za", "zo")
RESOLUTIONS = {
    "quarter_hour": "per kwartier",
    "hour": "per uur",
    "day": "per dag",
    "week": "per week",
    "month": "per maand",
    "year": "per jaar",
}
STATUSES = {"validated": "gevalideerd", "estimated": "geschat", "missing": "ontbreekt"}
CHANNELS: dict[str, str] = {MeterChannel.OFFTAKE: "Afname", MeterChannel.INJECTION: "Injectie"}


def number(value: float | None, decimals: int = 3) -> str:
    """1234.5 -> "1.234,500", as nl-BE writes it; nothing -> "–"."""
    if value is None:
        return "–"
    text = f"{value:,.{decimals}f}"  # 1,234.500
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def day(value: date) -> str:
    """A date in words: "3 maart 2025"."""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def period(first: date, last: date) -> str:
    """An inclusive period in words, as the portal says it: "3 maart 2025 t.e.m. 9 maart 2025"."""
    if first == last:
        return day(first)
    return f"{day(first)} t.e.m. {day(last)}"


def moment(iso: str) -> str:
    """An instant on the local clock with its weekday: "ma 03/03/2025 07:15"."""
    local = datetime.fromisoformat(iso).astimezone(BRUSSELS)
    return f"{DAYS[local.weekday()]} {local:%d/%m/%Y %H:%M}"


def short_date(iso: str) -> str:
    local = datetime.fromisoformat(iso).astimezone(BRUSSELS)
    return f"{DAYS[local.weekday()]} {local:%d/%m/%Y}"


def last_day(end_iso: str) -> str:
    """The last day of a period that ends (exclusively) at `end_iso`: "zo 09/03/2025"."""
    local = datetime.fromisoformat(end_iso).astimezone(BRUSSELS) - timedelta(hours=12)
    return f"{DAYS[local.weekday()]} {local:%d/%m/%Y}"


def enterprise_number(value: str) -> str:
    return f"{value[:4]}.{value[4:7]}.{value[7:]}"
