"""Every error code the API can return has a Dutch message in the portal (web/assets/messages.js),
and the portal shows that message, never the API's English detail."""

from __future__ import annotations

import re
from pathlib import Path

from chalicelib.serving.problems import PROBLEM_TYPES

ASSETS = Path(__file__).resolve().parents[2] / "web" / "assets"


def test_every_problem_code_has_a_dutch_message() -> None:
    table = (ASSETS / "messages.js").read_text("utf-8")
    body = table[table.index("PROBLEM_MESSAGES = {") : table.index("};")]
    codes = set(re.findall(r"^  (\w+): ", body, re.MULTILINE))
    assert codes == set(PROBLEM_TYPES), {
        "without a Dutch message": sorted(set(PROBLEM_TYPES) - codes),
        "no longer a code": sorted(codes - set(PROBLEM_TYPES)),
    }


def test_the_portal_shows_the_dutch_message_not_the_detail() -> None:
    portal = (ASSETS / "portal.js").read_text("utf-8")
    constructor = portal[
        portal.index("export class ApiError") : portal.index("/** Call the portal API")
    ]
    assert "problemMessage(status, problem)" in constructor
    assert "problem.detail" not in constructor


def test_the_webhook_page_names_every_event_type_the_api_offers() -> None:
    from chalicelib.domain.webhooks import EVENT_TYPES

    page = (ASSETS / "edv-api.js").read_text("utf-8")
    table = page[page.index("const EVENT_TYPES = {") : page.index("};", page.index("EVENT_TYPES"))]
    assert set(re.findall(r"(\w+): n\(", table)) == set(EVENT_TYPES)


def test_the_operators_page_names_every_job_of_the_registry() -> None:
    from chalicelib.jobs import JOBS

    page = (ASSETS / "ops.js").read_text("utf-8")
    table = page[page.index("const JOBS = {") : page.index("};", page.index("const JOBS = {"))]
    assert set(re.findall(r'"([\w-]+)": n\(', table)) == set(JOBS)
