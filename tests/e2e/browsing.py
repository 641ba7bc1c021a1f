"""What the browser tests share: the machine's Chromium (Debian's package, headless, driven by
Playwright), where screenshots go, logging in on the local issuer's page, and the check that
every field has a label."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from devstack.launch import ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# As root and offline: no sandbox, and none of Chromium's own calls home.
FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--lang=nl-BE",
]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
WARMTE_COACH = "0765432146"  # demo EDV on the portal channel
ZONNIG = "0123456749"
GREET_GAS = "541448820000001029"  # no mandate for Warmte Coach in the demo data
KAREL = "541448820000001012"  # quarter-hours shared with Zonnig


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: `make test` installs it (Debian package chromium)")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        launched.close()


UNLABELLED = """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
    .filter((e) => !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
    .map((e) => e.outerHTML)"""


def snap(page: Page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def log_in_as(page: Page, name: str, snapshot: str | None = None) -> None:
    """On the local issuer's log-in page (it stands in for CSAM's)."""
    expect(page.get_by_role("heading", name="Aanmelden")).to_be_visible()
    if snapshot:
        snap(page, snapshot)
    page.get_by_role("button", name=name).click()


def watch(page: Page, problems: list[str]) -> None:
    """Collect what a user would not notice but must not happen: JavaScript errors, and anything
    the Content-Security-Policy refused (Chromium reports those on the console)."""
    page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
    page.on(
        "console",
        lambda message: (
            problems.append(f"CSP: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A desktop tab (1280 px) that fails its test on a JavaScript error or a CSP refusal."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="nl-BE", accept_downloads=True
    )
    opened = context.new_page()
    problems: list[str] = []
    watch(opened, problems)
    yield opened
    context.close()
    assert problems == []
