"""The public pages of an EDV (R4): digital (link and QR code), printable (the full link as
text beside the QR code), and the page that replaces both when the EDV stops."""

from __future__ import annotations

import html
import io
from functools import cache
from importlib import resources
from string import Template


@cache
def _template(name: str) -> Template:
    return Template((resources.files(__package__) / "templates" / name).read_text("utf-8"))


def fill(template: str, raw: dict[str, str] | None = None, **values: str) -> str:
    """A page template with its values HTML-escaped (`raw`: markup made by the caller)."""
    escaped = {key: html.escape(value, quote=True) for key, value in values.items()}
    return _template(template).substitute(**escaped, **(raw or {}))


def digital_page(name: str, consent_url: str, qr_path: str, print_path: str) -> str:
    return fill(
        "stappenplan.html",
        name=name,
        consent_url=consent_url,
        qr_path=qr_path,
        print_path=print_path,
    )


def printable_page(name: str, consent_url: str, qr_path: str) -> str:
    return fill(
        "stappenplan-afdrukken.html",
        raw={"consent_url_breakable": breakable_url(consent_url)},
        name=name,
        qr_path=qr_path,
    )


def breakable_url(url: str) -> str:
    """The link escaped, with a line-break opportunity after each slash and before a query, so
    a printed line ends between two parts of it, never inside a word."""
    scheme, _, rest = html.escape(url, quote=True).partition("://")
    return f"{scheme}://" + rest.replace("/", "/<wbr>").replace("?", "<wbr>?")


def withdrawn_page(name: str) -> str:
    return fill("stappenplan-ingetrokken.html", name=name)


def consent_page(name: str, enterprise_number: str) -> str:
    """The consent page's shell; /assets/consent.js (from web/) does the rest."""
    return fill("toegang.html", name=name, enterprise_number=enterprise_number)


def qr_png(url: str) -> bytes:
    """A QR code of `url`, large enough to print, with the standard quiet zone."""
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M
    from qrcode.image.pure import PyPNGImage  # pure Python: no Pillow in the API's bundle

    code = qrcode.QRCode(
        error_correction=ERROR_CORRECT_M, box_size=10, border=4, image_factory=PyPNGImage
    )
    code.add_data(url)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer)
    return buffer.getvalue()
