"""The EDV's public pages in the pages bucket (R4), served as static files (CloudFront locally
replaced by the local stack). Publishing is idempotent: it writes what the application's state
calls for, whatever was there."""

from __future__ import annotations

from ..aws import s3
from ..config import settings
from ..domain.onboarding import Application
from ..domain.vocabulary import ApplicationStatus as Status
from ..media_types import HTML_UTF8, PNG
from ..render import stappenplan
from ..store import onboarding as onboarding_store

HTML = HTML_UTF8


def edv_path(enterprise_number: str) -> str:
    return f"/verbruik/dienstverlener/{enterprise_number}"


def stappenplan_url(enterprise_number: str) -> str:
    return f"{settings().pages_base_url}{edv_path(enterprise_number)}/stappenplan"


def consent_url(enterprise_number: str) -> str:
    return f"{settings().pages_base_url}{edv_path(enterprise_number)}/toegang"


def _key(path: str) -> str:
    return path.lstrip("/")


def _put(key: str, body: bytes, content_type: str) -> None:
    s3().put_object(
        Bucket=settings().pages_bucket,
        Key=key,
        Body=body,
        ContentType=content_type,
        CacheControl="public, max-age=300",
    )


def publish(app: Application, organisation_name: str) -> None:
    """Write the pages the application's state calls for, then clear its pending flag."""
    base = f"{edv_path(app.enterprise_number)}/stappenplan"
    digital, printable, qr = f"{base}/index.html", f"{base}/afdrukken/index.html", f"{base}/qr.png"
    consent = f"{edv_path(app.enterprise_number)}/toegang/index.html"
    if app.status is Status.ACTIVE:
        url = consent_url(app.enterprise_number)
        page = stappenplan.consent_page(organisation_name, app.enterprise_number)
        _put(_key(consent), page.encode(), HTML)
        _put(_key(qr), stappenplan.qr_png(url), PNG)
        _put(
            _key(digital),
            stappenplan.digital_page(organisation_name, url, qr, f"{base}/afdrukken").encode(),
            HTML,
        )
        _put(_key(printable), stappenplan.printable_page(organisation_name, url, qr).encode(), HTML)
    elif app.status is Status.TERMINATED:
        withdrawn = stappenplan.withdrawn_page(organisation_name).encode()
        _put(_key(digital), withdrawn, HTML)
        _put(_key(printable), withdrawn, HTML)
        _put(_key(consent), withdrawn, HTML)
        s3().delete_object(Bucket=settings().pages_bucket, Key=_key(qr))
    onboarding_store.mark_pages_published(app.enterprise_number, app.version)
