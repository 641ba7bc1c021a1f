"""Every page of the portal, in Dutch, French and English, on a desktop (1280 px) and a phone
(390 px), as the person it is for: no JavaScript error, nothing wider than the screen, every
field labelled, nothing refused by the Content-Security-Policy the pages are served with, no
Dutch left in a French or English page, no "null" or "undefined" in the text, and no WCAG 2.1 AA
violation that axe-core (npm,
node_modules/) finds. Screenshots go to test-artifacts/browser/pages/."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.browsing import ARTIFACTS, KAREL, UNLABELLED, ZONNIG, log_in_as, watch
from tests.e2e.conftest import ROOT, RunningStack

pytestmark = pytest.mark.e2e

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = ARTIFACTS / "pages"
MOVED_AWAY = "541448820000001067"
RENEWING = "541448820000001074"  # Ann's mandate for Zonnig: 60 days left
# What a page shows when code wrote a missing value instead of leaving it out.
NOT_TEXT = re.compile(r"\b(null|undefined|NaN)\b|\[object Object\]")
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
RUN_AXE = """async (tags) => (await axe.run(document, { runOnly: { type: "tag", values: tags } }))
  .violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 4).map((n) => n.target.join(" ")).join(", ")}`)"""
# Words of the portal's Dutch that no French or English page may still show (names and
# addresses in the demo data are Dutch, so the check looks for the portal's own words).
DUTCH = re.compile(
    r"\b(meetgegevens|toestemming|aansluiting|Afmelden|Aanmelden|verbruiksperiode|Verder|Geldig tot|Dienstverlener|energiedienstverlener)\b"
)

# (who logs in, or None; path; name of the screenshot)
PAGES = [
    (None, "/", "start"),
    (None, f"/verbruik/dienstverlener/{ZONNIG}/stappenplan", "stappenplan"),
    (None, f"/verbruik/dienstverlener/{ZONNIG}/stappenplan/afdrukken", "stappenplan-afdrukken"),
    ("Karel Claes", f"/verbruik/dienstverlener/{ZONNIG}/toegang", "toegang"),
    ("Karel Claes", "/verbruik/mandaten/", "mijn-mandaten"),
    ("Eva Evers", "/verbruik/dienstverlener/", "diensten"),
    ("Eva Evers", "/verbruik/meters-van-anderen/", "meters-van-anderen"),
    ("Eva Evers", f"/verbruik/meter/?org={ZONNIG}&ean={KAREL}", "meter"),
    ("Eva Evers", f"/verbruik/meter/?org={ZONNIG}&ean={MOVED_AWAY}", "meter-ingekort"),
    ("Eva Evers", f"/verbruik/meter/?org={ZONNIG}&ean={RENEWING}", "meter-vernieuwen"),
    ("Eva Evers", "/verbruik/dienstverlener/api/", "api-en-webhooks"),
    ("Eva Evers", "/verbruik/dienstverlener/te-verwijderen/", "te-verwijderen"),
    ("Eva Evers", "/verbruik/dienstverlener/export/", "historiek-exporteren"),
    ("Sara Segers", "/verbruik/dienstverlener/worden/", "dienstverlener-worden"),
    ("Olivia Operator", "/beheer/", "beheer"),
    ("Olivia Operator", "/beheer/#inlezingen", "beheer-inlezingen"),
    ("Olivia Operator", "/beheer/#tarieven", "beheer-tarieven"),
    ("Olivia Operator", "/beheer/#gebruik", "beheer-gebruik"),
    ("Olivia Operator", "/beheer/#taken", "beheer-taken"),
    ("Ann Aerts", "/verbruik/mandaten/", "mijn-mandaten-vernieuwen"),
]


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        pytest.fail("axe-core is missing: `make test` installs it (npm ci, package-lock.json)")
    return AXE.read_text("utf-8")


OUR_TEXT = """() => {
  let shown = document.body.innerText;
  for (const quoted of document.querySelectorAll("[data-own-words]")) {
    shown = shown.replace(quoted.innerText, "");
  }
  return shown;
}"""


def visit(page: Page, base: str, who: str | None, path: str, lang: str, log_in: bool) -> None:
    path, hashed, tab = path.partition("#")
    separator = "&" if "?" in path else "?"
    page.goto(f"{base}{path}{separator}lang={lang}{hashed}{tab}")
    if tab and not log_in:
        page.reload()  # a page opens the tab of its address when it loads, not on a hash change
    if who and log_in:
        if "/toegang" in path:
            page.locator("#app button").first.click()
        log_in_as(page, who)
        page.wait_for_url(re.compile(re.escape(path.split("?")[0])))
    expect(
        page.locator("#app .note", has_text=re.compile("Even laden|Chargement|Loading"))
    ).to_have_count(0)
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("lang", ["nl", "fr", "en"])
def test_every_page_in_every_language_fits_and_passes_axe(
    browser: Browser, local_stack: RunningStack, axe_source: str, lang: str, width: int
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    contexts = {}
    try:
        for who, path, name in PAGES:
            # One browser tab per person: their log-in lasts the tab, as for a real user.
            first_visit = who not in contexts
            if first_visit:
                context = browser.new_context(
                    viewport={"width": width, "height": 900}, locale="nl-BE", is_mobile=width < 500
                )
                contexts[who] = context.new_page()
                watch(contexts[who], problems)
            page = contexts[who]
            visit(page, local_stack.base_url, who, path, lang, log_in=first_visit)
            where = f"{name} ({lang}, {width} px)"
            if page.evaluate("() => document.documentElement.lang") != lang:
                problems.append(f"{where}: <html lang> is not {lang}")
            overflow = page.evaluate(
                "() => document.documentElement.scrollWidth - window.innerWidth"
            )
            if overflow > 0:
                problems.append(f"{where}: {overflow} px wider than the screen")
            unlabelled = page.evaluate(UNLABELLED)
            if unlabelled:
                problems.append(f"{where}: fields without a label: {unlabelled}")
            shown = page.locator("body").inner_text()
            if NOT_TEXT.search(shown):
                problems.append(f"{where}: shows {NOT_TEXT.search(shown).group(0)!r}")  # type: ignore[union-attr]
            if lang != "nl":
                # What an EDV wrote itself (its service description) is quoted as written.
                ours = page.evaluate(OUR_TEXT)
                dutch = sorted(set(DUTCH.findall(ours)))
                if dutch:
                    problems.append(f"{where}: Dutch left: {dutch}")
            page.evaluate(axe_source)  # as the devtools do: not a script the page's CSP must allow
            violations = page.evaluate(RUN_AXE, WCAG_21_AA)
            problems.extend(f"{where}: axe {v}" for v in violations)
            page.screenshot(path=str(SHOTS / f"{name}-{lang}-{width}.png"), full_page=True)
    finally:
        for page in contexts.values():
            page.context.close()
    assert problems == [], "\n".join(problems)
