"""The stappenplan (R4): published on approval, renamed with the organisation, withdrawn on
termination; the QR code decodes to exactly the consent URL."""

from __future__ import annotations

import io
import re

import pytest
import zxingcpp
from PIL import Image

from chalicelib.aws import s3
from chalicelib.config import settings
from chalicelib.services import onboarding, pages
from chalicelib.store import onboarding as store
from tests.support.http import Http
from tests.support.world import World

EN = "0123456749"
PREFIX = f"verbruik/dienstverlener/{EN}/stappenplan"
CONSENT_URL = f"http://127.0.0.1:8000/verbruik/dienstverlener/{EN}/toegang"


@pytest.fixture
def world(http: Http) -> World:
    return World(http)


def page(key: str) -> bytes:
    return bytes(s3().get_object(Bucket=settings().pages_bucket, Key=key)["Body"].read())


def exists(key: str) -> bool:
    listed = s3().list_objects_v2(Bucket=settings().pages_bucket, Prefix=key)
    return any(item["Key"] == key for item in listed.get("Contents", []))


def decode_qr(png: bytes) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


def test_nothing_is_published_before_approval(world: World) -> None:
    world.signed(EN, "Zonnig Advies BV")
    assert not exists(f"{PREFIX}/index.html")


def test_approval_publishes_the_digital_and_printable_pages(world: World) -> None:
    world.active(EN, "Zonnig Advies BV")
    digital = page(f"{PREFIX}/index.html").decode()
    assert "Zonnig Advies BV" in digital
    assert f'href="{CONSENT_URL}"' in digital
    assert '<html lang="nl">' in digital
    qr_src = re.search(r'id="consent-qr" src="([^"]+)"', digital)
    assert qr_src is not None
    assert decode_qr(page(qr_src.group(1).lstrip("/"))) == [CONSENT_URL]

    printable = page(f"{PREFIX}/afdrukken/index.html").decode()
    full_link = re.search(r'<p class="full-link" id="consent-url">(.*?)</p>', printable)
    assert full_link is not None
    # The whole link, breakable only after its slashes (a printed line never splits a word).
    assert full_link.group(1).replace("<wbr>", "") == CONSENT_URL
    assert "dienstverlener/<wbr>" in full_link.group(1)
    assert '<body class="printable"' in printable  # A4 and its layout: /assets/stappenplan.css
    printable_qr = re.search(r'id="consent-qr" src="([^"]+)"', printable)
    assert printable_qr is not None
    assert decode_qr(page(printable_qr.group(1).lstrip("/"))) == [CONSENT_URL]


def test_approval_publishes_the_consent_page_the_stappenplan_links_to(world: World) -> None:
    world.active(EN, 'Zon & Co "BV"')
    consent = page(f"verbruik/dienstverlener/{EN}/toegang/index.html").decode()
    assert 'data-edv="0123456749"' in consent
    assert '<body data-name="Zon &amp; Co &quot;BV&quot;">' in consent
    assert '<script type="module" src="/assets/consent.js"></script>' in consent


def test_a_name_with_markup_is_escaped(world: World) -> None:
    world.active(EN, 'Zon & Co <script>alert("x")</script>')
    digital = page(f"{PREFIX}/index.html").decode()
    assert "<script>alert" not in digital
    assert "Zon &amp; Co &lt;script&gt;" in digital


def test_a_new_name_in_the_register_republishes(http: Http, world: World) -> None:
    world.active(EN, "Zonnig Advies BV")
    http.link(EN, "someone-new", "member", "Zonnig Energie BV")
    assert "Zonnig Energie BV" in page(f"{PREFIX}/index.html").decode()
    assert "Zonnig Energie BV" in page(f"{PREFIX}/afdrukken/index.html").decode()


def test_termination_replaces_both_pages(http: Http, world: World) -> None:
    edv = world.active(EN, "Zonnig Advies BV")
    http.post(f"/v1/organisations/{EN}/edv-application/terminate", token=edv.admin)
    consent_page = f"verbruik/dienstverlener/{EN}/toegang/index.html"
    for key in (f"{PREFIX}/index.html", f"{PREFIX}/afdrukken/index.html", consent_page):
        text = page(key).decode()
        assert "Zonnig Advies BV biedt deze dienst niet langer aan" in text
        assert CONSENT_URL not in text
    assert not exists(f"{PREFIX}/qr.png")


def test_the_pages_base_url_comes_from_configuration(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    world.active(EN, "Zonnig Advies BV")
    # Outside the chalice test client, which sets the dev stage's own PAGES_BASE_URL.
    monkeypatch.setenv("PAGES_BASE_URL", "https://mijn.netbeheerder.example/")
    store.mark_pages_pending(EN)
    assert onboarding.publish_pending_pages() == 1
    expected = f"https://mijn.netbeheerder.example/verbruik/dienstverlener/{EN}/toegang"
    assert decode_qr(page(f"{PREFIX}/qr.png")) == [expected]
    assert pages.stappenplan_url(EN).startswith("https://mijn.netbeheerder.example/verbruik/")


def test_a_failed_publication_is_left_pending_and_retried(
    http: Http, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    edv = world.signed(EN, "Zonnig Advies BV")

    def s3_down(*args: object, **kwargs: object) -> None:
        raise ConnectionError("S3 unavailable")

    with monkeypatch.context() as patched:
        patched.setattr(pages, "_put", s3_down)
        approved = http.post(f"/v1/ops/edv-applications/{EN}/approve", token=world.operator)
    assert approved.status == 200  # the decision stands; the pages follow
    assert approved.json["contract_status"] == "active"
    assert not exists(f"{PREFIX}/index.html")
    assert onboarding.publish_pending_pages() == 1
    assert "Zonnig Advies BV" in page(f"{PREFIX}/index.html").decode()
    assert onboarding.publish_pending_pages() == 0  # nothing more to do
    assert http.get(f"/v1/organisations/{EN}/edv-application", token=edv.member).status == 200
