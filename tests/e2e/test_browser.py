"""The portal in a real browser (the machine's Chromium, headless, driven by Playwright): a customer
follows the demo stappenplan and grants a mandate; the EDV finds the meter, switches views and
downloads a CSV. Screenshots of every page go to test-artifacts/browser/."""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Browser, FilePayload, Page, expect

from chalicelib.domain.brussels import BRUSSELS
from tests.e2e.browsing import (
    GREET_GAS,
    KAREL,
    UNLABELLED,
    WARMTE_COACH,
    ZONNIG,
    log_in_as,
    snap,
)
from tests.e2e.conftest import RunningStack

pytestmark = pytest.mark.e2e


def test_a_customer_grants_and_the_edv_reads(page: Page, local_stack: RunningStack) -> None:
    base = local_stack.base_url
    page.goto(f"{base}/verbruik/dienstverlener/{WARMTE_COACH}/stappenplan")
    snap(page, "01-stappenplan")
    page.locator("#consent-link").click()
    expect(page).to_have_url(f"{base}/verbruik/dienstverlener/{WARMTE_COACH}/toegang")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Meetgegevens delen met Warmte Coach VZW"
    )
    # Who asks, what for and how to reach it, before anything is shared.
    purpose = page.get_by_role("region", name="Wie vraagt je gegevens?")
    expect(purpose).to_contain_text("(ondernemingsnummer 0765.432.146)")
    expect(purpose.locator("blockquote")).to_have_text(
        "Warmte Coach VZW: energieadvies op basis van meetgegevens"
    )
    expect(purpose.get_by_role("link", name="info@0765432146.example")).to_be_visible()
    expect(page.get_by_role("button", name="Aanmelden en verder")).to_be_visible()
    snap(page, "02-toegang-aanmelden")
    page.get_by_role("button", name="Aanmelden en verder").click()
    log_in_as(page, "Greet Goossens", snapshot="03-aanmelden")

    # Back on the consent page, logged in: her one EAN is pre-selected.
    expect(page.get_by_label(re.compile(f"EAN {GREET_GAS}"))).to_be_checked()
    page.get_by_label(re.compile("^Uurwaarden")).check()
    page.get_by_label("Van").fill("2025-01-01")
    page.get_by_label("Tot en met").fill("2027-12-31")
    snap(page, "04-toegang-keuze")
    page.get_by_role("button", name="Verder").click()
    expect(page.get_by_text(f"EAN {GREET_GAS}: uurwaarden")).to_be_visible()
    expect(page.get_by_text("01/01/2025 tot en met 31/12/2027")).to_be_visible()
    snap(page, "05-toegang-bevestigen")
    page.get_by_role("button", name="Bevestigen").click()
    expect(page.get_by_role("heading", name="Je toestemming is geregistreerd")).to_be_visible()
    expect(page.get_by_text(re.compile(f"EAN {GREET_GAS}: toestemming gegeven"))).to_be_visible()
    snap(page, "06-toegang-resultaat")

    page.get_by_role("link", name="Naar mijn mandaten").click()
    card = page.locator("#mandates li", has_text="Warmte Coach VZW")
    expect(card).to_contain_text("Uurwaarden")
    expect(card).to_contain_text("01/01/2025 t.e.m. 31/12/2027")
    snap(page, "07-mijn-mandaten")
    page.get_by_role("button", name="Afmelden").click()

    # The EDV: Meters van anderen, search, the meter, Dag/Week/Maand, table, CSV.
    page.goto(f"{base}/verbruik/meters-van-anderen/")
    log_in_as(page, "Wout Wouters")
    expect(page.locator("#meters")).to_contain_text(GREET_GAS)
    page.get_by_label("EAN-code").fill(GREET_GAS[:16])
    page.get_by_label("Energie").select_option("gas")
    expect(page.locator("#meters tbody tr")).to_have_count(2)  # Greet's and the bakery's gas
    snap(page, "08-meters-van-anderen")
    page.get_by_role("link", name=GREET_GAS).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Digitale meter")
    expect(page.locator("#volumes-chart")).to_be_visible()
    expect(
        page.get_by_text("sommige zijn pas beschikbaar in de loop van de komende 72 uur")
    ).to_be_visible()
    snap(page, "09-meter-dag")

    label = page.locator("#period-label")
    page.get_by_role("button", name="Week", exact=True).click()
    expect(label).to_have_text(re.compile(r"^week \d+: \d\d/\d\d/\d{4} - \d\d/\d\d/\d{4}$"))
    expect(page.locator("#volumes-chart rect.bar")).not_to_have_count(0)
    snap(page, "10-meter-week")
    this_week = label.inner_text()
    page.get_by_role("button", name="Vorige periode").click()
    expect(label).not_to_have_text(this_week)
    expect(label).to_have_text(re.compile(r"^week \d+: "))

    page.get_by_role("button", name="Maand", exact=True).click()
    expect(label).to_have_text(re.compile(r"^[a-z]+ 20\d\d$"))
    # The month before the one shown is whole on any day of the year (this one may have begun
    # only days ago).
    this_month = label.inner_text()
    page.get_by_role("button", name="Vorige periode").click()
    expect(label).not_to_have_text(this_month)
    page.get_by_role("button", name="Tabel").click()
    rows = page.locator("#volumes-table tbody tr")
    expect(rows.first).to_contain_text("kWh")
    assert rows.count() >= 28  # every day of a whole month
    snap(page, "11-meter-maand-tabel")

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Historiek downloaden (CSV)").click()
    download = download_info.value
    assert download.suggested_filename.startswith(f"verbruik-{GREET_GAS}-")
    csv = Path(download.path()).read_text(encoding="utf-8-sig")
    header, first_row = csv.splitlines()[:2]
    assert header.startswith("Van (datum);Van (tijdstip);Tot (datum)")
    assert f'="{GREET_GAS}"' in first_row
    assert "m³" in csv

    page.get_by_role("tab", name="Piekvermogen").click()
    expect(page.get_by_text("enkel bij een AMR-meter")).to_be_visible()  # digital gas: none
    snap(page, "12-meter-piekvermogen")
    page.get_by_role("button", name="Afmelden").click()

    # The customer sees who read her data.
    page.goto(f"{base}/verbruik/mandaten/")
    log_in_as(page, "Greet Goossens")
    log = page.locator("#access-log tbody tr", has_text="Warmte Coach VZW")
    expect(log.first).to_contain_text("portaal")
    snap(page, "13-mijn-mandaten-raadplegingen")


@pytest.mark.parametrize(("day", "slots"), [("2025-03-30", 92), ("2025-10-26", 100)])
def test_the_clock_change_days_in_the_table(
    page: Page, local_stack: RunningStack, day: str, slots: int
) -> None:
    page.goto(f"{local_stack.base_url}/verbruik/meter/?org={ZONNIG}&ean={KAREL}&datum={day}")
    log_in_as(page, "Eva Evers")
    expect(page.locator("#period-label")).to_have_text(re.compile(day[8:10] + "/" + day[5:7]))
    page.get_by_role("button", name="Tabel").click()
    rows = page.locator("#volumes-table tbody tr")
    expect(rows).to_have_count(slots)
    times = [text.split(" ", 2)[2] for text in rows.locator("td:first-child").all_inner_texts()]
    # The hour the clocks skip or repeat is told apart by its time zone.
    assert all(re.search(r"\b(CET|CEST|GMT\+\d)\b", t) for t in times[:4])
    assert len(set(times)) == slots
    snap(page, f"14-meter-{day}")


def test_a_day_without_readings_says_so_instead_of_a_zero_total(
    page: Page, local_stack: RunningStack
) -> None:
    """The demo's mandates reach back to 1 January two years ago, its readings to December: a
    June day of then is in the mandate and has no readings, and missing is not zero."""
    day = date(datetime.now(BRUSSELS).year - 2, 6, 3).isoformat()
    page.goto(f"{local_stack.base_url}/verbruik/meter/?org={ZONNIG}&ean={KAREL}&datum={day}")
    log_in_as(page, "Eva Evers")
    expect(page.locator("#period-label")).to_have_text(re.compile(day[8:10] + "/" + day[5:7]))
    expect(page.locator('[data-total="offtake"]')).to_have_text("geen gegevens")
    snap(page, "15-meter-zonder-gegevens")


def test_a_gas_day_is_labelled_by_the_hour_on_round_axis_values(
    page: Page, local_stack: RunningStack
) -> None:
    """A gas day runs 06:00 to 06:00 over two dates: still one day, labelled by the hour."""
    day = (datetime.now(BRUSSELS).date() - timedelta(days=10)).isoformat()
    page.goto(f"{local_stack.base_url}/verbruik/meter/?org={ZONNIG}&ean={GREET_GAS}&datum={day}")
    log_in_as(page, "Eva Evers")
    texts = page.locator("#volumes-chart svg text")
    expect(texts.first).to_contain_text("kWh")  # gas in kWh unless m³ is asked
    shown = texts.all_text_contents()
    assert "06:00" in shown, shown
    top = shown[0].split(" ")[0]  # the scale's top, e.g. "2,5"
    value = float(top.replace(".", "").replace(",", "."))
    mantissa = value / 10 ** math.floor(math.log10(value))
    assert round(mantissa, 6) in (1, 2, 2.5, 5), shown
    snap(page, "16-gasdag")


def test_an_organisation_becomes_edv_through_the_wizard(
    page: Page, local_stack: RunningStack
) -> None:
    page.goto(f"{local_stack.base_url}/verbruik/dienstverlener/")
    log_in_as(page, "Bert Bakker")  # administrator of Bakkerij De Korst, not an EDV
    page.get_by_role("link", name="Dienstverlener worden").click()
    expect(page.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "33")
    snap(page, "20-wizard-wat")
    page.get_by_role("button", name="Ga verder").click()
    expect(page.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "66")
    page.get_by_label("Via zowel de API als het portaal").check()
    page.get_by_label("Contactpersoon").fill("Bert Bakker")
    page.get_by_label("E-mailadres").fill("bert@bakkerij.example")
    page.get_by_label("Welke diensten bied je aan?").fill("Energieadvies voor bakkers")
    assert page.evaluate(UNLABELLED) == []
    snap(page, "21-wizard-kanaal")
    page.get_by_role("button", name="Ga verder").click()
    expect(page.get_by_role("heading", name="Datatoegangscontract tekenen")).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Contract downloaden (PDF)").click()
    contract = Path(download_info.value.path())
    assert contract.read_bytes().startswith(b"%PDF-")
    snap(page, "22-wizard-contract")
    page.get_by_label("Ondertekend contract").set_input_files(
        files=[
            FilePayload(
                name="contract.pdf", mimeType="application/pdf", buffer=contract.read_bytes()
            )
        ]
    )
    page.get_by_role("button", name="Indienen").click()
    expect(page.get_by_role("heading", name="Je aanvraag is ingediend")).to_be_visible()
    page.get_by_role("link", name="Naar het overzicht").click()
    services = page.locator("#services")
    expect(services).to_contain_text("Ondertekend, wacht op goedkeuring")
    expect(services).to_contain_text("Via het portaal en de API")
    snap(page, "23-overzicht-diensten")


@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("Greet Goossens", f"/verbruik/dienstverlener/{WARMTE_COACH}/toegang"),
        ("Karel Claes", "/verbruik/mandaten/"),
        ("Milan Maes", f"/verbruik/meter/?org={ZONNIG}&ean={KAREL}"),
        ("Milan Maes", "/verbruik/meters-van-anderen/"),
    ],
)
def test_pages_fit_a_phone_and_label_every_field(
    browser: Browser, local_stack: RunningStack, who: str, path: str
) -> None:
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="nl-BE", is_mobile=True
    )
    page = context.new_page()
    page.goto(f"{local_stack.base_url}{path}")
    if "toegang" in path:
        page.get_by_role("button", name="Aanmelden en verder").click()
    log_in_as(page, who)
    expect(page.locator("#app .note", has_text="Even laden")).to_have_count(0)
    expect(page.locator("#app")).not_to_be_empty()
    page.wait_for_load_state("networkidle")
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{path} is {overflow}px wider than the phone"
    assert page.evaluate(UNLABELLED) == []
    name = path.split("?")[0].strip("/").replace("/", "-")
    snap(page, f"30-telefoon-{name}")
    context.close()


def edv_initiated_session(stack: RunningStack, return_to: str) -> str:
    """What Zonnig's software does (ESCO API): ask for a consent session, get its identifier."""
    admin = {"Authorization": f"Bearer {stack.token_of('edv-admin-eva')}"}
    base = stack.base_url
    roots = requests.put(
        f"{base}/v1/organisations/{ZONNIG}/edv-application/return-url-roots",
        json={"roots": [return_to]},
        headers=admin,
        timeout=30,
    )
    assert roots.status_code == 200, roots.text
    client = requests.post(
        f"{base}/v1/organisations/{ZONNIG}/api-clients",
        json={"name": "web"},
        headers=admin,
        timeout=30,
    ).json()
    token = requests.post(
        f"{base}/oauth2/token",
        data={
            "grant_type": "client_credentials",
            "client_id": client["client_id"],
            "client_secret": client["client_secret"],
        },
        timeout=30,
    ).json()["access_token"]
    contract = requests.get(
        f"{base}/v1/organisations/{ZONNIG}/edv-application", headers=admin, timeout=30
    ).json()["contract_number"]
    answer = requests.post(
        f"{base}/esco-live/v3/api/shortUrlIdentifier",
        json={
            "dataAccessContractNumber": contract,
            "referenceNumber": "zonnig-offerte-17",
            "flow": "B2C",
            "dataServices": [
                {
                    "dataServiceType": "VH_kwartier_uur",
                    "dataPeriodFrom": "2024-12-31T23:00:00Z",
                    "dataPeriodTo": "2025-12-31T23:00:00Z",
                }
            ],
            "returnUrlSuccess": f"{return_to}?resultaat=ok",
            "returnUrlFailed": f"{return_to}?resultaat=nok",
        },
        headers={
            "Authorization": f"Bearer {token}",
            "Ocp-Apim-Subscription-Key": client["subscription_key"],
        },
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["data"]["shortUrlIdentifier"])


def test_an_edv_initiated_request_is_prefilled_and_returns_to_the_edv(
    page: Page, local_stack: RunningStack
) -> None:
    base = local_stack.base_url
    back = f"{base}/"  # the EDV's own site, in real life
    session = edv_initiated_session(local_stack, back)
    # The link form EDV software builds, as for the reference portal, leads to the consent page.
    page.goto(f"{base}/verbruik/dienstverlener?id={session}")
    page.wait_for_url(f"{base}/verbruik/dienstverlener/{ZONNIG}/toegang?sessie={session}")
    page.get_by_role("button", name="Aanmelden en verder").click()
    log_in_as(page, "Greet Goossens")
    expect(page.get_by_text("Zonnig Advies BV vroeg deze meetgegevens aan")).to_contain_text(
        "zonnig-offerte-17"
    )
    expect(page.get_by_label(re.compile("^Uurwaarden"))).to_be_checked()
    expect(page.get_by_label("Van")).to_have_value("2025-01-01")
    expect(page.get_by_label("Tot en met")).to_have_value("2025-12-31")
    snap(page, "40-sessie-voorgevuld")
    page.get_by_role("button", name="Verder").click()
    page.get_by_role("button", name="Bevestigen").click()
    back_link = page.get_by_role("link", name="Terug naar Zonnig Advies BV")
    expect(back_link).to_have_attribute("href", f"{back}?resultaat=ok")
    snap(page, "41-sessie-resultaat")
    mandates = requests.get(
        f"{base}/v1/me/mandates",
        headers={"Authorization": f"Bearer {local_stack.token_of('klant-greet')}"},
        timeout=30,
    ).json()["items"]
    granted = [m for m in mandates if m["edv"] == ZONNIG and m["status"] == "active"]
    assert [m["reference_number"] for m in granted] == ["zonnig-offerte-17"]


def test_an_unknown_session_says_so(page: Page, local_stack: RunningStack) -> None:
    page.goto(
        f"{local_stack.base_url}/verbruik/dienstverlener/{ZONNIG}/toegang?sessie=bestaat-niet"
    )
    expect(page.get_by_role("alert")).to_contain_text("bestaat niet of is verlopen")
    page.goto(f"{local_stack.base_url}/verbruik/dienstverlener?id=bestaat-niet")
    expect(page.get_by_role("alert")).to_contain_text("bestaat niet of is verlopen")
    snap(page, "42-sessie-onbekend-korte-link")


def test_a_co_occupants_request_waits_for_the_grid_user(
    browser: Browser, local_stack: RunningStack
) -> None:
    """Someone at Karel's address asks, with the meter's number; Karel sees the request in
    "Mijn mandaten", on a desktop and on a phone, and refuses it."""
    base = local_stack.base_url
    hanne = requests.post(
        f"{base}/v1/dev/token", json={"sub": "huisgenoot-hanne", "name": "Hanne"}, timeout=30
    ).json()["access_token"]
    asked = requests.post(
        f"{base}/v1/me/mandates",
        json={
            "edv": WARMTE_COACH,
            "ean": KAREL,
            "granularity": "day",
            "period_start": "2025-01-01",
            "period_end": "2026-01-01",
            "meter_number": "1SAG1100042901",
        },
        headers={"Authorization": f"Bearer {hanne}"},
        timeout=30,
    )
    assert (asked.status_code, asked.json()["status"]) == (201, "requested"), asked.text
    card_id = asked.json()["id"]
    for width, height, name in (
        (1280, 900, "50-aanvraag-medebewoner"),
        (390, 844, "51-aanvraag-telefoon"),
    ):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="nl-BE")
        page = context.new_page()
        page.goto(f"{base}/verbruik/mandaten/")
        log_in_as(page, "Karel Claes")
        card = page.locator(f'[data-mandate="{card_id}"]')
        expect(card).to_contain_text("In aanvraag")
        expect(card).to_contain_text("Ze geldt pas als jij ze goedkeurt")
        expect(card.get_by_role("button", name="Goedkeuren")).to_be_visible()
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0
        card.scroll_into_view_if_needed()
        snap(page, name)
        if width == 1280:
            # Approving asks once more and says until when it would hold: three years from now.
            card.get_by_role("button", name="Goedkeuren").click()
            confirm = card.get_by_role("group")
            until = datetime.now(BRUSSELS).date()
            until = until.replace(year=until.year + 3, day=28 if until.month == 2 else until.day)
            expect(confirm).to_contain_text(f"Het mandaat geldt tot {until:%d/%m/%Y}")
            snap(page, "52-goedkeuren-bevestigen")
            confirm.get_by_role("button", name="Annuleren").click()
            expect(card.get_by_role("button", name="Goedkeuren")).to_be_visible()
        if width == 390:
            card.get_by_role("button", name="Weigeren").click()
            expect(page.get_by_role("status").first).to_contain_text("is geweigerd")
            expect(page.locator(f'[data-mandate="{card_id}"]')).to_contain_text(
                "geweigerd door de netgebruiker"
            )
            snap(page, "52-aanvraag-geweigerd")
        context.close()


def test_a_customer_declines_an_edv_request_and_goes_back(
    page: Page, local_stack: RunningStack
) -> None:
    base = local_stack.base_url
    session = edv_initiated_session(local_stack, f"{base}/")
    page.goto(f"{base}/verbruik/dienstverlener/{ZONNIG}/toegang?sessie={session}")
    page.get_by_role("button", name="Aanmelden en verder").click()
    log_in_as(page, "Greet Goossens")
    page.get_by_role("button", name="Weigeren").click()
    # Asked once more in the page itself, not in a browser dialog.
    page.locator(".confirm").get_by_role("button", name="Weigeren").click()
    expect(page.get_by_role("heading", name="Je weigerde de aanvraag")).to_be_visible()
    expect(page.get_by_role("link", name="Terug naar Zonnig Advies BV")).to_have_attribute(
        "href", f"{base}/?resultaat=nok"
    )
    snap(page, "43-sessie-geweigerd")
    # Her one meter was ticked by the page, not by her: declining names no EAN to the EDV.
    mandates = requests.get(
        f"{base}/v1/me/mandates",
        headers={"Authorization": f"Bearer {local_stack.token_of('klant-greet')}"},
        timeout=30,
    ).json()["items"]
    assert not any(m["end_reason"] == "declined_by_customer" for m in mandates)
    feed = requests.get(
        f"{base}/v1/organisations/{ZONNIG}/mandate-events?limit=500",
        headers={"Authorization": f"Bearer {local_stack.token_of('edv-admin-eva')}"},
        timeout=30,
    ).json()["items"]
    told = [event for event in feed if event["type"] == "consent_declined"]
    assert told and all(event["ean"] is None for event in told)
    assert "zonnig-offerte-17" in {event["details"]["reference_number"] for event in told}


def test_a_refused_grant_says_why_in_dutch(page: Page, local_stack: RunningStack) -> None:
    """A period before the customer became grid user is refused next to the date, with that
    date, in Dutch; what she chose stays, she corrects it and the grant goes through."""
    base = local_stack.base_url
    page.goto(f"{base}/verbruik/dienstverlener/{ZONNIG}/toegang")
    page.get_by_role("button", name="Aanmelden en verder").click()
    log_in_as(page, "Greet Goossens")
    expect(page.get_by_text(re.compile(r"Je bent netgebruiker sinds 01/01/\d{4}"))).to_be_visible()
    start = page.get_by_label("Van")
    assert re.fullmatch(r"\d{4}-01-01", start.get_attribute("min") or "")  # the bound it knows
    page.get_by_label(re.compile("^Uurwaarden")).check()
    start.fill("2019-01-01")
    page.get_by_role("button", name="Verder").click()
    error = page.locator("#period-error")
    expect(error).to_contain_text("mag niet beginnen vóór je netgebruiker werd")
    expect(error).to_contain_text(re.compile(r"\(01/01/\d{4}\)"))
    assert "grid user" not in error.inner_text()
    expect(start).to_be_focused()
    snap(page, "44-toegang-geweigerd-nederlands")
    # Not a dead end: every choice is still there; corrected, granted.
    expect(page.get_by_label(re.compile("^Uurwaarden"))).to_be_checked()
    expect(start).to_have_value("2019-01-01")
    start.fill("2024-01-01")
    page.get_by_role("button", name="Verder").click()
    page.get_by_role("button", name="Bevestigen").click()
    expect(page.get_by_role("heading", name="Je toestemming is geregistreerd")).to_be_visible()
    snap(page, "45-toegang-verbeterd")
