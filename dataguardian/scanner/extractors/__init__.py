"""Turn a file's bytes into Segments of text, whatever its format.

:func:`detect_kind` decides by content first (magic bytes) and by extension
second; :func:`extract` runs the extractor for a document kind. Archive
kinds (zip, tar, gzip, bz2, xz) are opened by ``scanner.archives`` instead.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from typing import BinaryIO

from dataguardian.scanner.extractors.encoding import detect_encoding, looks_binary
from dataguardian.scanner.types import Segment, SourceError

HEAD_BYTES = 64 * 1024
JSON_MAX_BYTES = 64 * 1024 * 1024
ARCHIVE_KINDS = frozenset({"zip", "tar", "gzip", "bz2", "xz"})
RANDOM_ACCESS_KINDS = frozenset({"zip", "pdf", "docx", "xlsx", "pptx", "odf"})

_EXTENSIONS = {
    ".pdf": "pdf", ".docx": "docx", ".xlsx": "xlsx", ".xlsm": "xlsx", ".pptx": "pptx",
    ".odt": "odf", ".ods": "odf", ".odp": "odf", ".zip": "zip", ".jar": "zip",
    ".tar": "tar", ".tgz": "gzip", ".gz": "gzip", ".bz2": "bz2", ".xz": "xz",
    ".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".json": "json", ".geojson": "json",
    ".xml": "markup", ".html": "markup", ".htm": "markup", ".xhtml": "markup",
    ".svg": "markup",
}
_MAGIC = (
    (b"%PDF", "pdf"), (b"PK\x03\x04", "zip"), (b"PK\x05\x06", "zip"),
    (b"\x1f\x8b", "gzip"), (b"BZh", "bz2"), (b"\xfd7zXZ\x00", "xz"),
)
_ODF_MIME = b"application/vnd.oasis.opendocument."


def detect_kind(head: bytes, name: str) -> str:
    """The kind of a file from its first bytes and its name.

    Returns a document kind (``text``, ``csv``, ``tsv``, ``json``,
    ``markup``, ``pdf``, ``docx``, ``xlsx``, ``pptx``, ``odf``), an archive
    kind, or ``binary`` for content that is neither text nor a known format.
    A ``zip`` may be refined with :func:`zip_kind` once it can be opened.
    """
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if len(head) > 262 and head[257:262] == b"ustar":
        return "tar"
    lowered = name.lower()
    by_name = next((kind for ext, kind in _EXTENSIONS.items() if lowered.endswith(ext)), None)
    if by_name in RANDOM_ACCESS_KINDS or by_name in ARCHIVE_KINDS:
        return by_name
    if looks_binary(head[:8192]):
        return "binary"
    if by_name:
        return by_name
    stripped = head.lstrip()[:100].lower()
    if stripped.startswith((b"<?xml", b"<!doctype html", b"<html")):
        return "markup"
    return "text"


def zip_kind(fileobj: BinaryIO, name: str = "") -> str:
    """``docx``/``xlsx``/``pptx``/``odf`` for office files, else ``zip``.

    A zip that cannot be opened keeps the kind its extension names, so a
    truncated DOCX is reported as a DOCX.
    """
    try:
        with zipfile.ZipFile(fileobj) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" in names:
                for prefix, kind in (("word/", "docx"), ("xl/", "xlsx"), ("ppt/", "pptx")):
                    if any(n.startswith(prefix) for n in names):
                        return kind
            if "mimetype" in names and archive.read("mimetype").startswith(_ODF_MIME):
                return "odf"
    except (zipfile.BadZipFile, OSError, KeyError, NotImplementedError, RuntimeError):
        lowered = name.lower()
        return next((kind for ext, kind in _EXTENSIONS.items()
                     if lowered.endswith(ext) and kind in RANDOM_ACCESS_KINDS), "zip")
    finally:
        fileobj.seek(0)
    return "zip"


def extract(
    kind: str, stream: BinaryIO, path: str, *, head: bytes = b"", size: int | None = None
) -> Iterator[Segment | SourceError]:
    """Segments (and per-part errors) of a document of ``kind``.

    ``stream`` must be seekable for the random-access kinds; ``head`` is a
    sample of the first bytes, used to detect a text encoding.
    """
    from dataguardian.scanner.extractors import office, pdf, structured, tabular, text

    if kind == "binary":
        yield SourceError(path, "binary file, skipped")
        return
    if kind in RANDOM_ACCESS_KINDS:
        reader = {"pdf": pdf.iter_pdf, "docx": office.iter_docx, "xlsx": office.iter_xlsx,
                  "pptx": office.iter_pptx, "odf": office.iter_odf}.get(kind)
        if reader is None:
            yield SourceError(path, f"unsupported format {kind}")
            return
        yield from reader(stream, path)
        return
    encoding = detect_encoding(head)
    if kind in ("csv", "tsv"):
        yield from tabular.iter_csv(stream, path, encoding, tab_default=kind == "tsv")
    elif kind == "json" and (size is not None and size <= JSON_MAX_BYTES):
        yield from structured.iter_json(stream.read(), path, encoding)
    elif kind == "markup":
        yield from structured.iter_markup(stream, path, encoding)
    else:
        yield from text.iter_text(stream, path, encoding)
