"""The journeys the portal walk found missing, in Chromium: a re-grant that says what it
replaces; an operator approving one application and rejecting another; an EDV creating an API
client, a sandbox mandate and a webhook and finding a purge obligation; the access log in sessions, paged,
filtered and downloaded; the consent flow by keyboard alone, with focus always visible; and a
renewal the EDV asks for and the customer gives, seen by the EDV on every face."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from tests.e2e.browsing import KAREL, ZONNIG, log_in_as, snap
from tests.e2e.conftest import RunningStack
from tests.support.webhook_receiver import receiving, wait_for

pytestmark = pytest.mark.e2e

MOVED_AWAY = "541448820000001067"  # demo: moved out three weeks ago, Zonnig's period cut short
WARMTE_COACH = "0765432146"
BAKERY_OFFTAKE = "541448820000001036"
BAKERY_GAS = "541448820000001050"


def test_a_regrant_shows_what_it_replaces_and_starts_from_it(
    page: Page, local_stack: RunningStack
) -> None:
    page.goto(f"{local_stack.base_url}/verbruik/dienstverlener/{ZONNIG}/toegang")
    page.get_by_role("button", name="Aanmelden en verder").click()
    log_in_as(page, "Karel Claes")
    shared = page.locator("#shared-now")
    expect(shared).to_contain_text(f"EAN {KAREL}: kwartierwaarden")
    # The form starts from what he shares now, not from day values.
    expect(page.get_by_label(re.compile(f"EAN {KAREL}"))).to_be_checked()
    expect(page.get_by_label(re.compile("^Kwartierwaarden"))).to_be_checked()
    period = shared.inner_text().split(": kwartierwaarden, ")[1].split(", geldig")[0]
    first = period.split(" t.e.m. ")[0]
    day, month, year = first.split("/")
    expect(page.get_by_label("Van")).to_have_value(f"{year}-{month}-{day}")
    snap(page, "60-toegang-al-gedeeld")
    page.get_by_role("button", name="Verder").click()
    replaces = page.locator("#replaces")
    expect(replaces).to_contain_text(f"EAN {KAREL}: nu kwartierwaarden, {period}")
    expect(page.get_by_text("Dit vervangt wat je nu deelt:")).to_be_visible()
    snap(page, "61-toegang-vervangt")
    page.get_by_role("button", name="Bevestigen").click()
    expect(page.get_by_role("heading", name="Je toestemming is geregistreerd")).to_be_visible()


def test_an_operator_approves_one_application_and_rejects_another(
    page: Page, local_stack: RunningStack
) -> None:
    page.goto(f"{local_stack.base_url}/beheer/")
    log_in_as(page, "Olivia Operator")
    queue = page.locator("#applications")
    slim = queue.locator("li", has_text="Slim Verbruik NV")
    groen = queue.locator("li", has_text="Groen Licht CV")
    expect(slim).to_contain_text("Ondertekend, wacht op goedkeuring")
    with page.expect_download() as contract:
        slim.get_by_role("button", name="Ondertekend contract (PDF)").click()
    assert Path(contract.value.path()).read_bytes().startswith(b"%PDF-")
    snap(page, "70-beheer-aanvragen")
    # A rejection needs a reason the applicant will read.
    groen.get_by_role("button", name="Weigeren").click()
    expect(groen.get_by_role("alert")).to_contain_text("Geef een reden")
    groen.get_by_label("Reden bij weigering").fill(
        "Het contract is niet ondertekend door een bestuurder."
    )
    groen.get_by_role("button", name="Weigeren").click()
    expect(page.get_by_role("status").first).to_contain_text(
        "De aanvraag van Groen Licht CV is geweigerd"
    )
    queue.locator("li", has_text="Slim Verbruik NV").get_by_role(
        "button", name="Goedkeuren"
    ).click()
    expect(page.get_by_role("status").first).to_contain_text(
        "Slim Verbruik NV is nu energiedienstverlener"
    )
    for decided in ("Slim Verbruik NV", "Groen Licht CV"):  # no longer waiting for a decision
        expect(page.locator("#applications li", has_text=decided)).to_have_count(0)
    page.get_by_label("Status").select_option("rejected")
    expect(page.locator("#applications")).to_contain_text("Het contract is niet ondertekend")
    snap(page, "71-beheer-geweigerd")

    page.get_by_role("tab", name="Aansluitingen").click()
    page.get_by_label("EAN-code").fill(MOVED_AWAY)
    page.get_by_role("button", name="Opzoeken").click()
    events = page.locator("#market-events")
    expect(events).to_contain_text("inhuizing")
    expect(events).to_contain_text("0123.456.749: einde")  # what the move cut short
    expect(page.locator("#tenures tbody tr")).to_have_count(2)
    snap(page, "72-beheer-aansluiting")

    page.get_by_role("tab", name="Inlezingen").click()
    expect(page.locator("#ingest-reports li").first).to_contain_text("aanvaard")
    page.get_by_role("tab", name="Tarieven").click()
    expect(
        page.get_by_role("heading", name=re.compile(r"Versie \d+ \(van kracht\)"))
    ).to_be_visible()
    page.get_by_role("tab", name="Gebruik").click()
    expect(page.locator("#usage")).to_contain_text("0123.456.749")
    with page.expect_download() as usage:
        page.get_by_role("button", name="Gebruik downloaden (CSV)").click()
    assert Path(usage.value.path()).read_text("utf-8-sig").startswith("Energiedienstverlener;Maand")
    page.get_by_role("tab", name="Taken").click()
    page.get_by_role("button", name="Mandaten laten verlopen").click()
    expect(page.locator("#job-runs tbody tr").first).to_contain_text("Mandaten laten verlopen")
    expect(page.locator("#job-runs tbody tr").first).to_contain_text("in orde")
    snap(page, "73-beheer-taken")


def test_an_edv_creates_an_api_client_and_a_webhook_and_sees_what_to_delete(
    page: Page, local_stack: RunningStack
) -> None:
    page.goto(f"{local_stack.base_url}/verbruik/dienstverlener/")
    log_in_as(page, "Eva Evers")
    page.get_by_role("link", name="API-clients, sandbox en webhooks").click()
    page.get_by_label("Naam").fill("Boekhouding")
    page.get_by_role("button", name="API-client aanmaken").click()
    expect(page.get_by_role("heading", name="API-client Boekhouding is aangemaakt")).to_be_focused()
    secret = page.locator("#new-client-secret").inner_text()
    assert len(secret) >= 32
    row = page.locator("#api-clients tbody tr", has_text="Boekhouding")
    expect(row).to_contain_text("Actief")
    snap(page, "80-api-client-aangemaakt")
    row.get_by_role("button", name="Intrekken").click()
    page.locator(".confirm").get_by_role("button", name="Intrekken").click()
    expect(page.locator("#api-clients tbody tr", has_text="Boekhouding")).to_contain_text(
        "Ingetrokken"
    )
    expect(page.get_by_text(secret)).to_have_count(0)  # shown once, never again

    expect(page.get_by_role("heading", name="Sandbox")).to_be_visible()
    sandbox = page.locator("section", has=page.get_by_role("heading", name="Sandbox"))
    sandbox.get_by_label("EAN-code").fill("541448860000000011")  # gas, digital (by its digits)
    sandbox.get_by_label("Referentie").fill("probeer-1")
    sandbox.get_by_role("button", name="Testmandaat aanmaken").click()
    mock = page.locator("#sandbox-mandates tbody tr", has_text="probeer-1")
    expect(mock).to_contain_text("Gas, digitale meter")
    expect(mock).to_contain_text("Uurwaarden")
    expect(mock).to_contain_text("probeer-1")
    # Refused by the API: the Dutch message above, the field marked, what was typed kept.
    page.get_by_label("Adres (https)").fill("http://zonnig.example/hooks/mandaten")
    page.get_by_role("button", name="Webhook registreren").click()
    expect(page.get_by_label("Adres (https)")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("Controleer dit veld.")).to_be_visible()
    expect(page.get_by_role("alert").first).to_contain_text("Niet alles is correct ingevuld")
    expect(page.get_by_label("Adres (https)")).to_have_value("http://zonnig.example/hooks/mandaten")
    page.get_by_label("Adres (https)").fill("https://zonnig.example/hooks/mandaten")
    page.get_by_label("Omschrijving").fill("CRM")
    page.get_by_role("button", name="Webhook registreren").click()
    expect(page.locator("#new-webhook-secret")).to_contain_text("whsec_")
    card = page.locator("#webhooks li", has_text="CRM")
    card.get_by_role("button", name="Testbericht sturen").click()
    expect(card.get_by_role("status")).to_contain_text("Testbericht verstuurd")
    card.get_by_role("button", name="Leveringen tonen").click()
    expect(card.locator("table.deliveries tbody tr").first).to_contain_text("testbericht")
    snap(page, "81-webhook-leveringen")

    # The meter page says what the move cut short, what to delete, and offers no reads past it.
    page.goto(f"{local_stack.base_url}/verbruik/meter/?org={ZONNIG}&ean={MOVED_AWAY}")
    expect(page.locator(".alert", has_text="De verbruiksperiode is ingekort tot")).to_be_visible()
    duty = page.locator("#meter-duties li").first
    expect(duty).to_contain_text("alle meetgegevens van")
    page.get_by_role("link", name="Naar de te verwijderen gegevens").click()
    # The duty as the server computed it; an administrator confirms it was deleted.
    purge = page.locator("#purges li", has_text=MOVED_AWAY)
    expect(purge).to_contain_text("Verwijder alle meetgegevens")
    expect(purge).to_contain_text("periode ingekort door een marktscenario")
    expect(page.locator("#feed tbody tr", has_text="Periode ingekort")).to_contain_text(MOVED_AWAY)
    due = page.locator("#feed tbody tr", has_text="Te verwijderen").filter(has_text=MOVED_AWAY)
    expect(due.first).to_contain_text("alles verwijderen")
    snap(page, "82-te-verwijderen")
    purge.get_by_role("button", name="Ik heb deze gegevens verwijderd").click()
    expect(purge.get_by_role("status")).to_contain_text("Bevestigd op")
    page.reload()
    expect(page.locator("#purges li", has_text=MOVED_AWAY)).to_have_count(0)


def test_the_access_log_is_grouped_paged_filtered_and_downloadable(
    page: Page, local_stack: RunningStack
) -> None:
    page.goto(f"{local_stack.base_url}/verbruik/mandaten/")
    log_in_as(page, "Karel Claes")
    rows = page.locator("#access-log tbody tr")
    expect(rows).to_have_count(20)
    # Inclusive days, as the mandate cards write them.
    expect(rows.filter(has_text="t.e.m.").first).to_be_visible()
    snap(page, "90-raadplegingen")
    page.get_by_role("button", name="Meer tonen").click()
    expect(rows).to_have_count(40)
    # A person clicking through views is one line, with how many reads it holds (the demo's
    # every five days; other tests' reads of today may come first).
    clicks = rows.filter(has_text="2 raadplegingen").filter(has_text="per uur, per kwartier")
    expect(clicks.first).to_contain_text("portaal")
    page.get_by_label("Dienstverlener").select_option(label="Warmte Coach VZW")
    expect(rows.first).to_contain_text("Warmte Coach VZW")
    assert all("Warmte Coach VZW" in text for text in rows.all_inner_texts())
    snap(page, "91-raadplegingen-warmte-coach")
    with page.expect_download() as csv:
        page.get_by_role("button", name="Raadplegingen downloaden (CSV)").click()
    lines = Path(csv.value.path()).read_text("utf-8-sig").splitlines()
    assert lines[0].startswith("Van;Tot;Dienstverlener;EAN;Eerste dag;Laatste dag")
    assert len(lines) - 1 == rows.count()
    assert all(";0765.432.146;" in line for line in lines[1:])


TAB_TO = """(name) => {
  const e = document.activeElement;
  return !!e && (e.innerText || e.value || e.getAttribute("aria-label") || "").trim().startsWith(name);
}"""
FOCUS_VISIBLE = """() => {
  const style = getComputedStyle(document.activeElement);
  return style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
}"""


def tab_to(page: Page, name: str, limit: int = 40) -> None:
    """Press Tab until the focused element is called `name`, as a keyboard user does."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(TAB_TO, name):
            # The focus ring is drawn with the next frame: a loaded machine may need a moment.
            visible = page.wait_for_function(FOCUS_VISIBLE, timeout=2000)
            assert visible.json_value(), f"focus on {name!r} is not visible"
            return
    raise AssertionError(f"Tab never reached {name!r}")


def test_the_consent_flow_by_keyboard_alone(browser: Browser, local_stack: RunningStack) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-BE")
    page = context.new_page()
    page.goto(f"{local_stack.base_url}/verbruik/dienstverlener/{WARMTE_COACH}/toegang")
    expect(page.get_by_role("button", name="Aanmelden en verder")).to_be_visible()
    tab_to(page, "Aanmelden en verder")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Aanmelden")).to_be_visible()
    tab_to(page, "Bert Bakker")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Van welke aansluiting?")).to_be_visible()
    tab_to(page, BAKERY_OFFTAKE)  # the box of the bakery's offtake EAN
    page.keyboard.press("Space")
    assert page.evaluate("() => document.activeElement.type") == "checkbox"
    assert page.evaluate("() => document.activeElement.checked")
    tab_to(page, "Verder")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Controleer en bevestig")).to_be_focused()
    tab_to(page, "Bevestigen")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Je toestemming is geregistreerd")).to_be_focused()
    snap(page, "95-toetsenbord-resultaat")
    context.close()


def test_an_ended_mandate_shows_its_state_to_the_edv(page: Page, local_stack: RunningStack) -> None:
    page.goto(f"{local_stack.base_url}/verbruik/mandaten/")
    log_in_as(page, "Karel Claes")
    card = page.locator("#mandates li", has_text="Warmte Coach VZW").filter(has_text=KAREL)
    card.get_by_role("button", name="Stopzetten").click()
    card.locator(".confirm").get_by_role("button", name="Stopzetten").click()
    expect(page.get_by_role("status").first).to_contain_text("is stopgezet")
    page.get_by_role("button", name="Afmelden").click()
    page.goto(f"{local_stack.base_url}/verbruik/meters-van-anderen/")
    log_in_as(page, "Wout Wouters")
    row = page.locator("#meters tbody tr", has_text=KAREL)
    expect(row).to_contain_text("Beëindigd")
    expect(row.locator("td").last).to_have_text("–")  # not "Geldig tot" a date that no longer holds
    row.get_by_role("link", name=KAREL).click()
    expect(page.get_by_text("Dit mandaat is niet meer geldig sinds")).to_be_visible()
    # Why, in words: the mandate in force, never a co-occupant's refused request on the EAN.
    expect(page.locator(".alert.warn").first).to_contain_text("(stopgezet door de klant)")
    expect(page.get_by_role("button", name="Grafiek")).to_have_count(0)  # no controls that fail
    expect(page.get_by_role("link", name="Naar de te verwijderen gegevens")).to_be_visible()
    snap(page, "96-meter-beeindigd")


RENEWING = "541448820000001074"  # demo: Ann's mandate for Zonnig, granted almost three years ago


def _machine_mandate(base: str, stack: RunningStack) -> dict[str, object]:
    client_id, secret, key = stack.machine_client()
    token = requests.post(
        f"{base}/oauth2/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
        timeout=30,
    ).json()["access_token"]
    answer = requests.get(
        f"{base}/esco-live/v3/api/mandate",
        params={"ean": RENEWING, "status": "Approved"},
        headers={"Authorization": f"Bearer {token}", "Ocp-Apim-Subscription-Key": key},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    (mandate,) = answer.json()["data"]["mandates"]
    return dict(mandate)


def test_a_mandate_near_its_end_is_renewed_at_the_edvs_request(
    page: Page, local_stack: RunningStack
) -> None:
    base = local_stack.base_url
    admin = {"Authorization": f"Bearer {local_stack.token_of('edv-admin-eva')}"}
    with receiving() as (receiver, url):
        hook = requests.post(
            f"{base}/v1/organisations/{ZONNIG}/webhooks",
            json={
                "url": url,
                "event_types": ["renewal_requested", "ended", "granted"],
            },
            headers=admin,
            timeout=30,
        ).json()
        receiver.secret = hook["secret"]
        before = _machine_mandate(base, local_stack)
        assert before["renewalStatus"] == "ToBeRenewed"

        page.goto(f"{base}/verbruik/meter/?org={ZONNIG}&ean={RENEWING}")
        log_in_as(page, "Eva Evers")
        expect(page.get_by_text("Dit mandaat loopt af op")).to_be_visible()
        page.get_by_role("button", name="Vraag de klant om te vernieuwen").click()
        expect(page.get_by_role("status").first).to_contain_text("staat bij de klant")
        expect(page.get_by_text("Je vroeg de klant op")).to_be_visible()
        snap(page, "97-meter-vernieuwing-gevraagd")
        assert _machine_mandate(base, local_stack)["renewalStatus"] == "RenewalRequested"
        page.get_by_role("button", name="Afmelden").click()

        page.goto(f"{base}/verbruik/mandaten/")
        log_in_as(page, "Ann Aerts")
        card = page.locator("#mandates li", has_text="Zonnig Advies BV")
        expect(card).to_contain_text("vraagt je dit mandaat te vernieuwen")
        snap(page, "98-mandaten-vernieuwen")
        card.get_by_role("button", name="Vernieuwen").click()
        expect(page.get_by_role("status").first).to_contain_text("is vernieuwd")
        snap(page, "99-mandaten-vernieuwd")

        after = _machine_mandate(base, local_stack)
        assert "renewalStatus" not in after
        assert str(after["mandateExpirationDate"]) > str(before["mandateExpirationDate"])
        detail = requests.get(
            f"{base}/v1/organisations/{ZONNIG}/access-points/{RENEWING}", headers=admin, timeout=30
        ).json()
        assert detail["previous_mandates"][0]["end_reason"] == "renewed"
        events = requests.get(
            f"{base}/v1/organisations/{ZONNIG}/mandate-events?limit=200", headers=admin, timeout=30
        ).json()["items"]
        mine = [e["type"] for e in events if e["ean"] == RENEWING]
        assert mine[-3:] == ["renewal_requested", "ended", "granted"]
        wait_for(receiver, 3)
    assert receiver.bad_signatures == 0
    assert [m["type"] for m in receiver.accepted] == ["renewal_requested", "ended", "granted"]


def test_an_edv_exports_the_history_of_all_its_mandates(
    page: Page, local_stack: RunningStack
) -> None:
    import io
    from datetime import date, timedelta

    import pyarrow.parquet as pq

    base = local_stack.base_url
    # Warmte Coach's: the running-stack fuzz asks Zonnig's exports, which may still be queued.
    page.goto(f"{base}/verbruik/dienstverlener/export/?org={WARMTE_COACH}")
    log_in_as(page, "Wout Wouters")
    today = date.today()
    page.get_by_label("Van (leeg: alles wat het mandaat toelaat)").fill(
        (today - timedelta(days=14)).isoformat()
    )
    page.get_by_label("Tot (leeg: tot vandaag)").fill(today.isoformat())
    page.get_by_role("button", name="Exporteren").click()
    card = page.locator("#export")
    expect(card).to_contain_text("Klaar", timeout=60_000)
    expect(card.get_by_role("link", name="Parquet (alle aansluitingen)")).to_be_visible()
    snap(page, "9a-historiek-exporteren")
    links = {
        link.inner_text(): link.get_attribute("href") for link in card.get_by_role("link").all()
    }
    manifest = requests.get(str(links["Overzicht (JSON)"]), timeout=30).json()
    table = pq.read_table(
        io.BytesIO(requests.get(str(links["Parquet (alle aansluitingen)"]), timeout=30).content)
    )
    assert table.num_rows == manifest["rows"] > 0
    assert set(table.column("ean").to_pylist()) <= {entry["ean"] for entry in manifest["eans"]}
    assert BAKERY_GAS in set(table.column("ean").to_pylist())  # hours of gas, for Warmte Coach
    # The page reloaded: the export is in the history, newest first, with what it asked and
    # its files, in the page's own words.
    page.reload()
    latest = page.locator("#export-history > li").first
    last_day = (today - timedelta(days=1)).strftime("%d/%m/%Y")
    start = (today - timedelta(days=14)).strftime("%d/%m/%Y")
    expect(latest).to_contain_text(f"van {start} tot en met {last_day}")
    expect(latest).to_contain_text("Klaar")
    expect(latest.get_by_role("link", name="Parquet (alle aansluitingen)")).to_be_visible()
    expect(latest).to_contain_text("Te downloaden tot")
    snap(page, "9b-eerdere-exports")
