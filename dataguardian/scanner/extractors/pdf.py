"""PDF: the text of each page (pypdf), located by page as ``sheet``."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import BinaryIO

from dataguardian.scanner.types import Segment, SourceError

logging.getLogger("pypdf").setLevel(logging.ERROR)


def iter_pdf(stream: BinaryIO, path: str) -> Iterator[Segment | SourceError]:
    """One Segment per page; a broken page is an error and the rest goes on."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(stream, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            yield SourceError(path, "encrypted PDF (password required), skipped")
            return
        pages = reader.pages
        count = len(pages)
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        yield SourceError(path, f"truncated or invalid PDF: {exc}")
        return
    for number in range(1, count + 1):
        try:
            text = pages[number - 1].extract_text() or ""
        except Exception as exc:  # noqa: BLE001 - pypdf raises many types on damaged pages
            yield SourceError(path, f"page {number}: could not extract text: {exc}")
            continue
        if text.strip():
            yield Segment(text=text, path=path, base_line=1, sheet=f"page {number}")
