"""Every operation the API routes is reached through the edge (CloudFront, and the local server
as it), and the portal's pages are not taken for API calls."""

from __future__ import annotations

import re

import pytest

from chalicelib.api.application import production_operations
from chalicelib.edge import is_api_path


def test_every_routed_operation_is_an_api_path() -> None:
    lost = [
        f"{op.method} {op.path}"
        for op in production_operations()
        if not is_api_path(re.sub(r"\{[^}]+\}", "x", op.path))
    ]
    assert lost == [], f"routed, but the edge would serve these as pages: {lost}"


@pytest.mark.parametrize(
    "page",
    [
        "/",
        "/verbruik/mandaten/",
        "/verbruik/dienstverlener/0123456749/toegang",
        "/assets/portal.js",
    ],
)
def test_pages_stay_pages(page: str) -> None:
    assert not is_api_path(page)
