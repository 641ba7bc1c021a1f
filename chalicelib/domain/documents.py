"""Checks of uploaded documents: by their content, never by their name."""

from __future__ import annotations

import io

from .errors import DomainError

MAX_SIGNED_CONTRACT_BYTES = 5 * 1024 * 1024


def check_pdf(data: bytes) -> int:
    """The number of pages of a complete, parseable PDF, or 422 `invalid_pdf`."""
    if not data:
        raise DomainError("invalid_pdf", "The file is empty.")
    if len(data) > MAX_SIGNED_CONTRACT_BYTES:
        raise DomainError("payload_too_large", "The signed contract may be at most 5 MB.")
    if not data.startswith(b"%PDF-"):
        raise DomainError("invalid_pdf", "The file is not a PDF.")
    if b"%%EOF" not in data[-1024:]:
        raise DomainError("invalid_pdf", "The PDF is incomplete (it has no end-of-file marker).")
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data), strict=True)
        pages = len(reader.pages)
        for page in reader.pages:
            page.get_contents()
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError) as error:
        raise DomainError("invalid_pdf", f"The PDF cannot be read: {error}") from error
    if pages < 1:
        raise DomainError("invalid_pdf", "The PDF has no pages.")
    return pages
