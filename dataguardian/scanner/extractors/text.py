"""Plain text in any encoding, read in bounded chunks with an overlap.

Each chunk becomes one Segment: its own text (the *body*) between up to
``overlap`` characters of the previous chunk and of the next one, with
``keep_from``/``keep_before`` around the body. The engine reports only
values that start inside the body, so a value crossing a chunk border is
found once, in the chunk where it starts; the text either side gives values
near a border the context words and snippet they would have without it.
Bodies are cut after a newline where one is near (else after a space), so
the next chunk starts at a line start and never in the middle of a value.
Source code and logs are read the same way.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from dataguardian.scanner.types import Segment

CHUNK_CHARS = 4 * 1024 * 1024
OVERLAP_CHARS = 4 * 1024
READ_BYTES = 1024 * 1024


@dataclass(slots=True)
class TextStats:
    """Filled in while reading: how many newlines the body held."""

    newlines: int = 0


def iter_text(
    stream: BinaryIO,
    path: str,
    encoding: str,
    *,
    body_bytes: int | None = None,
    chunk_chars: int = CHUNK_CHARS,
    overlap_chars: int = OVERLAP_CHARS,
    stats: TextStats | None = None,
    lead: str = "",
) -> Iterator[Segment]:
    """Decode ``stream`` and yield it as overlapping Segments.

    ``body_bytes`` bounds the part of the stream that belongs to this call
    (a byte range of a larger file); what follows it is read only as
    lookahead for the last chunk. ``lead`` is the text just before the
    stream (the end of the range before), read as context only. Undecodable
    bytes become U+FFFD.
    """
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    stats = stats if stats is not None else TextStats()
    line, column = 1, 1
    buffer = lead[-overlap_chars:] if overlap_chars else ""
    before = len(buffer)  # the previous chunk's tail at the buffer's start
    remaining = body_bytes
    while True:
        size = READ_BYTES if remaining is None else min(READ_BYTES, remaining)
        raw = stream.read(size) if size else b""
        if remaining is not None:
            remaining -= len(raw)
        final = not raw
        buffer += decoder.decode(raw, final=final)
        while len(buffer) >= before + chunk_chars + overlap_chars:
            cut = _cut_point(buffer, before, chunk_chars)
            yield Segment(
                text=buffer[: cut + overlap_chars],
                path=path,
                base_line=line,
                base_column=column,
                keep_before=cut,
                keep_from=before,
            )
            line, column = _advance(buffer, before, cut, line, column)
            before = min(cut, overlap_chars)
            buffer = buffer[cut - before :]
        if final:
            break
    lookahead = ""
    if body_bytes is not None:
        tail = stream.read(overlap_chars)
        lookahead = codecs.decode(tail, encoding, errors="replace")[:overlap_chars]
    end_line, _ = _advance(buffer, before, len(buffer), line, column)
    stats.newlines = end_line - 1
    if len(buffer) > before:
        yield Segment(
            text=buffer + lookahead,
            path=path,
            base_line=line,
            base_column=column,
            keep_before=len(buffer) if lookahead else None,
            keep_from=before,
        )


def text_segments(data: bytes, path: str, encoding: str) -> Iterator[Segment]:
    """The same as :func:`iter_text` for bytes already in memory."""
    return iter_text(io.BytesIO(data), path, encoding)


def _cut_point(buffer: str, start: int, chunk_chars: int) -> int:
    """Where the body from ``start`` ends: after the last newline (or space) near the limit."""
    floor, limit = start + chunk_chars // 2, start + chunk_chars
    newline = buffer.rfind("\n", floor, limit)
    if newline >= 0:
        return newline + 1
    space = max(buffer.rfind(" ", floor, limit), buffer.rfind("\t", floor, limit))
    if space >= 0:
        return space + 1
    return limit


def _advance(text: str, start: int, end: int, line: int, column: int) -> tuple[int, int]:
    """Line and column just after ``text[start:end]`` when it starts at (line, column)."""
    newlines = text.count("\n", start, end)
    if not newlines:
        return line, column + end - start
    return line + newlines, end - text.rfind("\n", start, end)
